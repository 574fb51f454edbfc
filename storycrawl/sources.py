"""The sources file: where to look, as data (storycrawl/sources.toml), validated at start.

A bad entry stops the crawl before any request, with a message naming the entry:
`sources file storycrawl/sources.toml: hackernews.hits_per_page: Input should be less than or
equal to 1000`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    create_model,
    field_validator,
)

from storycrawl import registry
from storycrawl.urls import url_problem

DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _web_url(value: str) -> str:
    if value and (problem := url_problem(value)):
        raise ValueError(f"{problem}: {value!r}")
    return value


def _host_name(value: str) -> str:
    if "/" in value or url_problem(f"https://{value}/"):
        raise ValueError(f"not a host name (like mastodon.social): {value!r}")
    return value


# An absolute http(s) URL (`hn.algolia.com/api/v1` without its https:// stops the crawl).
WebUrl = Annotated[NonEmpty, AfterValidator(_web_url)]
# A URL or nothing (an optional feed or sitemap).
OptionalWebUrl = Annotated[str, AfterValidator(_web_url)]
HostName = Annotated[NonEmpty, AfterValidator(_host_name)]


class SourcesError(ValueError):
    """The sources file is missing, unreadable or invalid; the message names the entry."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value.lower() in seen:
            raise ValueError(f"{value!r} is listed twice")
        seen.add(value.lower())
    return values


class HackerNewsConfig(_Section):
    """Algolia HN Search (sources.md §2)."""

    api_url: WebUrl = "https://hn.algolia.com/api/v1"
    queries: list[NonEmpty] = Field(min_length=1)
    tags: NonEmpty = "story"
    hits_per_page: int = Field(100, ge=1, le=1000)
    # Algolia stops at 1000 hits per query whatever the page size.
    max_pages: int = Field(10, ge=1, le=1000)
    min_points: int = Field(0, ge=0)

    _unique_queries = field_validator("queries")(_unique)


class Subreddit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NonEmpty
    enabled: bool = True
    # new: the subreddit's newest posts; search: the configured queries within it.
    listings: list[Literal["new", "search"]] = Field(
        default_factory=lambda: ["new", "search"], min_length=1
    )
    note: str = ""


class RedditConfig(_Section):
    """Reddit's OAuth API, app-only (sources.md §1)."""

    api_url: WebUrl = "https://oauth.reddit.com"
    token_url: WebUrl = "https://www.reddit.com/api/v1/access_token"
    subreddits: list[Subreddit] = Field(min_length=1)
    queries: list[NonEmpty] = Field(default_factory=list)
    page_size: int = Field(100, ge=1, le=100)
    # Listings stop near 1000 items whatever the paging.
    max_pages: int = Field(5, ge=1, le=10)
    include_nsfw: bool = False

    _unique_queries = field_validator("queries")(_unique)


class DevtoConfig(_Section):
    """DEV (Forem API, sources.md §3)."""

    api_url: WebUrl = "https://dev.to/api"
    tags: list[NonEmpty] = Field(min_length=1)
    per_page: int = Field(100, ge=1, le=1000)
    max_pages: int = Field(5, ge=1, le=50)

    _unique_tags = field_validator("tags")(_unique)


class LobstersConfig(_Section):
    """Lobsters JSON by tag (sources.md §4); robots.txt disallows bots: opt in to crawl it."""

    base_url: WebUrl = "https://lobste.rs"
    tags: list[NonEmpty] = Field(min_length=1)
    max_pages: int = Field(3, ge=1, le=20)

    _unique_tags = field_validator("tags")(_unique)


class MastodonInstance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: HostName
    enabled: bool = True
    note: str = ""


class MastodonConfig(_Section):
    """Mastodon hashtag timelines (sources.md §5)."""

    instances: list[MastodonInstance] = Field(min_length=1)
    hashtags: list[NonEmpty] = Field(min_length=1)
    limit: int = Field(40, ge=1, le=40)
    max_pages: int = Field(5, ge=1, le=50)

    _unique_hashtags = field_validator("hashtags")(_unique)


class BlueskyConfig(_Section):
    """Bluesky searchPosts through an app-password session (sources.md §6)."""

    pds_url: WebUrl = "https://bsky.social"
    queries: list[NonEmpty] = Field(min_length=1)
    limit: int = Field(100, ge=1, le=100)
    max_pages: int = Field(5, ge=1, le=50)

    _unique_queries = field_validator("queries")(_unique)


class FeedSite(BaseModel):
    """One blog: its declared type and where its posts are listed."""

    model_config = ConfigDict(extra="forbid")

    name: NonEmpty
    type: Literal["personal", "company"]
    site: WebUrl
    # RSS 2.0, Atom or JSON Feed. Empty: found on the site (<link rel="alternate">).
    feed: OptionalWebUrl = ""
    # Tried in turn when the feed fails (moved feeds, old paths).
    alt_feeds: list[WebUrl] = Field(default_factory=list)
    # The feed URL is a guess by the platform's convention: look on the site first.
    discover: bool = False
    # Fallbacks for blogs without a feed: a sitemap, or an HTML page listing the posts,
    # with a regular expression that post URLs match.
    sitemap: OptionalWebUrl = ""
    listing: OptionalWebUrl = ""
    post_pattern: str = ""
    enabled: bool = True
    note: str = ""

    @field_validator("post_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class FeedsConfig(_Section):
    """Personal and company blogs through their feeds (sources.md §7-8)."""

    # Most recent entries followed per feed (full-archive feeds list hundreds).
    max_entries: int = Field(30, ge=1, le=500)
    sites: list[FeedSite] = Field(min_length=1)


class UrlsConfig(_Section):
    """Pages found by hand (X, LinkedIn, anywhere), listed in a file."""

    # The file `scrapy crawl urls` (and `all`) reads when no `-a file=...` is given.
    file: str = ""
    # Hosts whose pages build their content with JavaScript: rendered in Chromium.
    js_hosts: list[NonEmpty] = Field(default_factory=list)


def sources_file_model() -> type[BaseModel]:
    """The whole file: one optional section per registered source (storycrawl.registry). A
    source without its section cannot run and says so."""
    sections = {info.name: (info.config_model() | None, None) for info in registry.sources()}
    return create_model(
        "SourcesFile", __config__=ConfigDict(extra="forbid"), **sections
    )  # fmt: skip


def _location(error: dict) -> str:
    return ".".join(str(part) for part in error["loc"]) or "(top level)"


def load_sources(path: str | Path | None = None) -> BaseModel:
    """Read and validate a sources file (the shipped one when path is empty)."""
    path = Path(path) if path else DEFAULT_SOURCES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"sources file {path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"sources file {path}: not valid TOML: {exc}") from None
    try:
        return sources_file_model().model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_location(e)}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
        )
        raise SourcesError(f"sources file {path}: {problems}") from None
