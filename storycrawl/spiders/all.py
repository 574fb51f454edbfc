"""Every enabled source in one crawl: `scrapy crawl all`.

One spider runs all the sources, so the same article reached from Hacker News, a subreddit, a feed
and a Medium cross-post is fetched once and becomes one story carrying all its threads. The
sources are the registry's (storycrawl.registry), in its order. A source that cannot run (no
credentials, robots.txt, no URL file) is skipped with its reason in the log and in the stats
(`storycrawl/source/<name>/skipped_reason`); the others go on. Per-source counts are under
`storycrawl/source/<name>/...`.
"""

from __future__ import annotations

import functools

from storycrawl import registry
from storycrawl.args import UrlFileArgs
from storycrawl.browser import PLAYWRIGHT_HANDLER
from storycrawl.spiders.base import Source, StorySpider


class AllSpider(StorySpider):
    """Stories from every enabled source: `scrapy crawl all [-a since=...] [-a limit=N] [-a file=urls.txt]`."""

    name = "all"
    args_model = UrlFileArgs
    # The urls source may render pages in Chromium; other requests go out the usual way.
    custom_settings = {
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}
    }

    @functools.cached_property
    def sources(self) -> list[Source]:
        """Every registered source, made on first use (see StorySpider.sources)."""
        return [info.source_class()(self) for info in registry.sources()]
