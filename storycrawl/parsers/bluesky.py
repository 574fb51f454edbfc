"""Bluesky XRPC responses (sources.md §6) to sessions and Posts.

`com.atproto.server.createSession` / `refreshSession` answer a session (access and refresh
JWTs); `app.bsky.feed.searchPosts` answers `{"cursor"?, "hitsTotal"?, "posts": [postView]}`;
errors are `{"error": "ExpiredToken", "message": "Token has expired"}`, except at the edge,
which answers HTML (a 403 page) where JSON is expected.

Link post or social story: a post is at most 300 graphemes, so a post that shares an article
is a sentence and a link card ("Wrote up how we halved our RAG latency" + card), while a post
that tells the story itself fills most of its 300. A post with a link (its external card, or
a link facet in its text) whose own words (links, mentions and hashtags left out) are under
LINK_POST_MAX_GRAPHEMES is a link post, followed to the article with the post as its
discussion; every other post is a social story of its own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storycrawl.dates import first_date
from storycrawl.parsers import ParseError, Post, describe_other_body, load_json, to_int
from storycrawl.text import normalize_space, visible_text

POST_URL = "https://bsky.app/profile/{actor}/post/{rkey}"
# Two thirds of the 300-grapheme limit: a sentence or two pointing at the article.
LINK_POST_MAX_GRAPHEMES = 200
# Labels that take a post out of every feed (labels.md is about stories, not adult content):
# the moderation service's `!hide` / `!takedown`, and the adult-content labels.
HIDDEN_LABELS = frozenset({"!hide", "!takedown", "porn", "sexual", "nudity", "graphic-media"})
# createdAt is declared by the client; a clock this far ahead of the server's indexedAt is wrong.
CLOCK_SKEW = timedelta(minutes=10)

EXTERNAL_VIEW = "app.bsky.embed.external#view"
EXTERNAL_RECORD = "app.bsky.embed.external"
RECORD_WITH_MEDIA_VIEW = "app.bsky.embed.recordWithMedia#view"
LINK_FACET = "app.bsky.richtext.facet#link"
TAG_FACET = "app.bsky.richtext.facet#tag"
INVALID_HANDLE = "handle.invalid"

_BARE_URL = re.compile(r"\bhttps?://\S+", re.IGNORECASE)


# --- sessions and errors ------------------------------------------------------------------------


@dataclass
class Session:
    """A createSession / refreshSession output. The tokens never appear in a repr or a log."""

    handle: str
    did: str
    access_jwt: str = field(repr=False)
    refresh_jwt: str = field(repr=False)


def parse_session(body: bytes | str, content_type: str = "application/json") -> Session:
    """A session; ParseError when the body is not one (its required fields per the lexicon)."""
    data = load_json(body, content_type)
    if not isinstance(data, dict):
        raise ParseError(f"expected a JSON object, got {type(data).__name__}")
    missing = [
        name
        for name in ("accessJwt", "refreshJwt", "handle", "did")
        if not isinstance(data.get(name), str) or not data[name]
    ]
    if missing:
        raise ParseError(f"no {', '.join(missing)} in the session")
    return Session(
        handle=data["handle"],
        did=data["did"],
        access_jwt=data["accessJwt"],
        refresh_jwt=data["refreshJwt"],
    )


def xrpc_error(body: bytes | str, content_type: str = "application/json") -> str | None:
    """The `error` name of an XRPC error body (`ExpiredToken`, `AuthenticationRequired`...)."""
    try:
        data = load_json(body, content_type)
    except ParseError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return str(error) if error else None


def describe_error_body(body: bytes | str, content_type: str) -> str:
    """What an error response says, for the log: the XRPC error and message, or the kind of
    page it is (the edge answers HTML, not XRPC JSON)."""
    try:
        data = load_json(body, content_type)
    except ParseError:
        data = None
    if isinstance(data, dict) and data.get("error"):
        message = str(data.get("message") or "").strip()
        return f"{data['error']}: {message}" if message else str(data["error"])
    return describe_other_body(body, content_type, "an XRPC error")


# --- search pages -------------------------------------------------------------------------------


@dataclass
class SearchPage:
    posts: list[dict[str, Any]]
    cursor: str | None
    hits_total: int | None


def parse_search_page(body: bytes | str, content_type: str = "application/json") -> SearchPage:
    """A searchPosts response; ParseError when it is not one."""
    data = load_json(body, content_type)
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise ParseError("no 'posts' list in the response")
    cursor = data.get("cursor")
    hits = data.get("hitsTotal")
    return SearchPage(
        posts=[p for p in data["posts"] if isinstance(p, dict)],
        cursor=str(cursor) if cursor not in (None, "") else None,
        hits_total=hits if isinstance(hits, int) else None,
    )


# --- postView -----------------------------------------------------------------------------------


def rkey_of(uri: str) -> str:
    """The record key: the last segment of `at://DID/app.bsky.feed.post/RKEY`."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


def post_web_url(view: dict[str, Any]) -> str | None:
    """The post's page on bsky.app; by DID when the handle does not resolve."""
    uri = str(view.get("uri") or "")
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    if not uri.startswith("at://") or uri.count("/") < 4:
        return None
    handle = str(author.get("handle") or "").strip()
    did = str(author.get("did") or "").strip() or uri.removeprefix("at://").split("/", 1)[0]
    actor = handle if handle and handle != INVALID_HANDLE else did
    return POST_URL.format(actor=actor, rkey=rkey_of(uri))


def hidden_label(view: dict[str, Any]) -> str | None:
    """The label that hides the post (on the post, its record's self-labels, or its author's
    account), if any."""
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    record = view.get("record") if isinstance(view.get("record"), dict) else {}
    self_labels = record.get("labels") if isinstance(record.get("labels"), dict) else {}
    labels = [
        *(view.get("labels") or []),
        *(self_labels.get("values") or []),
        *(author.get("labels") or []),
    ]
    values = [label.get("val") for label in labels if isinstance(label, dict)]
    return next((str(v) for v in values if v in HIDDEN_LABELS), None)


def _external(embed: Any, *types: str) -> dict[str, Any] | None:
    if not isinstance(embed, dict):
        return None
    if embed.get("$type") == RECORD_WITH_MEDIA_VIEW:  # a quote post with a link card
        return _external(embed.get("media"), *types)
    external = embed.get("external")
    if embed.get("$type") in types and isinstance(external, dict):
        return external
    return None


def link_card(view: dict[str, Any]) -> dict[str, Any] | None:
    """The post's external link card: the hydrated view, or the record's own embed."""
    record = view.get("record") if isinstance(view.get("record"), dict) else {}
    card = _external(view.get("embed"), EXTERNAL_VIEW) or _external(
        record.get("embed"), EXTERNAL_RECORD
    )
    url = _web_url(card.get("uri")) if card else None
    return card if url and "//bsky.app/" not in url else None


def _facets(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in record.get("facets") or [] if isinstance(f, dict)]


def _features(facet: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in facet.get("features") or [] if isinstance(f, dict)]


def _web_url(value: Any) -> str | None:
    url = str(value or "").strip()
    return url if url.startswith(("http://", "https://")) else None


def facet_links(record: dict[str, Any]) -> list[str]:
    """The links of the text's link facets, in order (links to other posts left out)."""
    links = []
    for facet in _facets(record):
        for feature in _features(facet):
            url = _web_url(feature.get("uri")) if feature.get("$type") == LINK_FACET else None
            if url and "//bsky.app/" not in url:
                links.append(url)
    return links


def own_text(record: dict[str, Any]) -> str:
    """The post's own words: its text without links, mentions and hashtags.

    Facets index the text by UTF-8 byte offsets (facet.json), so spans are cut from the bytes.
    """
    data = str(record.get("text") or "").encode("utf-8")
    spans = []
    for facet in _facets(record):
        index = facet.get("index") if isinstance(facet.get("index"), dict) else {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data):
            spans.append((start, end))
    kept, position = [], 0
    for start, end in sorted(spans):
        if start >= position:
            kept.append(data[position:start])
            position = end
    kept.append(data[position:])
    text = b" ".join(kept).decode("utf-8", "ignore")
    return normalize_space(_BARE_URL.sub(" ", text))


def graphemes(text: str) -> int:
    """Roughly the user-perceived characters Bluesky's 300 limit counts: combining marks,
    variation selectors and skin tones attach to the character before them, and a zero-width
    joiner joins two emoji into one."""
    count, joined = 0, False
    for ch in text:
        if ch == "\u200d":
            joined = True
            continue
        attached = (
            unicodedata.combining(ch) or ch in "\ufe0e\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"
        )
        if not attached and not joined:
            count += 1
        joined = False
    return count


def published_of(view: dict[str, Any]) -> datetime | None:
    """record.createdAt (declared by the client), or indexedAt when that is unreadable or
    later than the server saw the post (a wrong clock)."""
    record = view.get("record") if isinstance(view.get("record"), dict) else {}
    created = first_date(record.get("createdAt"))
    indexed = first_date(view.get("indexedAt"))
    if created is None or (indexed is not None and created > indexed + CLOCK_SKEW):
        return indexed
    return created


def sort_time(view: dict[str, Any]) -> datetime | None:
    """The search's order (`sortAt`): the earlier of createdAt and indexedAt."""
    record = view.get("record") if isinstance(view.get("record"), dict) else {}
    times = [
        t
        for t in (first_date(record.get("createdAt")), first_date(view.get("indexedAt")))
        if t is not None
    ]
    return min(times) if times else None


def post_from_view(view: dict[str, Any]) -> Post | None:
    """A postView as a Post; None when it has no post URI or record text."""
    url = post_web_url(view)
    record = view.get("record") if isinstance(view.get("record"), dict) else {}
    text = str(record.get("text") or "").strip()
    if url is None or not text:
        return None
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    card = link_card(view)
    links = facet_links(record)
    link = _web_url(card.get("uri")) if card else (links[0] if links else None)
    is_link = link is not None and graphemes(own_text(record)) < LINK_POST_MAX_GRAPHEMES
    tags = [
        str(feature.get("tag"))
        for facet in _facets(record)
        for feature in _features(facet)
        if feature.get("$type") == TAG_FACET and feature.get("tag")
    ]
    hints = {
        "post_type": "link" if is_link else "text",
        "bluesky_handle": str(author.get("handle") or ""),
        "hashtags": ",".join(tags),
        "language": ",".join(str(lang) for lang in record.get("langs") or []),
        "reposts": str(to_int(view.get("repostCount")) or 0),
        "quotes": str(to_int(view.get("quoteCount")) or 0),
    }
    if link and not is_link:
        hints["card_url"] = link
    handle = str(author.get("handle") or "").strip()
    return Post(
        source="bluesky",
        id=str(view["uri"]),  # at://DID/app.bsky.feed.post/RKEY: the same post in every query
        url=url,
        # A social story's title is its first line (the normalize stage); a link post's is
        # the card's, until the article is read.
        title=str(card.get("title") or "").strip() if is_link and card else "",
        # A displayName of only U+200E marks or zero-width spaces shows as nothing: the handle.
        author=visible_text(author.get("displayName"))
        or (handle if handle != INVALID_HANDLE else "")
        or str(author.get("did") or "")
        or None,
        published=published_of(view),
        text=text,
        link=link if is_link else None,
        points=to_int(view.get("likeCount")),
        comments=to_int(view.get("replyCount")),
        site="bluesky",
        hints=hints,
    )
