"""The storycrawl addon: settings that depend on other settings, applied after all of them
are known (command line included), so `-s STORYCRAWL_REPLAY=...` can switch the downloader."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from storycrawl import __version__
from storycrawl.browser import launch_options
from storycrawl.clock import recording_settings
from storycrawl.db import configured_db_path

REPLAY_HANDLER = "storycrawl.replay.ReplayDownloadHandler"
# Above the project's settings (20) and a spider's (30), below the command line (40): replay
# needs no politeness delays, yet `-s AUTOTHROTTLE_ENABLED=True` still has the last word.
REPLAY_PRIORITY = 35


class StorycrawlAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        settings.set("STORYCRAWL_DB", str(configured_db_path(settings)), priority="cmdline")

        if settings.get("USER_AGENT") == f"storycrawl/{__version__}":
            contact = settings.get("STORYCRAWL_CONTACT")
            settings.set(
                "USER_AGENT",
                f"storycrawl/{__version__} (+{contact})",
                priority=settings.getpriority("USER_AGENT"),
            )

        # scrapy-playwright reads its launch options from here: Debian's Chromium and our flags.
        settings.set(
            "PLAYWRIGHT_LAUNCH_OPTIONS",
            launch_options(settings),
            priority=settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS"),
        )

        if settings.get("STORYCRAWL_REPLAY"):
            # The recording's own settings (placeholder credentials the recorded servers accept,
            # the URL file it answers): below anything the user sets.
            for name, value in recording_settings(settings["STORYCRAWL_REPLAY"]).items():
                if settings.getpriority(name) is None:
                    settings.set(name, value, priority="addon")
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
