"""The source registry: every source storycrawl can crawl, described once.

From it come `scrapy crawl all`'s sources, the sources file's sections (storycrawl.sources),
DOWNLOAD_SLOTS (settings.py), the report's platform names, which sources' text posts are social
(classify/source_type.py), and the checklist tests/test_checklist.py walks. The Source class and
the config model are named by import path, so reading the registry imports no crawling code.

A source outside the package registers itself when its module is imported:
`register(SourceInfo(name="mine", display_name="Mine", source="pkg.spiders.MineSource",
config="pkg.spiders.MineConfig"))`, with the module in SPIDER_MODULES so Scrapy imports it.
See docs/adding-a-source.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy.utils.misc import load_object


@dataclass(frozen=True)
class Slot:
    """How politely one API host is asked: parallel requests and the least delay (seconds)."""

    concurrency: int
    delay: float

    def setting(self) -> dict[str, Any]:
        return {"concurrency": self.concurrency, "delay": self.delay}


@dataclass(frozen=True)
class SourceInfo:
    name: str  # `scrapy crawl <name>`, the sources file's [<name>] section, stats and rows
    display_name: str  # what the report calls the platform
    source: str  # import path of its storycrawl.spiders.base.Source subclass
    config: str  # import path of its sources-file section model (a pydantic model)
    # Its text posts (no link out) are posts on a social platform, not articles.
    social_text_posts: bool = False
    # API hosts and their rate limits (sources.md §9).
    download_slots: Mapping[str, Slot] = field(default_factory=dict)
    # Settings or environment variables it cannot run without (placeholders in recording.toml).
    credentials: tuple[str, ...] = ()
    # Ones it reads when set (an account name, a token for more access).
    optional_credentials: tuple[str, ...] = ()

    def source_class(self) -> type:
        cls = load_object(self.source)
        if getattr(cls, "name", None) != self.name:
            raise TypeError(f"{self.source}.name is {cls.name!r}, registered as {self.name!r}")
        return cls

    def config_model(self) -> type:
        return load_object(self.config)


_SOURCES: dict[str, SourceInfo] = {}


def register(info: SourceInfo) -> SourceInfo:
    """Add a source; registering the same name twice with other details is an error."""
    known = _SOURCES.get(info.name)
    if known is not None and known != info:
        raise ValueError(f"source {info.name!r} is already registered ({known.source})")
    _SOURCES[info.name] = info
    return info


def unregister(name: str) -> None:
    """Remove a source (tests that register one of their own)."""
    _SOURCES.pop(name, None)


def sources() -> tuple[SourceInfo, ...]:
    """Every registered source, in the order `all` runs them."""
    return tuple(_SOURCES.values())


def get(name: str) -> SourceInfo | None:
    return _SOURCES.get(name)


def display_name(name: str) -> str:
    info = _SOURCES.get(name)
    return info.display_name if info else name


def social_sources() -> frozenset[str]:
    return frozenset(info.name for info in _SOURCES.values() if info.social_text_posts)


def download_slots() -> dict[str, dict[str, Any]]:
    """DOWNLOAD_SLOTS for every registered source's API hosts."""
    slots: dict[str, dict[str, Any]] = {}
    for info in _SOURCES.values():
        for host, slot in info.download_slots.items():
            slots[host] = slot.setting()
    return slots


def credentials() -> tuple[str, ...]:
    """Every setting a source reads from the environment when it is not set."""
    names = (n for i in _SOURCES.values() for n in i.credentials + i.optional_credentials)
    return tuple(dict.fromkeys(names))


# Mastodon allows 300 requests per 5 minutes per IP, paging requests stricter: the shipped
# instances get one request a second each.
_MASTODON_SLOT = Slot(1, 1.0)

SHIPPED = (
    SourceInfo(
        name="hackernews",
        display_name="Hacker News",
        source="storycrawl.spiders.hackernews.HackerNewsSource",
        config="storycrawl.sources.HackerNewsConfig",
        social_text_posts=True,
        download_slots={"hn.algolia.com": Slot(2, 0.4)},  # 10,000 requests an hour
    ),
    SourceInfo(
        name="reddit",
        display_name="Reddit",
        source="storycrawl.spiders.reddit.RedditSource",
        config="storycrawl.sources.RedditConfig",
        social_text_posts=True,
        download_slots={"oauth.reddit.com": Slot(1, 0.6)},  # 100 a minute per client
        credentials=("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET"),
        optional_credentials=("REDDIT_USERNAME",),
    ),
    SourceInfo(
        name="devto",
        display_name="DEV",
        source="storycrawl.spiders.devto.DevtoSource",
        config="storycrawl.sources.DevtoConfig",
        download_slots={"dev.to": Slot(1, 0.4)},  # 3 a second
    ),
    SourceInfo(
        name="lobsters",
        display_name="Lobsters",
        source="storycrawl.spiders.lobsters.LobstersSource",
        config="storycrawl.sources.LobstersConfig",
        social_text_posts=True,
        download_slots={"lobste.rs": Slot(1, 2.0)},  # 30 a minute
    ),
    SourceInfo(
        name="mastodon",
        display_name="Mastodon",
        source="storycrawl.spiders.mastodon.MastodonSource",
        config="storycrawl.sources.MastodonConfig",
        social_text_posts=True,
        download_slots=dict.fromkeys(
            ("sigmoid.social", "hachyderm.io", "fosstodon.org", "mastodon.social"), _MASTODON_SLOT
        ),
        optional_credentials=("MASTODON_ACCESS_TOKEN",),
    ),
    SourceInfo(
        name="bluesky",
        display_name="Bluesky",
        source="storycrawl.spiders.bluesky.BlueskySource",
        config="storycrawl.sources.BlueskyConfig",
        social_text_posts=True,
        download_slots={"bsky.social": Slot(2, 0.2)},  # 3,000 per 5 minutes
        credentials=("BSKY_HANDLE", "BSKY_APP_PASSWORD"),
    ),
    SourceInfo(
        name="feeds",
        display_name="feed",
        source="storycrawl.spiders.feeds.FeedsSource",
        config="storycrawl.sources.FeedsConfig",
    ),
    SourceInfo(
        name="urls",
        display_name="URL list",
        source="storycrawl.spiders.urls.UrlsSource",
        config="storycrawl.sources.UrlsConfig",
    ),
)
for shipped in SHIPPED:
    register(shipped)
