"""Pure parse functions: a saved response or decoded JSON in, plain data out.

Spiders only decide what to request next; everything a test wants to check about a page is
in these functions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storycrawl.items import Discussion
from storycrawl.text import normalize_space


class ParseError(ValueError):
    """A response is not in the format its source documents (malformed JSON, HTML error page)."""


JSON_TYPES = ("application/json", "text/json")
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def load_json(body: bytes | str, content_type: str = "application/json") -> Any:
    """A JSON body; ParseError when it is not JSON (an HTML error page, a truncated answer)."""
    if content_type and content_type not in JSON_TYPES:
        raise ParseError(f"not JSON ({content_type})")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"not JSON: {exc}") from None


def to_int(value: Any) -> int | None:
    """A count from an API field (int, numeric string or null); None when it is not one."""
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def load_json_list(body: bytes | str, content_type: str, what: str) -> list[dict[str, Any]]:
    """A JSON array of objects (`what` names them in the error)."""
    data = load_json(body, content_type)
    if not isinstance(data, list):
        raise ParseError(f"expected a JSON array of {what}, got {type(data).__name__}")
    return [item for item in data if isinstance(item, dict)]


@dataclass
class Post:
    """A post on a social platform: its own story (text post) or a link to one."""

    source: str
    id: str
    url: str
    title: str
    author: str | None
    published: datetime | None
    text: str = ""
    # What dates `published` when it dates a linked page itself (`feed` for a feed entry);
    # None for threads, whose date is when the page was shared.
    date_source: str | None = None
    link: str | None = None
    points: int | None = None
    comments: int | None = None
    site: str = ""
    hints: dict[str, str] = field(default_factory=dict)
    # Hints about the linked article rather than the post (a feed's declared source type).
    article_hints: dict[str, str] = field(default_factory=dict)
    # False for entries of a feed or a URL list: they point at the story but are not threads
    # where it was discussed, so they add no discussion.
    is_thread: bool = True
    # The linked page builds its content with JavaScript: render it in Chromium.
    render_js: bool = False

    @property
    def is_link(self) -> bool:
        return bool(self.link)

    def discussion(self) -> Discussion:
        return Discussion(
            url=self.url,
            site=self.site or self.source,
            title=self.title or None,
            points=self.points,
            comments=self.comments,
            published=self.published,
        )


def describe_other_body(body: bytes | str, content_type: str, expected: str) -> str:
    """What a response is when it is not the `expected` error format, for a log line: an HTML
    page and its title (an edge or proxy answering), or the start of the body."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if "html" in content_type or text.lstrip()[:1] == "<":
        match = _HTML_TITLE.search(text)
        title = normalize_space(match.group(1)) if match else ""
        return f"an HTML page{f' titled {title!r}' if title else ''}, not {expected}"
    snippet = normalize_space(text)[:80]
    return f"a {content_type or 'body'} that is not {expected}" + (
        f": {snippet!r}" if snippet else ""
    )
