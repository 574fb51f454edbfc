"""The classifier interface: a Document in, a Classification out (labels.md).

Two implementations share it: `heuristic` (offline, explainable, the default) and `llm`
(any OpenAI-compatible server). The crawl's pipelines, `scrapy classify` and `scrapy
evaluate` all go through `get_classifier`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from storycrawl.items import Role, SourceType


class Document(BaseModel):
    """What a classifier sees of a page."""

    url: str
    title: str = ""
    text: str
    published: datetime | None = None
    source: str | None = None
    site: str | None = None
    author: str | None = None
    # Spider hints: declared feed type, dev.to organisation, JSON-LD types, site name...
    hints: dict[str, str] = Field(default_factory=dict)


class Classification(BaseModel):
    """Every label of labels.md with its confidence and the words that decided it."""

    role: Role
    is_first_hand: bool
    is_job_posting: bool
    source_type: SourceType
    include: bool
    confidence: float = Field(ge=0, le=1)
    evidence: str
    classifier: str
    source_type_evidence: str = ""
    summary: str | None = None
    responsibilities: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    activities: list[str] = Field(default_factory=list)
    suspicious_instructions: bool = False

    @staticmethod
    def decide_include(role: str, is_first_hand: bool, is_job_posting: bool) -> bool:
        """labels.md: a story is in the report only when all three hold."""
        return role == "ai_engineer" and is_first_hand and not is_job_posting


class Classifier(Protocol):
    name: str

    def classify(self, doc: Document) -> Classification: ...


class ClassifierError(RuntimeError):
    """A classifier could not be set up (unknown name, LLM not configured)."""


def get_classifier(
    name: str, settings: Any = None, *, store: Any = None, stats: Any = None
) -> Classifier:
    """`heuristic`, `llm` or `auto` (the LLM when OPENAI_API_KEY or OPENAI_BASE_URL is set,
    else the heuristic). `store` (a StoryStore) holds the LLM's answer cache."""
    from storycrawl.classify.heuristic import HeuristicClassifier
    from storycrawl.classify.llm import LlmClassifier
    from storycrawl.classify.llm_config import LlmConfig, LlmConfigError
    from storycrawl.classify.llm_ledger import LlmCache

    if name == "auto":
        name = "llm" if LlmConfig.configured(settings) else "heuristic"
    if name == "heuristic":
        return HeuristicClassifier()
    if name == "llm":
        try:
            config = LlmConfig.from_settings(settings)
        except LlmConfigError as exc:
            raise ClassifierError(str(exc)) from None
        return LlmClassifier(
            config, cache=LlmCache(store) if store is not None else None, stats=stats
        )
    raise ClassifierError(f"unknown classifier {name!r} (choose heuristic, llm or auto)")


def classify_all(classifier: Classifier, docs: list[Document]) -> list[Classification]:
    """Every document, in order; concurrently when the classifier can (the LLM)."""
    many = getattr(classifier, "classify_many", None)
    if many is not None:
        return asyncio.run(many(docs))
    return [classifier.classify(doc) for doc in docs]
