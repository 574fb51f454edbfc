"""Reddit OAuth API responses (sources.md §1) to tokens and Posts.

`POST /api/v1/access_token` (client credentials) answers `{"access_token", "token_type":
"bearer", "expires_in", "scope"}`; `/r/{sub}/new` and `/r/{sub}/search` answer a Listing,
`{"kind": "Listing", "data": {"after", "before", "dist", "modhash", "children": [{"kind": "t3",
"data": {...}}]}}`. Errors are HTML where JSON is expected (the 403 "Blocked" page, the 429
"Too Many Requests" page, a 401 for a stale token) or small JSON objects
(`{"message": "Forbidden", "error": 403, "reason": "private"}`).

A t3 is a self post (`is_self`: its selftext is the story, a social one) or a link post (its
`url_overridden_by_dest`, else `url`, is the article; the thread is kept as its discussion).
A crosspost stands for its original (`crosspost_parent_list[0]`). `created_utc` dates a post;
`created` is in the server's zone, not UTC.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from storycrawl.dates import first_date, isoformat, parse_datetime
from storycrawl.parsers import ParseError, Post, describe_other_body, load_json, to_int
from storycrawl.text import html_to_text, normalize_space
from storycrawl.urls import host_matches, host_of, url_problem

REDDIT_URL = "https://www.reddit.com"
# Images, videos, galleries and other threads: nothing to read outside Reddit (and
# www.reddit.com's robots.txt disallows crawling it).
REDDIT_HOSTS = frozenset({"reddit.com", "redd.it", "redditmedia.com", "redditstatic.com"})
# Image and video hosts: a link post to one has nothing to read (sources.md §1.5).
MEDIA_HOSTS = frozenset(
    {
        "imgur.com", "youtube.com", "youtu.be", "youtube-nocookie.com", "vimeo.com",
        "gfycat.com", "giphy.com", "tenor.com", "streamable.com", "twitch.tv", "tiktok.com",
        "instagram.com", "flickr.com", "gyazo.com", "prnt.sc", "redgifs.com",
    }
)  # fmt: skip
# Reddit's own guess at what a post links to (`post_hint`): these are not articles.
MEDIA_HINTS = frozenset({"image", "hosted:video", "rich:video"})
MEDIA_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".gif", ".gifv", ".webp", ".avif", ".heic", ".svg",
    ".mp4", ".webm", ".mov", ".m4v", ".mp3",
)  # fmt: skip
# Without raw_json=1 Reddit escapes these three in every string, HTML and markdown alike.
_ESCAPED = re.compile(r"&(?:amp|lt|gt);")
# What a gone post's selftext (and author) reads.
DELETED = "[deleted]"
REMOVED = "[removed]"
# removed_by_category values that mean the author took the post down.
AUTHOR_REMOVALS = frozenset({"deleted", "author"})


# --- tokens and errors ------------------------------------------------------------------------


@dataclass
class Token:
    """An app-only access token. The token never appears in a repr or a log."""

    access_token: str = field(repr=False)
    token_type: str
    expires_in: int
    scope: str


def parse_token(body: bytes | str, content_type: str = "application/json") -> Token:
    """An access_token answer; ParseError when it is not one (an OAuth error says which)."""
    data = load_json(body, content_type)
    if not isinstance(data, dict):
        raise ParseError(f"expected a JSON object, got {type(data).__name__}")
    if data.get("error"):
        # 200 {"error": "unsupported_grant_type"} or {"message": "Unauthorized", "error": 401}
        message = data.get("message") or data.get("error_description") or ""
        raise ParseError(f"no token: {data['error']}{f' ({message})' if message else ''}")
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ParseError("no access_token in the answer")
    token_type = str(data.get("token_type") or "bearer")
    if token_type.lower() != "bearer":
        raise ParseError(f"unexpected token_type {token_type!r}")
    try:
        expires_in = int(data.get("expires_in") or 0)
    except (TypeError, ValueError):
        raise ParseError(f"bad expires_in {data.get('expires_in')!r}") from None
    if expires_in <= 0:
        raise ParseError(f"bad expires_in {data.get('expires_in')!r}")
    return Token(
        access_token=access_token,
        token_type=token_type,
        expires_in=expires_in,
        scope=str(data.get("scope") or ""),
    )


def error_json(body: bytes | str, content_type: str) -> dict[str, Any] | None:
    """Reddit's JSON error object (`{"message", "error", "reason"}`); None for any other body."""
    try:
        data = load_json(body, content_type)
    except ParseError:
        return None
    return data if isinstance(data, dict) else None


def describe_error_body(body: bytes | str, content_type: str) -> str:
    """What an error response says, for the log: Reddit's JSON error, or the kind of page."""
    data = error_json(body, content_type) or {}
    if data.get("message") or data.get("error"):
        parts = [str(data.get("message") or data.get("error"))]
        if data.get("reason"):
            parts.append(f"reason: {data['reason']}")
        return ", ".join(parts)
    return describe_other_body(body, content_type, "a Reddit JSON error")


# A subreddit that answers a listing with one of these answers every other listing the same way.
CLOSED_REASONS = frozenset({"private", "banned", "quarantined", "gold_only", "gated"})


def closed_subreddit(status: int, body: bytes | str, content_type: str) -> str | None:
    """Why a subreddit cannot be listed at all (its error's `reason`, or `not_found` for a 404),
    or None when the error is about this one request (a block page, a rate limit)."""
    data = error_json(body, content_type)
    reason = str(data.get("reason") or "") if data is not None else ""
    if status in (403, 404) and reason in CLOSED_REASONS:
        return reason
    if status == 404 and data is not None:
        return "not_found"
    return None


# --- listings ---------------------------------------------------------------------------------


@dataclass
class Listing:
    children: list[dict[str, Any]]
    after: str | None
    dist: int | None


def parse_listing(body: bytes | str, content_type: str = "application/json") -> Listing:
    """A Listing answer; ParseError when it is not one."""
    data = load_json(body, content_type)
    if not isinstance(data, dict) or data.get("kind") != "Listing":
        kind = data.get("kind") if isinstance(data, dict) else type(data).__name__
        raise ParseError(f"expected a Listing, got {kind!r}")
    inner = data.get("data")
    if not isinstance(inner, dict) or not isinstance(inner.get("children"), list):
        raise ParseError("no 'data.children' list in the Listing")
    after = inner.get("after")
    dist = inner.get("dist")
    return Listing(
        children=[c for c in inner["children"] if isinstance(c, dict)],
        after=str(after) if after else None,
        dist=dist if isinstance(dist, int) else None,
    )


def thing_data(child: dict[str, Any]) -> dict[str, Any] | None:
    """The data of a t3 (post) child; None for other kinds (t1 comments, t5 subreddits)."""
    data = child.get("data")
    if child.get("kind") != "t3" or not isinstance(data, dict):
        return None
    return data


def original_of(data: dict[str, Any]) -> dict[str, Any]:
    """The post a crosspost stands for (its `crosspost_parent_list[0]`); the post otherwise."""
    parents = data.get("crosspost_parent_list")
    if isinstance(parents, list) and parents and isinstance(parents[0], dict):
        return parents[0]
    return data


def created(data: dict[str, Any]) -> datetime | None:
    """`created_utc` (epoch seconds, UTC). `created` is in the server's zone: never used."""
    return first_date(data.get("created_utc"))


def gone(data: dict[str, Any]) -> str | None:
    """Why a post is gone: `deleted` (by its author) or `removed` (by moderators or Reddit);
    None for a live post."""
    category = data.get("removed_by_category")
    selftext = str(data.get("selftext") or "").strip()
    if selftext == DELETED or category in AUTHOR_REMOVALS:
        return "deleted"
    if selftext == REMOVED or category:
        return "removed"
    return None


def permalink_url(data: dict[str, Any]) -> str | None:
    permalink = str(data.get("permalink") or "").strip()
    if not permalink.startswith("/"):
        return None
    return REDDIT_URL + permalink


def article_link(data: dict[str, Any]) -> str | None:
    """Where a link post points (the destination before Reddit's own rewriting), if it is a web
    page outside Reddit."""
    if data.get("is_self"):
        return None
    for key in ("url_overridden_by_dest", "url"):
        url = unescaped(data.get(key)).strip()
        if url.startswith(("http://", "https://")):
            return None if host_matches(host_of(url), REDDIT_HOSTS) else url
    return None


def media_kind(data: dict[str, Any]) -> str | None:
    """What kind of media a link post is (`gallery`, `video`, `image`, or the media host), or
    None for a post with something to read. Reddit marks some itself (`is_gallery`,
    `is_video`, `post_hint`); images and videos on other hosts are told by host or extension."""
    if data.get("is_self"):
        return None
    if data.get("is_gallery") or isinstance(data.get("gallery_data"), dict):
        return "gallery"
    if data.get("is_video") or data.get("post_hint") in ("hosted:video", "rich:video"):
        return "video"
    if data.get("post_hint") in MEDIA_HINTS:
        return "image"
    link = article_link(data)
    if link is None:
        return "reddit"  # an image, video or gallery on Reddit, or another thread
    host = host_of(link)
    if host_matches(host, MEDIA_HOSTS):
        return host
    if url_problem(link) is None and urlsplit(link).path.lower().endswith(MEDIA_EXTENSIONS):
        return "image"
    return None


def is_media(data: dict[str, Any]) -> bool:
    """A link post to an image, a video, a gallery or another thread: nothing to read."""
    return media_kind(data) is not None


def unescaped(value: Any) -> str:
    """A string field as written: Reddit entity-escapes `&`, `<` and `>` in listings fetched
    without raw_json=1 (`Rules &amp; Guidelines`)."""
    text = str(value or "")
    return html.unescape(text) if _ESCAPED.search(text) else text


def selftext_of(data: dict[str, Any]) -> str:
    """The post's text as Reddit renders it (selftext_html), or its markdown when there is no
    HTML. An entity-escaped selftext_html (`&lt;!-- SC_OFF --&gt;&lt;div class="md"&gt;`, a
    listing fetched without raw_json=1) is unescaped first, so no markup reaches the text."""
    markdown = normalize_space(unescaped(data.get("selftext")))
    rendered = str(data.get("selftext_html") or "")
    if rendered.lstrip().startswith("&lt;"):
        rendered = html.unescape(rendered)
    text = html_to_text(rendered)
    return markdown if "<div" in text or "&lt;" in text else text or markdown


def post_from_thing(data: dict[str, Any]) -> Post | None:
    """A t3's data as a Post; None when it has no fullname, title or permalink, or when it is a
    media post (see media_kind)."""
    name = str(data.get("name") or "").strip()
    title = unescaped(data.get("title")).strip()
    url = permalink_url(data)
    if not name.startswith("t3_") or not title or url is None:
        return None
    text = selftext_of(data)
    if is_media(data):
        return None  # an image, video or gallery post: nothing to read
    link = article_link(data)
    subreddit = str(data.get("subreddit") or "").strip()
    author = str(data.get("author") or "").strip()
    hints = {
        "post_type": "link" if link else "text",
        "subreddit": subreddit,
        "reddit_domain": str(data.get("domain") or ""),
        "flair": str(data.get("link_flair_text") or ""),
        "upvote_ratio": str(data.get("upvote_ratio") or ""),
    }
    if data.get("stickied"):
        hints["stickied"] = "true"
    # `edited` is false, or when the post was last edited (epoch seconds).
    edited = parse_datetime(data.get("edited")) if data.get("edited") else None
    if edited is not None:
        hints["edited"] = isoformat(edited) or ""
    return Post(
        source="reddit",
        id=name,
        url=url,
        title=title,
        author=author if author and author != DELETED else None,
        published=created(data),
        text=text,
        link=link,
        points=to_int(data.get("score")),
        comments=to_int(data.get("num_comments")),
        site=f"reddit r/{subreddit}" if subreddit else "reddit",
        hints=hints,
    )
