"""Every enabled source in one crawl: `scrapy crawl all`.

One spider runs all the sources, so the same article reached from Hacker News, a subreddit, a feed
and a Medium cross-post is fetched once and becomes one story carrying all its threads. A source
that cannot run (no credentials, robots.txt, no URL file) is skipped with its reason in the log and
in the stats (`storycrawl/source/<name>/skipped_reason`); the others go on. Per-source counts are
under `storycrawl/source/<name>/...`.
"""

from __future__ import annotations

from storycrawl.args import UrlFileArgs
from storycrawl.browser import PLAYWRIGHT_HANDLER
from storycrawl.spiders.base import StorySpider
from storycrawl.spiders.bluesky import BlueskySource
from storycrawl.spiders.devto import DevtoSource
from storycrawl.spiders.feeds import FeedsSource
from storycrawl.spiders.hackernews import HackerNewsSource
from storycrawl.spiders.lobsters import LobstersSource
from storycrawl.spiders.mastodon import MastodonSource
from storycrawl.spiders.reddit import RedditSource
from storycrawl.spiders.urls import UrlsSource


class AllSpider(StorySpider):
    """Stories from every enabled source: `scrapy crawl all [-a since=...] [-a limit=N] [-a file=urls.txt]`."""

    name = "all"
    args_model = UrlFileArgs
    source_classes = (
        HackerNewsSource,
        RedditSource,
        DevtoSource,
        LobstersSource,
        MastodonSource,
        BlueskySource,
        FeedsSource,
        UrlsSource,
    )
    # The urls source may render pages in Chromium; other requests go out the usual way.
    custom_settings = {
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}
    }
