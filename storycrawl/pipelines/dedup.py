"""dedup: one story per article, carrying every thread that shared it.

A candidate is the same story as one already collected when it has the same canonical URL, when
its page declares that story's URL as its canonical (a DEV or Medium cross-post of a blog post),
or when its text has (nearly) the same fingerprint (a cross-post under another URL).

- Same story earlier in this crawl: its threads (and an earlier date) are merged into the first
  item, or into its stored row if that is already written; this one is DuplicateStory.
- Same story under another URL stored by an earlier crawl: merged into that row; DuplicateStory.
- Same URL stored by an earlier crawl: threads merged into the row, the item stops here as
  AlreadyStored (not a rejection: the story is in the database), so a re-run changes nothing
  and classifies nothing again.
"""

from __future__ import annotations

from storycrawl.db import merge_discussions
from storycrawl.exceptions import AlreadyStored, DuplicateStory
from storycrawl.extensions import story_db
from storycrawl.items import Discussion, StoryItem
from storycrawl.pipelines import StoryPipeline
from storycrawl.text import same_text
from storycrawl.urls import canonical_url


class DedupPipeline(StoryPipeline):
    stage = "dedup"

    def __init__(self, crawler):
        super().__init__(crawler)
        self.seen: dict[str, StoryItem] = {}
        # (fingerprint, url) of stories of this crawl and of earlier ones.
        self.prints: list[tuple[int, str]] = [
            (int(value, 16), url) for url, value in story_db(crawler).fingerprints()
        ]

    def process_item(self, item: StoryItem) -> StoryItem:
        db = story_db(self.crawler)
        first, how = self._same_story(item)
        if first is not None:
            target = first if isinstance(first, str) else first.url
            if isinstance(first, StoryItem):
                self._merge_into(first, item)
            db.add_discussions(target, item.discussions, item.source, item.published)
            self.count(f"duplicate/{how}", item)
            raise DuplicateStory(
                f"{item.url}: the same story as {target} ({how})",
                evidence=f"{how}: {target}",
            )
        if db.add_discussions(item.url, item.discussions, item.source, item.published):
            self.seen[item.url] = item
            self.count("seen_in_db", item)
            raise AlreadyStored(f"{item.url}: stored by an earlier crawl; discussions merged")
        self.seen[item.url] = item
        if item.fingerprint:
            self.prints.append((int(item.fingerprint, 16), item.url))
        self.count("new", item)
        return item

    def _same_story(self, item: StoryItem) -> tuple[StoryItem | str | None, str]:
        """The story this one repeats (an item of this crawl, or a stored URL), and how we know."""
        if item.url in self.seen:
            return self.seen[item.url], "same canonical URL"
        declared = item.hints.get("canonical")
        if declared:
            target = canonical_url(declared)
            if target != item.url:
                if target in self.seen:
                    return self.seen[target], "the page declares it as its canonical URL"
                if story_db(self.crawler).get_story(target) is not None:
                    return target, "the page declares it as its canonical URL"
        if item.fingerprint:
            value = int(item.fingerprint, 16)
            for other, url in self.prints:
                if url != item.url and same_text(value, other):
                    return self.seen.get(url, url), "same text under another URL"
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
