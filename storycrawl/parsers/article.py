"""Article pages (blog posts, engineering blogs): main text and metadata.

trafilatura extracts the text, tables included (eval results and benchmarks are often a
page's content), and the title, author and a date. The page's own metadata
(`article:published_time`, JSON-LD `datePublished`) gives the time of day and wins over
trafilatura's date-only guess; the spider decides among them (storycrawl.dates.pick_date).
A time without an offset is read in the offset the page states elsewhere (JSON-LD's `+08:00`);
a modified date (`article:modified_time`, `dateModified`) never stands for the published one.
JSON-LD is read leniently (raw control characters, trailing commas, CDATA wrappers). JSON-LD
types (BlogPosting, JobPosting, Person, Organization) and the site name go into hints for the
jobs and source_type stages.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import trafilatura
from parsel import Selector
from scrapy.http import Response, TextResponse

from storycrawl.dates import offset_of, parse_datetime, pick_date
from storycrawl.parsers import ParseError
from storycrawl.text import normalize_space

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
META_DATES = (
    'meta[property="article:published_time"]::attr(content)',
    'meta[property="og:published_time"]::attr(content)',
    'meta[name="article:published_time"]::attr(content)',
    'meta[itemprop="datePublished"]::attr(content)',
    'meta[name="date"]::attr(content)',
    'meta[name="dc.date"]::attr(content)',
    'meta[name="DC.date.issued"]::attr(content)',
    'meta[name="parsely-pub-date"]::attr(content)',
    'time[itemprop="datePublished"]::attr(datetime)',
)
# When the page was last changed: never its publication date.
META_MODIFIED = (
    'meta[property="article:modified_time"]::attr(content)',
    'meta[property="og:updated_time"]::attr(content)',
    'meta[name="last-modified"]::attr(content)',
    'meta[itemprop="dateModified"]::attr(content)',
    'time[itemprop="dateModified"]::attr(datetime)',
)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
# trafilatura's date search without its guesses from free text and copyright years, which
# give fake dates (a "© 2024" footer becomes 2024-01-01).
DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass
class Article:
    url: str
    title: str
    text: str
    author: str | None = None
    lang: str | None = None
    hints: dict[str, str] = field(default_factory=dict)
    # Date candidates `(source, value)` for storycrawl.dates.pick_date: the page's own
    # metadata (naive times already in the page's offset), then trafilatura's guess.
    page_dates: list[tuple[str, object]] = field(default_factory=list)
    guessed_dates: list[tuple[str, object]] = field(default_factory=list)

    @property
    def published(self) -> datetime | None:
        """The page's own date, as the spider decides it without other sources."""
        return pick_date([*self.page_dates, *self.guessed_dates]).when

    @property
    def date_source(self) -> str | None:
        return pick_date([*self.page_dates, *self.guessed_dates]).source


def content_type(response: Response) -> str:
    value = response.headers.get("Content-Type") or b""
    return value.decode("latin-1").split(";")[0].strip().lower()


def extract_article(response: Response) -> Article:
    """The article of an HTML response; ParseError saying why when there is none."""
    kind = content_type(response)
    if not isinstance(response, TextResponse) or (kind and kind not in HTML_TYPES):
        raise ParseError(f"not an HTML page ({kind or 'unknown content type'})")
    html = response.text
    selector = Selector(text=html)
    document = trafilatura.bare_extraction(
        html,
        url=response.url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=DATE_PARAMS,
    )
    text = normalize_space(document.text or "") if document is not None else ""
    if not text:
        raise ParseError("no article text found in the page")
    if _javascript_shell(selector, text):
        raise ParseError("the page needs JavaScript to show its text (mark it `js` to render it)")
    ld = list(_json_ld_objects(selector))
    page_dates, modified = _page_dates(selector, ld)
    guessed = document.date if document is not None else None
    # trafilatura falls back to the modified date when the page gives no published one.
    guessed_dates = (
        [("page (trafilatura)", guessed)]
        if guessed and _day(guessed) not in {_day(m) for m in modified}
        else []
    )
    title = (
        (document.title if document is not None else None) or _first(selector, "title::text") or ""
    )
    author = (document.author if document is not None else None) or _ld_author(ld)
    return Article(
        url=response.url,
        title=normalize_space(title),
        text=text,
        author=author,
        page_dates=page_dates,
        guessed_dates=guessed_dates,
        lang=(document.language if document is not None else None)
        or _first(selector, "html::attr(lang)"),
        hints=_hints(selector, ld, document),
    )


def _javascript_shell(selector: Selector, text: str) -> bool:
    """An app shell: almost no text, and what there is asks for JavaScript."""
    if len(text) >= 300:
        return False
    noscript = " ".join(selector.css("noscript ::text").getall()).strip()
    return bool(noscript and noscript in text) or "enable javascript" in text.lower()


def _first(selector: Selector, css: str) -> str | None:
    value = selector.css(css).get()
    return value.strip() if value and value.strip() else None


def _json_ld_objects(selector: Selector) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, @graph members included."""
    for script in selector.css('script[type="application/ld+json"]::text').getall():
        data = _lenient_json(script)
        if data is None:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                yield item
                for key in ("@graph", "author", "publisher", "mainEntity", "hiringOrganization"):
                    value = item.get(key)
                    if isinstance(value, list):
                        stack.extend(value)
                    elif isinstance(value, dict):
                        stack.append(value)


def _lenient_json(script: str) -> Any:
    """A JSON-LD script's data, read as browsers and search engines do: raw control
    characters in strings (a pasted newline or tab), a CDATA wrapper, trailing commas."""
    text = _CDATA.sub("", script.strip())
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except (json.JSONDecodeError, RecursionError):
            continue
    return None


def _types(obj: dict[str, Any]) -> list[str]:
    value = obj.get("@type")
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _page_dates(
    selector: Selector, ld: list[dict[str, Any]]
) -> tuple[list[tuple[str, object]], list[datetime]]:
    """The page's published dates in order (meta tags, then JSON-LD), and its modified dates.

    A value without an offset is read in the first offset the page states for any of its
    dates (a page in +08:00 that writes some of its times without it), else as UTC.
    """
    published = [v for css in META_DATES if (v := _first(selector, css))]
    published += [str(v) for obj in ld if isinstance(v := obj.get("datePublished"), str | int)]
    modified_raw = [v for css in META_MODIFIED if (v := _first(selector, css))]
    modified_raw += [str(v) for obj in ld if isinstance(v := obj.get("dateModified"), str)]
    offset = next(
        (tz for v in [*published, *modified_raw] if (tz := offset_of(v)) is not None), None
    )
    dates = [("page", when) for v in published if (when := parse_datetime(v, offset))]
    modified = [when for v in modified_raw if (when := parse_datetime(v, offset))]
    return dates, modified


def _day(value: object) -> str | None:
    when = parse_datetime(value) if not isinstance(value, datetime) else value
    return when.date().isoformat() if when else None


def _ld_author(ld: list[dict[str, Any]]) -> str | None:
    for obj in ld:
        author = obj.get("author")
        if isinstance(author, list) and author:
            author = author[0]
        if isinstance(author, dict) and author.get("name"):
            return str(author["name"])
        if isinstance(author, str) and author.strip():
            return author.strip()
    return None


def _hints(selector: Selector, ld: list[dict[str, Any]], document: Any) -> dict[str, str]:
    hints: dict[str, str] = {}
    types = sorted({t for obj in ld for t in _types(obj)})
    if types:
        hints["schema_types"] = ",".join(types)
    publishers = [obj.get("publisher") for obj in ld if isinstance(obj.get("publisher"), dict)]
    publisher_types = sorted({t for p in publishers for t in _types(p)})
    if publisher_types:
        hints["publisher_type"] = ",".join(publisher_types)
    site_name = _first(selector, 'meta[property="og:site_name"]::attr(content)') or (
        document.sitename if document is not None else None
    )
    if site_name:
        hints["site_name"] = site_name
    if generator := _first(selector, 'meta[name="generator"]::attr(content)'):
        hints["generator"] = generator
    if canonical := _first(selector, 'link[rel="canonical"]::attr(href)'):
        hints["canonical"] = canonical
    if og_type := _first(selector, 'meta[property="og:type"]::attr(content)'):
        hints["og_type"] = og_type
    return hints
