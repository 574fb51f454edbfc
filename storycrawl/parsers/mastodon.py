"""Mastodon hashtag timelines (sources.md §5) to Posts.

`GET /api/v1/timelines/tag/:hashtag` answers a JSON array of Status entities, newest first;
the next (older) page is the `Link` header's `rel="next"` URL.

Link post or social story: a toot that shares an article is usually a sentence and a link
("Wrote up how we halved our RAG latency: <link> #RAG"); a toot that tells the story itself
fills most of its 500 characters. So a status whose preview card is an article
(`card.type == "link"`) and whose own words (links, mentions and hashtags left out) are under
LINK_POST_MAX_CHARS is a link post, followed to the article with the status as its
discussion; every other status is a social story of its own.
"""

from __future__ import annotations

import json
import re
from typing import Any

from storycrawl.dates import first_date
from storycrawl.parsers import Post, load_json_list, to_int
from storycrawl.text import html_to_text
from storycrawl.urls import url_problem

# 40% of Mastodon's default 500-character limit: a sentence or two pointing at the article.
LINK_POST_MAX_CHARS = 200

# Links, mentions and hashtags are all <a> elements in `content`; Mastodon never nests them.
_ANCHOR = re.compile(r"<a\b[^>]*>.*?</a>", re.IGNORECASE | re.DOTALL)
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)


def parse_timeline(body: bytes | str, content_type: str = "application/json") -> list[dict]:
    """A timeline page: its statuses; ParseError when the body is not a JSON array."""
    return load_json_list(body, content_type, "statuses")


def error_message(body: bytes | str) -> str | None:
    """The `error` of a Mastodon error body (`{"error": "Record not found"}`), if it is one."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return str(error) if error else None


def next_page_url(link_header: bytes | str | None) -> str | None:
    """The `rel="next"` URL of a Link header (older statuses), or None (also for a malformed
    one: the paging stops there, the page already read stands)."""
    if not link_header:
        return None
    text = link_header.decode("latin-1") if isinstance(link_header, bytes) else link_header
    match = _LINK_NEXT.search(text)
    url = match.group(1).strip() if match else None
    return url if url and url_problem(url) is None else None


def original_status(status: dict[str, Any]) -> dict[str, Any]:
    """The reblogged status of a reblog wrapper; the status itself otherwise."""
    inner = status.get("reblog")
    return inner if isinstance(inner, dict) else status


def is_bot(status: dict[str, Any]) -> bool:
    account = status.get("account")
    return isinstance(account, dict) and account.get("bot") is True


def own_text(content: str | None) -> str:
    """The toot's own words: its text without links, mentions and hashtags."""
    return html_to_text(_ANCHOR.sub(" ", content or ""))


def article_card_url(status: dict[str, Any]) -> str | None:
    """The URL of the status's preview card when it is an article (not a video or photo)."""
    card = status.get("card")
    if not isinstance(card, dict) or card.get("type") != "link":
        return None
    url = str(card.get("url") or "").strip()
    return url if url.startswith(("http://", "https://")) else None


def post_from_status(status: dict[str, Any], host: str) -> Post | None:
    """A status (not a reblog wrapper: see original_status) as a Post from instance `host`;
    None when it has no `uri` or page URL."""
    uri = str(status.get("uri") or "").strip()
    url = str(status.get("url") or "").strip() or uri  # url is null for some remote posts
    if not uri or not url:
        return None
    content = status.get("content") or ""
    card_url = article_card_url(status)
    is_link = card_url is not None and len(own_text(content)) < LINK_POST_MAX_CHARS
    card = status.get("card") if isinstance(status.get("card"), dict) else {}
    tags = [str(t.get("name")) for t in status.get("tags") or [] if isinstance(t, dict)]
    hints = {
        "post_type": "link" if is_link else "text",
        "mastodon_instance": host,
        "hashtags": ",".join(tags),
        "language": str(status.get("language") or ""),
        "reblogs": str(to_int(status.get("reblogs_count")) or 0),
    }
    if card_url and not is_link:
        hints["card_url"] = card_url
    if status.get("spoiler_text"):
        hints["spoiler_text"] = str(status["spoiler_text"])
    return Post(
        source="mastodon",
        id=uri,  # the ActivityPub id: the same status on every instance
        url=url,
        # A social story's title is its first line (the normalize stage); a link post's is
        # the article's, from its preview card until the article is read.
        title=str(card.get("title") or "").strip() if is_link else "",
        author=_acct(status.get("account"), host),
        published=first_date(status.get("created_at")),
        text=html_to_text(content),
        link=card_url if is_link else None,
        points=to_int(status.get("favourites_count")),
        comments=to_int(status.get("replies_count")),
        site=f"mastodon {host}",
        hints=hints,
    )


def _acct(account: Any, host: str) -> str | None:
    """`user@domain` for every author (`acct` is a bare `user` for the instance's own users)."""
    if not isinstance(account, dict):
        return None
    acct = str(account.get("acct") or "").strip()
    if not acct:
        return None
    return acct if "@" in acct else f"{acct}@{host}"
