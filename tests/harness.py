"""One way for tests to run a crawl: in this process, on the reactor pytest-twisted runs.

`crawl_in_process("devto", out_dir)` is `scrapy crawl devto -s STORYCRAWL_REPLAY=tests/fixtures/web
-s STORYCRAWL_DB=<out_dir>/storycrawl.db` without the subprocess: the project's settings and
addon, the spider loaded by name, the real engine, downloader, pipelines and extensions. The
environment a user may have set (STORYCRAWL_*, OPENAI_*, every source's credentials) is hidden during the
crawl, as the subprocess tests did. Items are collected through Scrapy's signals; then the store
is read back. The `replayed` fixture (conftest.py) caches one crawl per set of arguments for the
whole session, so a source's own tests and the manifest checks share it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest_twisted
from scrapy import signals
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler

from storycrawl import registry
from storycrawl.config import crawl_config
from storycrawl.db import StoryStore
from tests.utils import WEB, project_settings_dict

# Scrapy's own LOG_FORMAT, so tests read the lines a user would see in the terminal.
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
HIDDEN_ENV_PREFIXES = ("STORYCRAWL_", "OPENAI_")


@contextmanager
def environment(overrides: dict[str, str] | None = None) -> Iterator[None]:
    """The process environment without the user's storycrawl settings and credentials, plus
    `overrides`, for the duration of a crawl."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(HIDDEN_ENV_PREFIXES) or name in registry.credentials():
            del os.environ[name]
    os.environ.update(overrides or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class _LogLines(logging.Handler):
    def __init__(self, level: int):
        super().__init__(level)
        self.setFormatter(logging.Formatter(LOG_FORMAT))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def captured_log(level: str) -> Iterator[list[str]]:
    """Every log line of the crawl at `level` and above (its LOG_LEVEL), as the terminal shows it."""
    handler = _LogLines(logging.getLevelName(level))
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(handler.level)
    root.addHandler(handler)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def spider_class(name: str, settings: dict[str, Any]) -> type:
    """The spider `scrapy crawl NAME` would run with these settings."""
    return SpiderLoader.from_settings(Settings(settings)).load(name)


async def crawl_async(
    spider: str,
    out: Path,
    *,
    settings: dict[str, Any] | None = None,
    args: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    replay: bool = True,
) -> dict[str, Any]:
    """Run one crawl to its end and read back what it stored (see crawl_in_process)."""
    out.mkdir(parents=True, exist_ok=True)
    base = {"STORYCRAWL_DB": str(out / "storycrawl.db")}
    if replay:
        base["STORYCRAWL_REPLAY"] = str(WEB)
    values = project_settings_dict(**{**base, **(settings or {})})
    items: list[Any] = []
    dropped: list[tuple[Any, Exception]] = []

    def scraped(item: Any) -> None:
        items.append(item)

    def rejected(item: Any, exception: Exception) -> None:
        dropped.append((item, exception))

    with environment(env), captured_log(values["LOG_LEVEL"]) as log:
        crawler = get_crawler(spider_class(spider, values), values)
        crawler.signals.connect(scraped, signal=signals.item_scraped)
        crawler.signals.connect(rejected, signal=signals.item_dropped)
        await crawler.crawl_async(**(args or {}))
    return read_back(crawl_config(crawler).db_path, log, items, dropped, out)


def read_back(
    db_path: str | Path, log: list[str], items: list[Any], dropped: list, out: Path
) -> dict[str, Any]:
    db = StoryStore(db_path)
    try:
        runs = list(db.runs.rows)
        return {
            "dir": out,
            "db_path": Path(db_path),
            "log": "\n".join(log),
            "items": items,
            "dropped": dropped,
            "runs": runs,
            "run": runs[-1],
            "stats": json.loads(runs[-1]["stats"]),
            "stories": {s["url"]: s for s in db.iter_stories()},
            "rejections": list(db.rejections.rows),
        }
    finally:
        db.close()


def crawl_in_process(spider: str, out: Path, **options: Any) -> dict[str, Any]:
    """`scrapy crawl SPIDER` against the recorded web, in this process, waited for.

    Returns what a test reads: `log` (the terminal's lines), `items` and `dropped` (through
    signals), `stats`, `run` / `runs`, `stories` (by URL) and `rejections` from the database at
    `db_path`, and `dir` (out). Options: `settings` (like `-s`), `args` (like `-a`), `env` (set
    during the crawl), `replay=False` for a crawl of a loopback server.
    """
    return pytest_twisted.blockon(deferred_from_coro(crawl_async(spider, out, **options)))
