"""Rule-based labels on small hand-made pages: job postings of every shape."""

from __future__ import annotations

import pytest

from storycrawl.classify.base import Document
from storycrawl.classify.rules import job_posting

STORY = (
    "We rebuilt the retrieval layer of our support bot this spring. I spent two weeks on chunking and we "
    "wrote evals with an LLM-as-judge; we shipped it in May and hallucinated answers halved. "
)


@pytest.mark.parametrize(
    ("title", "text", "url"),
    [
        (
            "Hiring: AI engineer for our RAG stack",
            "We're hiring an AI engineer to own our RAG stack. Remote EU, €90-110k. DM me.",
            "https://x.com/a/status/1",
        ),
        (
            "Re: Ask HN: Who is hiring? (December 2026)",
            "Parcelwise | AI Engineer | Remote (US) | Full-time | $160k-$200k\nWe build routing for couriers. Email us at jobs@parcelwise.example",
            "https://news.ycombinator.com/item?id=1",
        ),
        (
            "[For Hire] AI engineer, 4 years of RAG and agents",
            "Open to remote contract work. Built RAG systems for two fintechs. My CV: example.com/cv",
            "https://reddit.com/r/forhire/comments/x/y/",
        ),
        (
            "AI Engineer salaries 2026: what 1,200 engineers earn",
            "Median base salary for AI engineers rose 9% this year; total comp: $210k at the median.",
            "https://levelsish.example.com/ai-2026",
        ),
        (
            "AI Engineer, Agents",
            "About the role\nYou will build agents.\n\nRequirements:\n- 3+ years of experience with Python\n\nApply now.",
            "https://acme.example.com/careers/ai-engineer",
        ),
        ("Senior AI Engineer", "Join the team", "https://jobs.ashbyhq.com/acme/123"),
    ],
)
def test_job_postings_of_every_shape(title, text, url):
    decision = job_posting(Document(url=url, title=title, text=text))
    assert decision.value is True, decision.evidence


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "How we rebuilt our support bot's retrieval",
            STORY * 4 + "We're hiring! Apply at acme.dev/careers.",
        ),
        (
            "Six AI engineering interviews in a month: what I was asked",
            "I interviewed at six companies for AI engineer roles. " + STORY * 3,
        ),
    ],
)
def test_stories_that_mention_hiring_are_not_postings(title, text):
    decision = job_posting(Document(url="https://jane.dev/post", title=title, text=text))
    assert decision.value is False, decision.evidence
