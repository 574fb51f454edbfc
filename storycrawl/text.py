"""Plain text from the HTML fragments sources hand out (HN story_text, Reddit selftext_html...)."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

import lxml.html
from lxml import etree

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "pre",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
}
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def html_to_text(fragment: str | None) -> str:
    """Text of an HTML fragment, paragraphs separated by blank lines, entities decoded.

    Mastodon's hidden link parts (`<span class="invisible">`) are left out.
    """
    if not fragment or not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return normalize_space(html.unescape(re.sub(r"<[^>]+>", " ", fragment)))
    for hidden in root.xpath(
        './/*[contains(concat(" ", normalize-space(@class), " "), " invisible ")]'
    ):
        hidden.drop_tree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCK_TAGS:
            # Break before and after a block: HN writes "first<p>second" with no closing tag.
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    return normalize_space(root.text_content())


def normalize_space(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks, trim."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# Letters that render as nothing, used as "blank" display names (Hangul fillers, braille blank).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible_text(value: object) -> str:
    """A short text (a display name) without format and control characters (U+200E marks,
    zero-width spaces, bidi controls) or blank letters, spaces collapsed; empty when nothing
    visible is left."""
    if not isinstance(value, str):
        return ""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in value
        if unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cs") and ch not in _BLANK_LETTERS
    )
    return " ".join(kept.split())


def text_hash(text: str) -> str:
    """Stable hash of a text's words: the cache key of its labels, the cross-post fingerprint."""
    words = re.findall(r"\w+", text.lower())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:32]


def first_line_title(text: str, limit: int = 120) -> str:
    """A title for posts that have none (Mastodon, Bluesky): the first line, cut at a word."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return cut + "…"


FINGERPRINT_MIN_WORDS = 150
_SHINGLE = 3
_BAND_BITS = 16
# translate() tables: byte -> 1 when bit j of it is set, else 0 (count(1) then counts set bits).
_BIT_OF_BYTE = [bytes((b >> j) & 1 for b in range(256)) for j in range(8)]


def fingerprint(text: str) -> int | None:
    """A 64-bit SimHash of the text's word shingles, or None for texts too short to tell apart.

    Cross-posts of one article (a blog post and its Medium or DEV copy) extract to nearly the same
    words with different boilerplate around them; their fingerprints differ in a few bits only.
    Bit b of the print is set when most shingle hashes have bit b set; the bits are counted
    column by column over all hashes at once (bytes.translate/count run in C).
    """
    words = re.findall(r"\w+", text.lower())
    if len(words) < FINGERPRINT_MIN_WORDS:
        return None
    blake2b = hashlib.blake2b
    digests = b"".join(
        blake2b(" ".join(words[i : i + _SHINGLE]).encode("utf-8"), digest_size=8).digest()
        for i in range(len(words) - _SHINGLE + 1)
    )
    count = len(digests) // 8
    value = 0
    for byte in range(8):  # big-endian: byte 0 holds bits 63..56
        column = digests[byte::8]
        for j in range(8):
            ones = column.translate(_BIT_OF_BYTE[j]).count(1)
            if 2 * ones > count:
                value |= 1 << ((7 - byte) * 8 + j)
    return value


def fingerprint_bands(value: int) -> list[int]:
    """The fingerprint's four 16-bit bands: two prints at most 3 bits apart share one of them."""
    mask = (1 << _BAND_BITS) - 1
    return [(value >> (band * _BAND_BITS)) & mask for band in range(64 // _BAND_BITS)]


def same_text(a: int | None, b: int | None, max_bits: int = 3) -> bool:
    """Two fingerprints of (nearly) the same text."""
    return a is not None and b is not None and (a ^ b).bit_count() <= max_bits
