"""DEV (Forem API v1, sources.md §3) responses to Posts.

`/api/articles/latest` answers a JSON array of articles without their body, newest first;
`/api/articles/{id}` one article with `body_html` and `body_markdown`. The two disagree on
the tags (forem/forem#4206): in a list `tag_list` is an array and `tags` a comma string, in a
single article `tag_list` is the string and `tags` the array. Every DEV article is the
author's own text on dev.to (a text post); an article published under an organisation is the
organisation's, and `canonical_url` points elsewhere when the article is a cross-post.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import lxml.html
from lxml import etree

from storycrawl.dates import first_date
from storycrawl.parsers import ParseError, Post, load_json, load_json_list, to_int
from storycrawl.text import html_to_text, normalize_space
from storycrawl.urls import host_of

# DEV answers the V0 (beta) API, with a `Warning: 299` header, to requests without it.
API_ACCEPT = "application/vnd.forem.api-v1+json"
DEVTO_HOST = "dev.to"

# The editor's front matter block at the start of `body_markdown` (`---` ... `---`).
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_WORDS = re.compile(r"[\w+#.-]+")


def json_content_type(content_type: str) -> str:
    """The response's type as load_json knows it: the V1 vendor type is JSON too."""
    return "application/json" if content_type.endswith("+json") else content_type


def parse_article_list(body: bytes | str, content_type: str = "application/json") -> list[dict]:
    """A `/api/articles/latest` page: its articles; ParseError when it is not a JSON array."""
    return load_json_list(body, json_content_type(content_type), "articles")


def parse_article(body: bytes | str, content_type: str = "application/json") -> dict[str, Any]:
    """A `/api/articles/{id}` answer; ParseError when it is not one article."""
    data = load_json(body, json_content_type(content_type))
    if not isinstance(data, dict) or data.get("type_of") != "article" or "id" not in data:
        raise ParseError("not an article (no type_of 'article' with an id)")
    return data


def article_tags(article: dict[str, Any]) -> list[str]:
    """The article's tags, lower-case, from either representation (the list/show swap)."""
    for field in ("tag_list", "tags"):
        value = article.get(field)
        if isinstance(value, list):
            return [str(tag).strip().lower() for tag in value if str(tag).strip()]
    for field in ("tag_list", "tags"):
        value = article.get(field)
        if isinstance(value, str) and value.strip():
            return [tag.strip().lower() for tag in value.split(",") if tag.strip()]
    return []


def has_any_tag(article: dict[str, Any], tags: list[str]) -> bool:
    wanted = {tag.lower() for tag in tags}
    return any(tag in wanted for tag in article_tags(article))


def query_words(query: str) -> list[str]:
    """Lower-case words; dots and hyphens count only inside a word ("node.js", "fine-tuning"),
    so a word ending a sentence ("Postgres.") or DEV's cut description ("your...") still matches."""
    words = (word.strip(".-") for word in _WORDS.findall(query.lower()))
    return [word for word in words if word]


def matches_query(article: dict[str, Any], query: str) -> bool:
    """Every word of the query is in the title, the description or the tags."""
    words = query_words(query)
    if not words:
        return False
    title, description = str(article.get("title") or ""), str(article.get("description") or "")
    text = " ".join([title, description, *article_tags(article)])
    found = set(query_words(text))
    return all(word in found for word in words)


def published_of(article: dict[str, Any]) -> datetime | None:
    """`published_at`, else `published_timestamp` (`created_at` is the draft's, not it)."""
    return first_date(article.get("published_at"), article.get("published_timestamp"))


def strip_front_matter(markdown: str) -> str:
    """`body_markdown` without the editor's `---` front matter block."""
    return _FRONT_MATTER.sub("", markdown, count=1).strip()


def body_text(article: dict[str, Any]) -> str:
    """Plain text of the article body: `body_html` without DEV's code-block buttons, else
    `body_markdown` without its front matter."""
    html = article.get("body_html")
    if isinstance(html, str) and html.strip():
        text = html_to_text(_without_code_panels(html))
        if text:
            return text
    markdown = article.get("body_markdown")
    if isinstance(markdown, str):
        return normalize_space(strip_front_matter(markdown))
    return ""


def _without_code_panels(html: str) -> str:
    """DEV appends a panel of icon buttons to every code block ("Enter fullscreen mode",
    "Exit fullscreen mode"); they are not the author's words."""
    if "highlight__panel" not in html:
        return html
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html
    for panel in root.xpath('.//div[contains(@class, "highlight__panel")]'):
        panel.drop_tree()
    return etree.tostring(root, encoding="unicode", method="html")


def canonical_elsewhere(article: dict[str, Any]) -> str | None:
    """`canonical_url` when it points off dev.to (a cross-post of the author's own blog);
    DEV fills it with the article's own URL otherwise."""
    canonical = str(article.get("canonical_url") or "").strip()
    if not canonical.startswith(("http://", "https://")):
        return None
    host = host_of(canonical)
    if host == DEVTO_HOST or host.endswith("." + DEVTO_HOST):
        return None
    return canonical


def _first_count(article: dict[str, Any], *fields: str) -> int | None:
    return next((n for f in fields if (n := to_int(article.get(f))) is not None), None)


def post_from_article(article: dict[str, Any]) -> Post | None:
    """An article (from a list or on its own) as a text Post; None without id, URL or title.

    A listed article has no body: its Post has no text (enough for a failed fetch's record).
    """
    article_id = str(article.get("id") or "").strip()
    url = str(article.get("url") or "").strip()
    title = str(article.get("title") or "").strip()
    if not article_id or not url or not title:
        return None
    user = article.get("user") if isinstance(article.get("user"), dict) else {}
    organization = (
        article.get("organization") if isinstance(article.get("organization"), dict) else None
    )
    tags = article_tags(article)
    hints = {"post_type": "text", "devto_tags": ",".join(tags)}
    if organization and str(organization.get("name") or "").strip():
        # The source_type stage reads it: an organisation's post is `company`.
        hints["organization"] = str(organization["name"]).strip()
    if canonical := canonical_elsewhere(article):
        hints["canonical"] = canonical
    return Post(
        source="devto",
        id=article_id,
        url=url,
        title=title,
        author=(str(user.get("name") or "").strip() or str(user.get("username") or "") or None),
        published=published_of(article),
        text=body_text(article),
        link=None,
        # Older list items carry only `positive_reactions_count`.
        points=_first_count(article, "public_reactions_count", "positive_reactions_count"),
        comments=to_int(article.get("comments_count")),
        site="dev.to",
        hints=hints,
    )
