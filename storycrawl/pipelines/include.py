"""include: only stories for the report go on to feed exports (`-O stories.json`).

The others are already stored with their labels; here they are recorded as rejections with
the reason: not an own account (NotFirstHand), else the author's role (NotAIEngineer).
"""

from __future__ import annotations

from storycrawl.exceptions import NotAIEngineer, NotFirstHand, exclusion
from storycrawl.items import StoryItem
from storycrawl.pipelines import StoryPipeline


class IncludePipeline(StoryPipeline):
    stage = "include"

    def process_item(self, item: StoryItem) -> StoryItem:
        if item.include:
            self.count("included", item)
            return item
        if exclusion(item.role, item.is_first_hand) is NotAIEngineer:
            self.count(f"role/{item.role}", item)
            raise NotAIEngineer(
                f"{item.url}: written by a {item.role}, not an AI engineer",
                evidence=item.evidence or "",
                detail=item.role,
            )
        self.count("not_first_hand", item)
        raise NotFirstHand(f"{item.url}: not a first-hand account", evidence=item.evidence or "")
