"""classify: role and first-hand (plus codebook labels) from the configured classifier.

STORYCRAWL_CLASSIFIER picks it: `heuristic` (default, offline), `llm`, or `auto`.
"""

from __future__ import annotations

import logging

from storycrawl.classify.base import get_classifier
from storycrawl.items import StoryItem
from storycrawl.pipelines import StoryPipeline, document_of

logger = logging.getLogger(__name__)


class ClassifyPipeline(StoryPipeline):
    stage = "classify"

    def __init__(self, crawler):
        super().__init__(crawler)
        self.classifier = get_classifier(
            crawler.settings.get("STORYCRAWL_CLASSIFIER", "heuristic"), crawler.settings
        )
        logger.info("Classifying with the %s classifier", self.classifier.name)

    def process_item(self, item: StoryItem) -> StoryItem:
        result = self.classifier.classify(document_of(item))
        item.role = result.role
        item.is_first_hand = result.is_first_hand
        item.include = result.include
        item.confidence = result.confidence
        item.evidence = result.evidence
        item.classifier = result.classifier
        item.summary = result.summary
        item.responsibilities = result.responsibilities
        item.tools = result.tools
        item.activities = result.activities
        item.suspicious_instructions = result.suspicious_instructions
        self.count(f"role/{result.role}", item)
        self.count("first_hand" if result.is_first_hand else "not_first_hand", item)
        return item
