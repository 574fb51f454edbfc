"""CrawlRecorder: the crawl's bookkeeping in SQLite.

- one `runs` row per crawl (spider, arguments, start, end, finish reason, all stats);
- one `rejections` row per dropped candidate (stage, reason, evidence), so nothing the crawl
  reached is lost from view;
- per-source counters: storycrawl/source/<source>/{included,rejected/<reason>}.

It writes through the crawl's StoryStore (`storycrawl.db.story_store`), given in `from_crawler`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from storycrawl.db import StoryStore, story_store
from storycrawl.exceptions import Rejected
from storycrawl.urls import canonical_url

logger = logging.getLogger(__name__)


class CrawlRecorder:
    def __init__(self, crawler: Crawler, store: StoryStore):
        self.crawler = crawler
        self.store = store
        self.run_id = uuid.uuid4().hex[:16]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRecorder:
        recorder = cls(crawler, story_store(crawler))
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(recorder.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        args = getattr(spider, "args", None)
        arguments = args.model_dump(mode="json") if args is not None else {}
        self.store.start_run(self.run_id, spider.name, arguments)
        self.crawler.stats.set_value("storycrawl/run_id", self.run_id)
        logger.info("Storing stories in %s (run %s)", self.store.path, self.run_id)

    def item_scraped(self, item: Any) -> None:
        source = ItemAdapter(item).get("source") or "unknown"
        self.crawler.stats.inc_value(f"storycrawl/source/{source}/included")
        self.crawler.stats.inc_value("storycrawl/included")

    def item_dropped(self, item: Any, response: Any, exception: DropItem) -> None:
        adapter = ItemAdapter(item)
        source = adapter.get("source") or "unknown"
        if isinstance(exception, Rejected):
            if not exception.recorded:
                return
            stage, reason, detail, evidence = (
                exception.stage,
                exception.reason,
                exception.detail,
                exception.evidence,
            )
        else:
            stage, reason, detail, evidence = "pipeline", "dropped", None, ""
        stats = self.crawler.stats
        stats.inc_value(f"storycrawl/rejected/{reason}")
        stats.inc_value(f"storycrawl/source/{source}/rejected/{reason}")
        if detail:
            stats.inc_value(f"storycrawl/rejected/{reason}/{detail}")
        discussions = adapter.get("discussions") or []
        via = None
        if discussions:
            first = discussions[0]
            via = first.url if hasattr(first, "url") else first.get("url")
        raw_url = adapter.get("url") or via or ""
        self.store.record_rejection(
            url=canonical_url(raw_url) if raw_url else "",
            source=source,
            via=via,
            stage=stage,
            reason=reason,
            detail=detail,
            evidence=evidence,
            message=str(exception),
            title=adapter.get("title") or None,
            published=adapter.get("published")
            if not isinstance(adapter.get("published"), str)
            else None,
            role=adapter.get("role"),
            confidence=adapter.get("confidence"),
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.store.finish_run(self.run_id, reason, self.crawler.stats.get_stats())
