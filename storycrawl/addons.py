"""The storycrawl addon: settings that depend on the crawl's configuration, applied after all
settings are known (command line included), so `-s STORYCRAWL_REPLAY=...` can switch the
downloader."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from storycrawl import __version__
from storycrawl.browser import launch_options
from storycrawl.config import StorycrawlConfig, crawl_config

REPLAY_HANDLER = "storycrawl.replay.ReplayDownloadHandler"
# Above the project's settings (20) and a spider's (30), below the command line (40): replay
# needs no politeness delays, yet `-s AUTOTHROTTLE_ENABLED=True` still has the last word.
REPLAY_PRIORITY = 35


class StorycrawlAddon:
    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorycrawlAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        config = (
            crawl_config(self.crawler)
            if self.crawler is not None
            else StorycrawlConfig.from_settings(settings)
        )
        if settings.get("USER_AGENT") == f"storycrawl/{__version__}":
            settings.set(
                "USER_AGENT",
                f"storycrawl/{__version__} (+{config.contact})",
                priority=settings.getpriority("USER_AGENT"),
            )

        # scrapy-playwright reads its launch options from here: Debian's Chromium and our flags.
        settings.set(
            "PLAYWRIGHT_LAUNCH_OPTIONS",
            launch_options(settings),
            priority=settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS"),
        )

        if config.replay is not None:
            handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
            handlers.update({"http": REPLAY_HANDLER, "https": REPLAY_HANDLER})
            settings.set("DOWNLOAD_HANDLERS", handlers, priority=REPLAY_PRIORITY)
            for name, value in {
                "DOWNLOAD_SLOTS": {},
                "AUTOTHROTTLE_ENABLED": False,
                "DOWNLOAD_DELAY": 0,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            }.items():
                if settings.getpriority(name) < REPLAY_PRIORITY:
                    settings.set(name, value, priority=REPLAY_PRIORITY)
