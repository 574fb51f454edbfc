"""Item pipelines, one concern each, cheapest first (see ITEM_PIPELINES in settings.py)."""

from __future__ import annotations

from scrapy.crawler import Crawler

from storycrawl.classify.base import Document
from storycrawl.db import StoryStore, story_store
from storycrawl.items import StoryItem


class StoryPipeline:
    """Base of storycrawl's pipelines: keeps the crawler, counts decisions under
    `storycrawl/<stage>/...` and `storycrawl/source/<source>/<stage>/...`."""

    stage = "pipeline"

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def count(self, decision: str, item: StoryItem | None = None, value: int = 1) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"storycrawl/{self.stage}/{decision}", value)
        if item is not None and item.source:
            stats.inc_value(f"storycrawl/source/{item.source}/{self.stage}/{decision}", value)


class StoreStage(StoryPipeline):
    """A pipeline that reads or writes the crawl's StoryStore, given to it in `from_crawler`."""

    def __init__(self, crawler: Crawler, store: StoryStore):
        super().__init__(crawler)
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler, story_store(crawler))


def document_of(item: StoryItem) -> Document:
    """What the classifiers see of a story item."""
    hints = dict(item.hints)
    if item.author and "author" not in hints:
        hints["author"] = item.author
    return Document(
        url=item.url,
        title=item.title,
        text=item.text,
        published=item.published,
        source=item.source,
        site=item.site,
        author=item.author,
        hints=hints,
    )
