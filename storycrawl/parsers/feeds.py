"""Blog feeds (sources.md §7-8) to entries, for the `feeds` source (sitemaps and pages:
`storycrawl.parsers.sites`).

- `parse_feed`: RSS 2.0, RSS 1.0, Atom (through feedparser) and JSON Feed 1.0 / 1.1 (read here:
  feedparser 6 does not read JSON; `version` over http or https) to `FeedEntry`s. Lenient on
  purpose: a feed feedparser flags as malformed (`bozo`) is kept when entries were still found,
  with the reason in `ParsedFeed.malformed`; several XML documents concatenated in one body are
  read one by one; a UTF-8 byte order mark and CR line endings are read like any feed.
- Dates: the entry's raw date string is read by storycrawl.dates; feedparser's own parse only
  stands in when that cannot read it (feedparser reads `2020/1/10 14:33:00` as 2020-12-01).
- Link blogs: an entry whose link points to another site's article keeps its own permalink
  (Atom `rel="related"`, an RSS permalink guid, a JSON Feed `url` beside `external_url`).
- `post_from_entry`: a feed entry as a `Post` to follow to its article.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

import feedparser

from storycrawl.dates import first_date
from storycrawl.parsers import ParseError, Post, load_json
from storycrawl.parsers.sites import is_html_page
from storycrawl.text import html_to_text, normalize_space
from storycrawl.urls import canonical_url, host_of, same_site, web_link

# JSON Feed's `version`: https://jsonfeed.org/version/1.1, also over http (1.0 feeds).
JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/(?P<number>[\d.]+)/?$")
UTF8_BOM = b"\xef\xbb\xbf"
# Links of an Atom entry that are the blog's own page for it (Daring Fireball's `related`).
PERMALINK_RELS = ("related",)
# feedparser flags these when the HTTP headers and the document disagree; the feed itself
# is fine, so they are not counted as malformed.
HARMLESS_BOZO = ("NonXMLContentType", "CharacterEncodingOverride")
SUMMARY_CHARS = 2000

# Month and weekday names of the languages blogs write pubDates in, to English (RFC 822
# only knows English names; feedparser then gives up on the date).
_MONTHS = {
    "jan": ("januar", "janvier", "enero", "gennaio", "janeiro", "januari", "jänner", "ene", "gen"),
    "feb": ("februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "fevereiro", "februari", "fév", "fev"),
    "mar": ("märz", "mär", "mrz", "mars", "marzo", "março", "maart", "mrt"),
    "apr": ("avril", "abril", "aprile", "avr", "abr"),
    "may": ("mai", "mayo", "maggio", "maio", "mei", "mag"),
    "jun": ("juni", "juin", "junio", "giugno", "junho", "giu"),
    "jul": ("juli", "juillet", "julio", "luglio", "julho", "juil", "lug"),
    "aug": ("august", "août", "aout", "agosto", "augustus", "ago"),
    "sep": ("september", "septembre", "septiembre", "settembre", "setembro", "sept", "set"),
    "oct": ("oktober", "octobre", "octubre", "ottobre", "outubro", "okt", "ott", "out"),
    "nov": ("november", "novembre", "noviembre", "novembro"),
    "dec": ("dezember", "décembre", "decembre", "diciembre", "dicembre", "dezembro", "december", "déc", "dez", "dic"),
}  # fmt: skip
_MONTH_NAMES = {name: english for english, names in _MONTHS.items() for name in names}
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+\.?", re.UNICODE)
_LEADING_WEEKDAY = re.compile(r"^\s*[^\W\d_]+\.?,\s*", re.UNICODE)
_XML_DECLARATION = re.compile(rb"<\?xml\s")


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, whatever its format."""

    id: str
    link: str
    title: str
    author: str | None = None
    published: datetime | None = None
    summary: str = ""
    # The blog's own page for the entry, when its link points to another site's article.
    permalink: str | None = None


@dataclass
class ParsedFeed:
    kind: str  # feedparser's version (rss20, atom10...) or json1.0 / json1.1
    title: str
    entries: list[FeedEntry]
    # Why feedparser found the feed malformed (None when well-formed).
    malformed: str | None = None
    # Entries left out because they had no link to follow.
    without_link: int = 0


# --- feeds ---------------------------------------------------------------------------------


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """A feed body (RSS, Atom or JSON Feed) to its entries; ParseError when it is not a feed.

    Links are resolved against `url` (the feed's own URL). Dates come as aware UTC datetimes,
    None when the entry has none (or none that can be read).
    """
    # The body decides, not the Content-Type: servers label feeds text/html, text/plain...
    body = body.removeprefix(UTF8_BOM)
    head = body.lstrip(b" \t\r\n")
    if not head:
        raise ParseError("empty body")
    if head.startswith(b"{") or ("json" in content_type and not head.startswith(b"<")):
        return _parse_json_feed(body, url)
    if is_html_page(head):
        raise ParseError("an HTML page, not a feed")
    documents = _xml_documents(body)
    first = _parse_xml_feed(documents[0], url, content_type)
    if len(documents) > 1:
        # Hand-assembled feeds sometimes carry a second document after the first: read
        # each, keep what they add.
        seen = {entry.id for entry in first.entries} | {entry.link for entry in first.entries}
        for document in documents[1:]:
            try:
                extra = _parse_xml_feed(document, url, content_type)
            except ParseError:
                continue
            for entry in extra.entries:
                if entry.id not in seen and entry.link not in seen:
                    seen.update((entry.id, entry.link))
                    first.entries.append(entry)
            first.without_link += extra.without_link
        first.malformed = f"{len(documents)} XML documents in one body"
    return first


def _xml_documents(body: bytes) -> list[bytes]:
    """The XML documents of a body: usually one; split at each later `<?xml` declaration."""
    starts = [m.start() for m in _XML_DECLARATION.finditer(body)]
    cuts = [0] + [s for s in starts if s > 0 and body[:s].strip()] + [len(body)]
    return [body[a:b] for a, b in pairwise(cuts) if body[a:b].strip()]


def _parse_xml_feed(body: bytes, url: str, content_type: str) -> ParsedFeed:
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    malformed = None
    if parsed.get("bozo"):
        error = parsed.get("bozo_exception")
        name = type(error).__name__
        if not parsed.entries and not parsed.get("version"):
            raise ParseError(f"not a feed ({name}: {error})")
        if name not in HARMLESS_BOZO:
            malformed = f"{name}: {error}"
    if not parsed.get("version") and not parsed.entries:
        raise ParseError("not a feed (no RSS, Atom or JSON Feed root)")
    # Atom entries without an author inherit the feed's (RFC 4287 §4.2.1).
    feed_author = _author_of(parsed.feed)
    entries: list[FeedEntry] = []
    without_link = 0
    for raw in parsed.entries:
        entry = _entry_from_feedparser(raw, url, feed_author)
        if entry is None:
            without_link += 1
        else:
            entries.append(entry)
    return ParsedFeed(
        kind=parsed.get("version") or "unknown",
        title=_text_of(parsed.feed.get("title"), parsed.feed.get("title_detail")),
        entries=entries,
        malformed=malformed,
        without_link=without_link,
    )


def _author_of(raw: Any) -> str | None:
    author = (raw.get("author_detail") or {}).get("name") or raw.get("author")
    return normalize_space(author) if author else None


def _entry_from_feedparser(raw: Any, feed_url: str, feed_author: str | None) -> FeedEntry | None:
    links = [item for item in raw.get("links", []) if isinstance(item, dict)]
    link = web_link(raw.get("link"), feed_url)
    if link is None:
        alternates = [item.get("href") for item in links if item.get("rel") == "alternate"]
        link = next((u for u in (web_link(a, feed_url) for a in alternates) if u), None)
    if link is None:
        return None
    own = [item.get("href") for item in links if item.get("rel") in PERMALINK_RELS]
    return FeedEntry(
        id=str(raw.get("id") or link).strip(),
        link=link,
        title=_text_of(raw.get("title"), raw.get("title_detail")),
        author=_author_of(raw) or feed_author,
        published=_entry_date(raw),
        summary=_summary(raw.get("summary") or ""),
        # An RSS guid that is a URL is the entry's permalink (isPermaLink defaults to true).
        permalink=_permalink(link, [*own, raw.get("id")], feed_url),
    )


def _permalink(link: str, candidates: list[Any], base: str) -> str | None:
    """The first candidate that is a web URL other than the entry's link."""
    for candidate in candidates:
        url = web_link(candidate, base) if isinstance(candidate, str) else None
        if url and canonical_url(url) != canonical_url(link):
            return url
    return None


def _entry_date(raw: Any) -> datetime | None:
    """published, else updated (Atom feeds often carry only `updated`); None when neither reads.

    Each raw string is read by storycrawl.dates first; feedparser's `*_parsed` tuple only when
    that cannot read its words: where both read it and disagree, feedparser is the one that is
    wrong (`2020/1/10 14:33:00` is 2020-12-01 to it). Impossible dates are passed over."""
    candidates: list[object] = []
    for name in ("published", "updated"):
        text = raw.get(name)
        ours = feed_date(text)
        parsed = raw.get(f"{name}_parsed")
        if ours is not None:
            candidates.append(ours)
        # Only for words storycrawl does not know (a month in Korean): an all-digit date it
        # cannot read is impossible (`2026-02-30`, which feedparser rolls over to March 2).
        elif parsed and isinstance(text, str) and _LETTER.search(text):
            try:
                candidates.append(calendar.timegm(parsed))
            except (TypeError, ValueError, OverflowError):
                continue
    when = first_date(*candidates)
    return when.replace(microsecond=0) if when else None


def feed_date(value: object) -> datetime | None:
    """A feed's date string: RFC 822 or ISO 8601, also with month or weekday names in German,
    French, Spanish, Italian, Portuguese or Dutch, and without a timezone (taken as UTC)."""
    if not value or not isinstance(value, str):
        return None
    if when := first_date(value):
        return when
    english = _LEADING_WEEKDAY.sub("", value.strip())
    english = _WORD.sub(lambda m: _english_month(m.group(0)), english)
    return first_date(english)


def _english_month(word: str) -> str:
    english = _MONTH_NAMES.get(word.lower().rstrip("."))
    return english.capitalize() if english else word


def _text_of(value: Any, detail: Any) -> str:
    """A title as plain text: HTML titles lose their tags, entities are decoded."""
    if not value:
        return ""
    kind = (detail or {}).get("type", "")
    text = html_to_text(value) if "html" in kind else str(value)
    return normalize_space(text.replace("\n", " "))


def _summary(value: str) -> str:
    return html_to_text(value)[:SUMMARY_CHARS] if value else ""


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    data = load_json(body, content_type="")
    version = str(data.get("version", "")).strip() if isinstance(data, dict) else ""
    match = JSON_FEED_VERSION.match(version)
    if match is None:
        raise ParseError("JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise ParseError("a JSON Feed without an 'items' list")
    feed_author = _json_author(data)
    entries: list[FeedEntry] = []
    without_link = 0
    for item in items:
        if not isinstance(item, dict):
            continue
        # `url` is the item's own page; `external_url` the page it is about (link blogs): the
        # story is that page, the item's own page its permalink.
        own = web_link(item.get("url"), url)
        link = web_link(item.get("external_url"), url) or own
        if link is None:
            without_link += 1
            continue
        summary = item.get("summary") or item.get("content_text") or item.get("content_html")
        entries.append(
            FeedEntry(
                id=str(item.get("id") or link).strip(),
                link=link,
                title=normalize_space(html_to_text(str(item.get("title") or ""))),
                author=_json_author(item) or feed_author,
                published=first_date(item.get("date_published"), item.get("date_modified")),
                summary=_summary(str(summary or "")),
                permalink=_permalink(link, [own], url),
            )
        )
    return ParsedFeed(
        kind="json" + match.group("number"),
        title=str(data.get("title") or ""),
        entries=entries,
        without_link=without_link,
    )


def _json_author(obj: dict[str, Any]) -> str | None:
    """JSON Feed 1.1 `authors` (a list), or 1.0 `author` (one object)."""
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]
    for author in candidates:
        if isinstance(author, dict) and author.get("name"):
            return str(author["name"]).strip()
    return None


def newest_first(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    """Entries by date, newest first; undated ones first, in feed order (their page dates them)."""
    entries = list(entries)
    dated = sorted((e for e in entries if e.published), key=lambda e: e.published, reverse=True)
    return [e for e in entries if e.published is None] + dated


def matches_query(query: str, *texts: str) -> bool:
    """True when every word of the query starts a word of the texts (case-insensitive)."""
    haystack = " ".join(texts)
    words = re.findall(r"\w+", query.lower())
    return all(re.search(rf"\b{re.escape(word)}", haystack, re.IGNORECASE) for word in words)


def post_from_entry(
    entry: FeedEntry, site_name: str, source_type: str, site_hosts: list[str]
) -> Post:
    """A feed entry as a Post to follow to its article, the site's type declared for the pages
    on `site_hosts` (the site's and the feed's hosts; the spider applies it only there).

    An entry of the site's own page is no thread. A link-blog entry (its link on another site)
    with a permalink on the site is a thread: the blog's page is kept as a discussion of the
    article it points to."""
    hosts = list(dict.fromkeys(h for h in site_hosts if h))
    hints = {
        "source_type": source_type,
        "source_type_reason": f"declared in the sources file for {site_name}",
        "source_type_hosts": ",".join(hosts),
        "feed": site_name,
    }
    elsewhere = not same_site(host_of(entry.link), hosts)
    permalink = entry.permalink if entry.permalink and elsewhere else None
    if permalink and not same_site(host_of(permalink), hosts):
        permalink = None
    return Post(
        source="feeds",
        id=entry.id or entry.link,
        url=permalink or entry.link,
        title=entry.title,
        author=None if permalink else entry.author,
        published=entry.published,
        # The entry's date dates the page itself only when the page is the site's own.
        date_source=None if elsewhere else "feed",
        link=entry.link,
        site=host_of(permalink) if permalink else (hosts[0] if hosts else ""),
        is_thread=permalink is not None,
        article_hints=hints,
    )
