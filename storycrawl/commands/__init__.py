"""Project commands (COMMANDS_MODULE): `scrapy report`, `scrapy classify`, ... and `scrapy
crawl`, which checks spider arguments and the sources file before any request is made."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.exceptions import UsageError

from storycrawl.classify.base import Classifier, ClassifierError, get_classifier
from storycrawl.config import StorycrawlConfig
from storycrawl.db import StoryStore


def command_classifier(settings: Any, name: str | None) -> tuple[Classifier, StoryStore | None]:
    """The classifier a command asked for; the LLM one caches its answers in the database."""
    config = StorycrawlConfig.from_settings(settings)
    chosen = name or config.classifier
    db = None
    if chosen in ("llm", "auto"):
        db = StoryStore(config.db_path)
    try:
        return get_classifier(chosen, settings, store=db), db
    except ClassifierError as exc:
        if db is not None:
            db.close()
        raise UsageError(str(exc), print_help=False) from None


def report_ledger(classifier: Classifier) -> None:
    """One line on stderr with what an LLM run cost."""
    ledger = getattr(classifier, "ledger", None)
    if ledger is None:
        return
    print(
        f"llm {ledger.model}: {ledger.calls} calls, {ledger.cache_hits} cached, "
        f"{ledger.prompt_tokens} prompt + {ledger.completion_tokens} completion tokens, "
        f"{sum(ledger.fallbacks.values())} heuristic fallbacks",
        file=sys.stderr,
    )
