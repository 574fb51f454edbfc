"""What the LLM classifier spends and keeps: the run's ledger (calls, cache hits, tokens, failures)
and the cache of validated answers in SQLite."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from storycrawl.classify.llm_answer import PROMPT_VERSION, LlmLabels
from storycrawl.classify.llm_config import LlmConfig


@dataclass
class Ledger:
    """Calls, cache hits, tokens and failures of one run."""

    model: str
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    skipped: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)
    wall_seconds: float = 0.0

    def cost(self, config: LlmConfig) -> float | None:
        if config.price_input is None or config.price_output is None:
            return None
        return round(
            self.prompt_tokens / 1e6 * config.price_input
            + self.completion_tokens / 1e6 * config.price_output,
            6,
        )


class LlmCache:
    """Validated answers in the store's `llm_cache` table, keyed by model + prompt version + text."""

    def __init__(self, store: Any):
        self.store = store

    def get(self, key: str) -> LlmLabels | None:
        labels = self.store.llm_answer(key)
        if labels is None:
            return None
        try:
            return LlmLabels.model_validate_json(labels)
        except ValidationError:
            return None

    def put(
        self, key: str, model: str, labels: LlmLabels, prompt_tokens: int, completion_tokens: int
    ) -> None:
        from storycrawl.db import utcnow_iso

        self.store.save_llm_answer(
            {"key": key, "model": model, "prompt_version": PROMPT_VERSION, "labels": labels.model_dump_json(),
             "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "created_at": utcnow_iso()}
        )  # fmt: skip
