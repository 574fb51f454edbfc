"""Algolia HN Search responses (sources.md §2.1) to Posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storycrawl.dates import first_date
from storycrawl.parsers import ParseError, Post, load_json, to_int
from storycrawl.text import html_to_text

HN_ITEM_URL = "https://news.ycombinator.com/item?id={id}"


@dataclass
class SearchPage:
    hits: list[dict[str, Any]]
    page: int
    nb_pages: int
    nb_hits: int


def parse_search_page(body: bytes | str) -> SearchPage:
    """A `search` / `search_by_date` response; ParseError when it is not one."""
    data = load_json(body, content_type="")
    if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
        raise ParseError("no 'hits' list in the response")
    try:
        return SearchPage(
            hits=[h for h in data["hits"] if isinstance(h, dict)],
            page=int(data.get("page", 0)),
            nb_pages=int(data.get("nbPages", 0)),
            nb_hits=int(data.get("nbHits", 0)),
        )
    except (TypeError, ValueError) as exc:
        raise ParseError(f"bad paging fields: {exc}") from None


def post_from_hit(hit: dict[str, Any]) -> Post | None:
    """A story hit as a Post; None for hits that are not stories (comments, no id, no title)."""
    object_id = str(hit.get("objectID") or "").strip()
    title = (hit.get("title") or "").strip()
    if not object_id or not title:
        return None
    tags = hit.get("_tags") or []
    url = (hit.get("url") or "").strip() or None
    kind = "ask_hn" if "ask_hn" in tags else "show_hn" if "show_hn" in tags else "story"
    return Post(
        source="hackernews",
        id=object_id,
        url=HN_ITEM_URL.format(id=object_id),
        title=title,
        author=hit.get("author"),
        published=first_date(hit.get("created_at_i"), hit.get("created_at")),
        text=html_to_text(hit.get("story_text")),
        link=url,
        points=to_int(hit.get("points")),
        comments=to_int(hit.get("num_comments")),
        site="hackernews",
        hints={"hn_kind": kind, "post_type": "link" if url else "text"},
    )
