"""Source type (labels.md) on small hand-made pages and URLs: each signal on its own."""

from __future__ import annotations

import pytest

from storycrawl.classify.base import Document
from storycrawl.classify.source_type import source_type

STORY = (
    "We rebuilt the retrieval layer of our support bot this spring. I spent two weeks on chunking and we "
    "wrote evals with an LLM-as-judge; we shipped it in May and hallucinated answers halved. "
)


@pytest.mark.parametrize(
    ("url", "hints", "text", "expected"),
    [
        ("https://news.ycombinator.com/item?id=1", {}, STORY, "social"),
        ("https://hachyderm.io/@dev/115001234567890123", {}, STORY, "social"),
        ("https://engineering.acme.com/rag", {}, STORY, "company"),
        ("https://janedoe.dev/posts/rag", {}, STORY, "personal"),
        ("https://jane.medium.com/rag-1a2b3c4d5e6f", {}, STORY, "personal"),
        ("https://medium.com/acme-engineering/rag-1a2b3c4d5e6f", {}, STORY, "company"),
        ("https://dev.to/acme/rag-1a2b", {"organization": "Acme"}, STORY, "company"),
        ("https://thelatentbuffer.example/p/structured-outputs", {}, STORY, "personal"),
        ("https://www.vectorhold.io/blog/rag", {}, STORY, "company"),
        ("https://www.indiehackers.com/post/our-llm-bill-1a2b3c", {}, STORY, "social"),
        ("https://northwind.example/solutions/document-processing-llm", {}, STORY, "company"),
        ("https://northwind.example/insights/ship-an-llm-feature/", {}, STORY, "company"),
        ("https://brightpathtechnology.example/blog-agents.html", {}, STORY, "company"),
        (
            "https://www.techwire-news.com/2026/agents",
            {},
            "The startup raised $40M, the company said on Tuesday.",
            "company",
        ),
        (
            "https://example.org/x",
            {"source_type": "company", "source_type_reason": "declared"},
            STORY,
            "company",
        ),
    ],
)
def test_source_types(url, hints, text, expected):
    decision = source_type(Document(url=url, title="t", text=text, hints=hints))
    assert decision.value == expected, decision.evidence
