"""Sitemaps and blog pages (sources.md §8) to links, for the `feeds` source's fallbacks.

- `parse_sitemap`: a `<urlset>` or `<sitemapindex>` to its `<loc>`s and `<lastmod>` dates.
- `alternate_feeds`: the feeds a page announces (`<link rel="alternate" type=...>`).
- `listing_links`: the links of a blog's index page that match its post pattern.

A malformed link (bad port, bad IPv6 address, `javascript:`) is left out, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import lxml.etree
from parsel import Selector
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from storycrawl.dates import first_date
from storycrawl.parsers import ParseError
from storycrawl.text import normalize_space
from storycrawl.urls import web_link

# Types a page may announce its feed with (RSS, Atom, JSON Feed 1.1 and 1.0).
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL
)


def is_html_page(body: bytes) -> bool:
    """The body is an HTML document (an error or login page where XML was expected)."""
    return bool(_HTML_START.match(body.lstrip(b"\xef\xbb\xbf \t\r\n")))


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


# --- sitemaps ------------------------------------------------------------------------------


def parse_sitemap(body: bytes) -> ParsedSitemap:
    """A sitemap (gzipped or not) to its URLs; ParseError when it is not a sitemap."""
    if body[:3] == b"\x1f\x8b\x08":
        try:
            body = gunzip(body)
        except (OSError, EOFError) as exc:
            raise ParseError(f"a broken gzip file: {exc}") from None
    if is_html_page(body):
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
        SitemapUrl(loc, sitemap_date(entry.get("lastmod")))
        for entry in entries
        if (loc := web_link(entry.get("loc")))
    ]
    return ParsedSitemap(kind, urls)


def sitemap_date(value: object) -> datetime | None:
    """A `<lastmod>` (W3C datetime: a date, or a time with an offset); None for garbage and
    impossible dates (`2026-02-30`, `0000-00-00`), which never stop the sitemap."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    # W3C allows a time without seconds ("2026-01-05T10:00+01:00"): fromisoformat needs them.
    text = re.sub(r"T(\d{2}:\d{2})(?=[Z+-]|$)", r"T\1:00", text)
    return first_date(text)


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
            url = web_link(link.attrib["href"], base)
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
        url = web_link(anchor.attrib["href"], base)
        if url is None or not pattern.search(url):
            continue
        text = normalize_space(" ".join(anchor.css("::text").getall()))
        if url not in links or (text and not links[url].text):
            links[url] = ListedLink(url, text)
    return list(links.values())
