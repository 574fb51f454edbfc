"""Lobsters tag listings (sources.md §4) to Posts.

`/t/TAGS.json` and `/t/TAGS/page/N.json` answer a JSON array of stories, newest first, 25 a
page. A story with a `url` links to an article (followed, the Lobsters story kept as its
discussion); one without is a text post whose `description` is the story.
"""

from __future__ import annotations

from typing import Any

from storycrawl.dates import first_date
from storycrawl.parsers import Post, load_json_list, to_int
from storycrawl.text import html_to_text

# StoriesPaginator::STORIES_PER_PAGE: a shorter page is the last one.
STORIES_PER_PAGE = 25


def parse_story_list(body: bytes | str, content_type: str = "application/json") -> list[dict]:
    """A tag listing page: its stories; ParseError when the body is not a JSON array."""
    return load_json_list(body, content_type, "stories")


def post_from_story(story: dict[str, Any], base_url: str = "https://lobste.rs") -> Post | None:
    """A story as a Post; None when it has no short_id or title."""
    short_id = str(story.get("short_id") or "").strip()
    title = str(story.get("title") or "").strip()
    if not short_id or not title:
        return None
    thread = str(story.get("short_id_url") or "").strip() or f"{base_url.rstrip('/')}/s/{short_id}"
    link = str(story.get("url") or "").strip() or None
    tags = [str(t) for t in story.get("tags") or []]
    # The submitter wrote the linked article (or the text): a first-hand signal.
    user_is_author = "true" if story.get("user_is_author") is True else "false"
    return Post(
        source="lobsters",
        id=short_id,
        url=thread,
        title=title,
        author=_submitter(story.get("submitter_user")),
        # Rails sends US Central time with its offset (-05:00 / -06:00); first_date gives UTC.
        published=first_date(story.get("created_at")),
        text=html_to_text(story.get("description")),
        link=link,
        points=to_int(story.get("score")),
        comments=to_int(story.get("comment_count")),
        site="lobsters",
        hints={
            "post_type": "link" if link else "text",
            "user_is_author": user_is_author,
            "lobsters_tags": ",".join(tags),
        },
        # It says who wrote the article, so it travels with the article's story too.
        article_hints={"user_is_author": user_is_author} if link else {},
    )


def _submitter(value: Any) -> str | None:
    # A username string since 2024-03; a user object before that.
    if isinstance(value, dict):
        value = value.get("username")
    name = str(value or "").strip()
    return name or None
