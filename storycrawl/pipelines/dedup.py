"""dedup: one story per canonical URL, carrying every thread that shared it.

- Same URL earlier in this crawl: its discussions (and an earlier date) are merged into the
  first item, or into its stored row if that is already written; this one is DuplicateStory.
- Same URL stored by an earlier crawl: discussions merged into the row, the item stops here
  as AlreadyStored (not a rejection: the story is in the database), so a re-run changes
  nothing and classifies nothing again.
"""

from __future__ import annotations

from storycrawl.db import merge_discussions
from storycrawl.exceptions import AlreadyStored, DuplicateStory
from storycrawl.extensions import story_db
from storycrawl.items import Discussion, StoryItem
from storycrawl.pipelines import StoryPipeline


class DedupPipeline(StoryPipeline):
    stage = "dedup"

    def __init__(self, crawler):
        super().__init__(crawler)
        self.seen: dict[str, StoryItem] = {}

    def process_item(self, item: StoryItem) -> StoryItem:
        first = self.seen.get(item.url)
        if first is not None:
            self._merge_into(first, item)
            story_db(self.crawler).add_discussions(
                item.url, item.discussions, item.source, item.published
            )
            self.count("duplicate", item)
            raise DuplicateStory(
                f"{item.url}: already collected in this crawl (via {first.source})",
                evidence=f"same canonical URL as the story reached via {first.source}",
            )
        if story_db(self.crawler).add_discussions(
            item.url, item.discussions, item.source, item.published
        ):
            self.seen[item.url] = item
            self.count("seen_in_db", item)
            raise AlreadyStored(f"{item.url}: stored by an earlier crawl; discussions merged")
        self.seen[item.url] = item
        self.count("new", item)
        return item

    @staticmethod
    def _merge_into(first: StoryItem, other: StoryItem) -> None:
        merged = merge_discussions(
            [d.model_dump(mode="json") for d in first.discussions],
            [d.model_dump(mode="json") for d in other.discussions],
        )
        first.discussions = [Discussion.model_validate(d) for d in merged]
        if other.published and (first.published is None or other.published < first.published):
            first.published = other.published
