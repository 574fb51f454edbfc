"""store: upsert every classified candidate into the `stories` table (sqlite-utils).

Included or not: a later `scrapy reclassify` can re-label the stored text without a re-crawl.
An unchanged story is not rewritten, so a re-run changes nothing.
"""

from __future__ import annotations

from storycrawl.items import StoryItem
from storycrawl.pipelines import StoreStage


class StorePipeline(StoreStage):
    stage = "store"

    def process_item(self, item: StoryItem) -> StoryItem:
        self.store.upsert_story(item)
        self.count("stored", item)
        return item
