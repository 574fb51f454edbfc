"""source_type: social, personal or company (labels.md), with the evidence for it.

A source's declaration wins (a feed's declared type, a dev.to organisation); otherwise the
host and the page decide (storycrawl.classify.source_type).
"""

from __future__ import annotations

from storycrawl.classify.source_type import source_type
from storycrawl.items import StoryItem
from storycrawl.pipelines import StoryPipeline, document_of


class SourceTypePipeline(StoryPipeline):
    stage = "source_type"

    def process_item(self, item: StoryItem) -> StoryItem:
        if item.source_type is not None and item.source_type_evidence:
            self.count(item.source_type, item)
            return item
        decision = source_type(document_of(item))
        item.source_type = str(decision.value)
        item.source_type_evidence = decision.evidence
        self.count(item.source_type, item)
        return item
