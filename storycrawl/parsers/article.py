"""Article pages (blog posts, engineering blogs): main text and metadata.

trafilatura extracts the text (and title, author, a date); the page's own metadata
(`article:published_time`, JSON-LD `datePublished`) gives the time of day and wins over
trafilatura's date-only guess. JSON-LD types (BlogPosting, JobPosting, Person, Organization)
and the site name go into hints for the jobs and source_type stages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import trafilatura
from parsel import Selector
from scrapy.http import Response, TextResponse

from storycrawl.dates import parse_datetime
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
# trafilatura's date search without its guesses from free text and copyright years, which
# give fake dates (a "© 2024" footer becomes 2024-01-01).
DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass
class Article:
    url: str
    title: str
    text: str
    author: str | None = None
    published: datetime | None = None
    date_source: str | None = None
    lang: str | None = None
    hints: dict[str, str] = field(default_factory=dict)


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
        include_tables=False,
        date_extraction_params=DATE_PARAMS,
    )
    text = normalize_space(document.text or "") if document is not None else ""
    if not text:
        raise ParseError("no article text found in the page")
    if _javascript_shell(selector, text):
        raise ParseError("the page needs JavaScript to show its text (mark it `js` to render it)")
    ld = list(_json_ld_objects(selector))
    published, date_source = _published(selector, ld)
    if published is None and document is not None and document.date:
        published, date_source = parse_datetime(document.date), "page (trafilatura)"
    title = (
        (document.title if document is not None else None) or _first(selector, "title::text") or ""
    )
    author = (document.author if document is not None else None) or _ld_author(ld)
    return Article(
        url=response.url,
        title=normalize_space(title),
        text=text,
        author=author,
        published=published,
        date_source=date_source,
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
        try:
            data = json.loads(script)
        except json.JSONDecodeError:
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


def _types(obj: dict[str, Any]) -> list[str]:
    value = obj.get("@type")
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _published(selector: Selector, ld: list[dict[str, Any]]) -> tuple[datetime | None, str | None]:
    for css in META_DATES:
        if (value := _first(selector, css)) and (when := parse_datetime(value)):
            return when, "page"
    for obj in ld:
        if (value := obj.get("datePublished")) and (when := parse_datetime(value)):
            return when, "page"
    return None, None


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
