"""Blog feeds, sitemaps and blog pages (sources.md §7-8) to entries and links.

Pure functions for the `feeds` source:

- `parse_feed`: RSS 2.0, RSS 1.0, Atom (through feedparser) and JSON Feed 1.0 / 1.1 (read here:
  feedparser 6 does not read JSON) to `FeedEntry`s. Lenient on purpose: a feed feedparser
  flags as malformed (`bozo`) is kept when entries were still found, with the reason in
  `ParsedFeed.malformed`; several XML documents concatenated in one body are read one by one.
- `parse_sitemap`: a `<urlset>` or `<sitemapindex>` to its `<loc>`s and `<lastmod>` dates.
- `alternate_feeds`: the feeds a page announces (`<link rel="alternate" type=...>`).
- `listing_links`: the links of a blog's index page that match its post pattern.
- `post_from_entry`: a feed entry as a `Post` to follow to its article.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import lxml.etree
from parsel import Selector
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from storycrawl.dates import parse_datetime
from storycrawl.parsers import ParseError, Post, load_json
from storycrawl.text import html_to_text, normalize_space

# Types a page may announce its feed with (RSS, Atom, JSON Feed 1.1 and 1.0).
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
)
JSON_FEED_VERSION = "https://jsonfeed.org/version/"
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
_WORD = re.compile(r"[^\W\d_]+\.?", re.UNICODE)
_LEADING_WEEKDAY = re.compile(r"^\s*[^\W\d_]+\.?,\s*", re.UNICODE)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL
)
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


@dataclass
class ParsedFeed:
    kind: str  # feedparser's version (rss20, atom10...) or json1.0 / json1.1
    title: str
    entries: list[FeedEntry]
    # Why feedparser found the feed malformed (None when well-formed).
    malformed: str | None = None
    # Entries left out because they had no link to follow.
    without_link: int = 0


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: datetime | None = None


@dataclass
class ParsedSitemap:
    kind: str  # urlset | sitemapindex
    urls: list[SitemapUrl] = field(default_factory=list)


@dataclass(frozen=True)
class ListedLink:
    url: str
    text: str


# --- feeds ---------------------------------------------------------------------------------


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """A feed body (RSS, Atom or JSON Feed) to its entries; ParseError when it is not a feed.

    Links are resolved against `url` (the feed's own URL). Dates come as aware UTC datetimes,
    None when the entry has none (or none that can be read).
    """
    # The body decides, not the Content-Type: servers label feeds text/html, text/plain...
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ParseError("empty body")
    if head.startswith(b"{") or ("json" in content_type and not head.startswith(b"<")):
        return _parse_json_feed(body, url)
    if _HTML_START.match(head):
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
    link = _web_link(raw.get("link"), feed_url)
    if link is None:
        alternates = [
            item.get("href") for item in raw.get("links", []) if item.get("rel") == "alternate"
        ]
        link = next((u for u in (_web_link(a, feed_url) for a in alternates) if u), None)
    if link is None:
        return None
    return FeedEntry(
        id=str(raw.get("id") or link).strip(),
        link=link,
        title=_text_of(raw.get("title"), raw.get("title_detail")),
        author=_author_of(raw) or feed_author,
        published=_entry_date(raw),
        summary=_summary(raw.get("summary") or ""),
    )


def _entry_date(raw: Any) -> datetime | None:
    """published, else updated (Atom feeds often carry only `updated`); None when neither reads."""
    for name in ("published", "updated"):
        parsed = raw.get(f"{name}_parsed")
        if parsed:
            return parse_datetime(calendar.timegm(parsed))
        if value := feed_date(raw.get(name)):
            return value
    return None


def feed_date(value: object) -> datetime | None:
    """A feed's date string: RFC 822 or ISO 8601, also with month or weekday names in German,
    French, Spanish, Italian, Portuguese or Dutch, and without a timezone (taken as UTC)."""
    if not value or not isinstance(value, str):
        return None
    if when := parse_datetime(value):
        return when
    english = _LEADING_WEEKDAY.sub("", value.strip())
    english = _WORD.sub(lambda m: _english_month(m.group(0)), english)
    return parse_datetime(english)


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


def _web_link(value: Any, base: str) -> str | None:
    if not value or not isinstance(value, str):
        return None
    link = urldefrag(urljoin(base, value.strip()))[0]
    return link if urlsplit(link).scheme in ("http", "https") else None


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    data = load_json(body, content_type="")
    version = str(data.get("version", "")) if isinstance(data, dict) else ""
    if not version.startswith(JSON_FEED_VERSION):
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
        # `url` is the item's own page; `external_url` the page it is about (link blogs).
        link = _web_link(item.get("url"), url) or _web_link(item.get("external_url"), url)
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
                published=parse_datetime(item.get("date_published"))
                or parse_datetime(item.get("date_modified")),
                summary=_summary(str(summary or "")),
            )
        )
    return ParsedFeed(
        kind="json" + version.removeprefix(JSON_FEED_VERSION).strip("/"),
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


def post_from_entry(entry: FeedEntry, site_name: str, source_type: str, site_host: str) -> Post:
    """A feed entry as a Post to follow to its article: not a thread, the site's type declared."""
    return Post(
        source="feeds",
        id=entry.id or entry.link,
        url=entry.link,
        title=entry.title,
        author=entry.author,
        published=entry.published,
        link=entry.link,
        site=site_host,
        is_thread=False,
        article_hints={
            "source_type": source_type,
            "source_type_reason": f"declared in the sources file for {site_name}",
            "feed": site_name,
        },
    )


# --- sitemaps ------------------------------------------------------------------------------


def parse_sitemap(body: bytes) -> ParsedSitemap:
    """A sitemap (gzipped or not) to its URLs; ParseError when it is not a sitemap."""
    if body[:3] == b"\x1f\x8b\x08":
        try:
            body = gunzip(body)
        except (OSError, EOFError) as exc:
            raise ParseError(f"a broken gzip file: {exc}") from None
    if _HTML_START.match(body.lstrip()):
        raise ParseError("an HTML page, not a sitemap")
    try:
        sitemap = Sitemap(body)
        kind = sitemap.type
        entries = list(sitemap)
    except (lxml.etree.XMLSyntaxError, StopIteration) as exc:
        raise ParseError(f"not XML: {exc or 'empty'}") from None
    if kind not in ("urlset", "sitemapindex"):
        raise ParseError(f"not a sitemap (root <{kind}>)")
    urls = [
        SitemapUrl(entry["loc"], sitemap_date(entry.get("lastmod")))
        for entry in entries
        if entry.get("loc")
    ]
    return ParsedSitemap(kind, urls)


def sitemap_date(value: object) -> datetime | None:
    """A `<lastmod>` (W3C datetime: a date, or a time with an offset); None for garbage."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    # W3C allows a time without seconds ("2026-01-05T10:00+01:00"): fromisoformat needs them.
    text = re.sub(r"T(\d{2}:\d{2})(?=[Z+-]|$)", r"T\1:00", text)
    return parse_datetime(text)


# --- HTML pages ----------------------------------------------------------------------------


def alternate_feeds(html: str, page_url: str) -> list[str]:
    """The feeds a page announces in `<link rel="alternate">`, resolved, in page order."""
    selector = Selector(text=html)
    base = urljoin(page_url, selector.css("base::attr(href)").get() or "")
    feeds: list[str] = []
    for link in selector.css("link[href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES:
            url = _web_link(link.attrib["href"], base)
            if url and url not in feeds:
                feeds.append(url)
    return feeds


def listing_links(html: str, page_url: str, post_pattern: str) -> list[ListedLink]:
    """The `<a href>` links of a page (resolved, no fragment) matching post_pattern, in page
    order, each once, with their text (a title to match `-a query` against)."""
    selector = Selector(text=html)
    base = urljoin(page_url, selector.css("base::attr(href)").get() or "")
    pattern = re.compile(post_pattern)
    links: dict[str, ListedLink] = {}
    for anchor in selector.css("a[href]"):
        url = _web_link(anchor.attrib["href"], base)
        if url is None or not pattern.search(url):
            continue
        text = normalize_space(" ".join(anchor.css("::text").getall()))
        if url not in links or (text and not links[url].text):
            links[url] = ListedLink(url, text)
    return list(links.values())
