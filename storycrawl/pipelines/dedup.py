"""dedup: one story per article, carrying every thread that shared it.

A candidate is the same story as one already collected when it has the same canonical URL, when
its page declares that story's URL as its canonical (a DEV or Medium cross-post of a blog post),
or when its text has (nearly) the same fingerprint (a cross-post under another URL).

- Same story earlier in this crawl: its threads (and an earlier date) are merged into the first
  item while that is still in the pipelines, and into its stored row; this one is DuplicateStory.
- Same story under another URL stored by an earlier crawl: merged into that row; DuplicateStory.
- Same URL stored by an earlier crawl: threads merged into the row, the item stops here as
  AlreadyStored (not a rejection: the story is in the database), so a re-run changes nothing
  and classifies nothing again.

Every lookup is indexed (URL, declared canonical URL, fingerprint bands), so the cost per story
does not grow with the database. Only the items still in the pipelines are held in memory; of
the others the crawl keeps their URL.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals

from storycrawl.db import merge_discussions
from storycrawl.exceptions import AlreadyStored, DuplicateStory
from storycrawl.items import Discussion, StoryItem
from storycrawl.pipelines import StoreStage
from storycrawl.text import same_text
from storycrawl.urls import canonical_url


class DedupPipeline(StoreStage):
    stage = "dedup"

    def __init__(self, crawler, store):
        super().__init__(crawler, store)
        # Items past dedup and not yet out of the pipelines, by URL; their fingerprints.
        self.in_flight: dict[str, StoryItem] = {}
        self.in_flight_prints: dict[str, int] = {}
        # URLs this crawl has passed on (stored, or rejected by a later stage).
        self.seen: set[str] = set()
        crawler.signals.connect(self._left, signal=signals.item_scraped)
        crawler.signals.connect(self._left, signal=signals.item_dropped)

    def _left(self, item: Any, **kwargs: Any) -> None:
        url = getattr(item, "url", None)
        if url is not None and self.in_flight.get(url) is item:
            del self.in_flight[url]
            self.in_flight_prints.pop(url, None)

    def process_item(self, item: StoryItem) -> StoryItem:
        target, how = self._same_story(item)
        if target is not None:
            first = self.in_flight.get(target)
            if first is not None:
                self._merge_into(first, item)
            self.store.add_discussions(target, item.discussions, item.source, item.published)
            self.count(f"duplicate/{how}", item)
            raise DuplicateStory(
                f"{item.url}: the same story as {target} ({how})",
                evidence=f"{how}: {target}",
            )
        self.seen.add(item.url)
        if self.store.add_discussions(item.url, item.discussions, item.source, item.published):
            self.count("seen_in_db", item)
            raise AlreadyStored(f"{item.url}: stored by an earlier crawl; discussions merged")
        self.in_flight[item.url] = item
        if item.fingerprint:
            self.in_flight_prints[item.url] = int(item.fingerprint, 16)
        self.count("new", item)
        return item

    def _same_story(self, item: StoryItem) -> tuple[str | None, str]:
        """The URL of the story this one repeats (of this crawl, or stored), and how we know."""
        if item.url in self.seen:
            return item.url, "same canonical URL"
        declared = item.hints.get("canonical")
        if declared:
            target = canonical_url(declared)
            if target != item.url and (target in self.seen or self.store.has_story(target)):
                return target, "the page declares it as its canonical URL"
        if item.fingerprint:
            value = int(item.fingerprint, 16)
            for url, other in self.in_flight_prints.items():
                if url != item.url and same_text(value, other):
                    return url, "same text under another URL"
            if (url := self.store.near_duplicate(value, item.url)) is not None:
                return url, "same text under another URL"
        return None, ""

    @staticmethod
    def _merge_into(first: StoryItem, other: StoryItem) -> None:
        merged = merge_discussions(
            [d.model_dump(mode="json") for d in first.discussions],
            [d.model_dump(mode="json") for d in other.discussions],
        )
        first.discussions = [Discussion.model_validate(d) for d in merged]
        if other.published and (first.published is None or other.published < first.published):
            first.published = other.published
