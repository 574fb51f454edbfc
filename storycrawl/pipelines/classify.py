"""classify: role and first-hand (plus summary and codebook labels) from the configured classifier.

STORYCRAWL_CLASSIFIER picks it: `heuristic` (default, offline), `llm` (any OpenAI-compatible
server), or `auto` (the LLM when OPENAI_API_KEY or OPENAI_BASE_URL is set). The LLM's calls run
concurrently (STORYCRAWL_LLM_CONCURRENCY) while the crawl goes on; its ledger of calls and tokens
goes to the stats and, at the end, to the `llm_usage` table.
"""

from __future__ import annotations

import logging

from storycrawl.classify.base import get_classifier
from storycrawl.config import crawl_config
from storycrawl.db import utcnow_iso
from storycrawl.items import StoryItem
from storycrawl.pipelines import StoreStage, document_of

logger = logging.getLogger(__name__)


class ClassifyPipeline(StoreStage):
    stage = "classify"

    def __init__(self, crawler, store):
        super().__init__(crawler, store)
        name = crawl_config(crawler).classifier
        self.classifier = get_classifier(name, crawler.settings, store=store, stats=crawler.stats)
        logger.info("Classifying with the %s classifier", self.classifier.name)

    async def process_item(self, item: StoryItem) -> StoryItem:
        doc = document_of(item)
        aclassify = getattr(self.classifier, "aclassify", None)
        result = await aclassify(doc) if aclassify is not None else self.classifier.classify(doc)
        item.role = result.role
        item.is_first_hand = result.is_first_hand
        item.is_job_posting = result.is_job_posting
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

    async def close_spider(self) -> None:
        ledger = getattr(self.classifier, "ledger", None)
        if ledger is None:
            return
        config = self.classifier.config
        cost = ledger.cost(config)
        if cost is not None:
            self.crawler.stats.set_value("storycrawl/llm/estimated_cost", cost)
        self.store.record_llm_usage(
            {
                "run_id": self.crawler.stats.get_value("storycrawl/run_id") or "",
                "model": ledger.model,
                "base_url": config.shown_base_url,  # without keys or userinfo
                "calls": ledger.calls,
                "cache_hits": ledger.cache_hits,
                "prompt_tokens": ledger.prompt_tokens,
                "completion_tokens": ledger.completion_tokens,
                "estimated_cost": cost,
                "skipped": dict(ledger.skipped),
                "failures": dict(ledger.failures),
                "fallbacks": dict(ledger.fallbacks),
                "recorded_at": utcnow_iso(),
            }
        )
        logger.info(
            "LLM %s: %d calls, %d cached, %d prompt + %d completion tokens, %d fallbacks",
            ledger.model, ledger.calls, ledger.cache_hits, ledger.prompt_tokens, ledger.completion_tokens,
            sum(ledger.fallbacks.values()),
        )  # fmt: skip
        await self.classifier.close()
