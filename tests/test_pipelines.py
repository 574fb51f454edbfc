"""Each pipeline on hand-made items, with a real crawler (settings, stats) and a real SQLite file."""

import inspect
from datetime import UTC, datetime

import pytest
from scrapy.signals import item_dropped

from storycrawl.db import story_store
from storycrawl.exceptions import (
    AlreadyStored,
    DuplicateStory,
    FetchFailed,
    InvalidStory,
    JobPosting,
    NotAIEngineer,
    NotFirstHand,
    OutOfRange,
    TooShort,
)
from storycrawl.extensions import CrawlRecorder
from storycrawl.items import Discussion, StoryItem
from storycrawl.pipelines.classify import ClassifyPipeline
from storycrawl.pipelines.dedup import DedupPipeline
from storycrawl.pipelines.include import IncludePipeline
from storycrawl.pipelines.jobs import JobPostingPipeline
from storycrawl.pipelines.normalize import NormalizePipeline
from storycrawl.pipelines.source_type import SourceTypePipeline
from storycrawl.pipelines.store import StorePipeline
from storycrawl.spiders.hackernews import HackerNewsSpider
from tests.utils import make_crawler

AI_STORY = (
    "We rebuilt the retrieval layer of our support bot this spring. Our RAG pipeline moved to pgvector "
    "with a reranker, and I spent two weeks on chunking. We wrote evals with an LLM-as-judge and a golden "
    "set of 300 questions, and we shipped the new version to production in May; hallucinations halved."
)
ML_STORY = (
    "I spent the quarter retraining our ranking model. We moved the training pipeline to a bigger GPU "
    "cluster with FSDP, tuned the learning rate and batch size, and the click-through rate went up 2% in "
    "the A/B test. Our feature store now refreshes hourly and the model registry tracks every checkpoint."
)
JOB_AD = (
    "About the role\nYou will build RAG pipelines and agents for our customers.\n\nResponsibilities:\n"
    "- Design retrieval systems\n\nRequirements:\n- 3+ years of experience with Python\n\n"
    "Salary range: $180,000 - $220,000\n\nBenefits:\nHealth insurance, 401(k).\n\nApply now via our careers page. "
    "We are an equal opportunity employer."
)


@pytest.fixture
def crawler(tmp_db):
    crawler = make_crawler(
        HackerNewsSpider, {"STORYCRAWL_DB": str(tmp_db), "STORYCRAWL_NOW": "2026-11-27T12:00:00Z"}
    )
    yield crawler
    story_store(crawler).close()


def item(**fields) -> StoryItem:
    base = {
        "url": "http://www.blog.example.com/rag?utm_source=hn#top",
        "title": "How we rebuilt our RAG bot",
        "text": AI_STORY,
        "source": "hackernews",
        "published": datetime(2026, 5, 2, 10, tzinfo=UTC),
        "discussions": [
            Discussion(url="https://news.ycombinator.com/item?id=1", site="hackernews", points=12)
        ],
    }
    return StoryItem(**{**base, **fields})


def run(crawler, pipeline_cls, value):
    result = pipeline_cls.from_crawler(crawler).process_item(value)
    if not inspect.iscoroutine(result):
        return result
    # An async stage with nothing to wait for (the heuristic) finishes on its first step.
    try:
        result.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the stage waited on I/O")


# normalize -----------------------------------------------------------------------------------
def test_normalize_canonicalizes_and_hashes(crawler):
    story = run(crawler, NormalizePipeline, item())
    assert story.url == "https://blog.example.com/rag"
    assert story.text_hash and story.fetched_at is not None
    assert crawler.stats.get_value("storycrawl/normalize/ok") == 1


def test_normalize_gives_untitled_posts_a_title(crawler):
    story = run(crawler, NormalizePipeline, item(title=""))
    assert story.title.startswith("We rebuilt the retrieval layer")


def test_normalize_rejects_failed_fetches_with_the_reason(crawler):
    with pytest.raises(FetchFailed, match="HTTP 404") as caught:
        run(crawler, NormalizePipeline, item(text="", fetch_error="HTTP 404"))
    assert caught.value.evidence == "HTTP 404"


def test_normalize_rejects_pages_without_text(crawler):
    # #13 row 7: read fine but too short (a title-only post): its own reason, not a fetch failure.
    with pytest.raises(TooShort, match="too short to judge") as rejected:
        run(crawler, NormalizePipeline, item(text="Subscribe!"))
    assert rejected.value.reason == "too_short"
    assert rejected.value.evidence == "too short to judge: 10 characters of text"


def test_normalize_rejects_invalid_items_naming_the_field(crawler):
    with pytest.raises(InvalidStory, match="published"):
        run(
            crawler,
            NormalizePipeline,
            {"url": "https://x.example/a", "text": AI_STORY, "published": "not a date"},
        )
    with pytest.raises(InvalidStory, match="not a web URL"):
        run(crawler, NormalizePipeline, item(url="mailto:me@example.com"))


def test_normalize_rejects_stories_older_than_since(crawler):
    with pytest.raises(OutOfRange, match="before since=2025-11-27"):
        run(crawler, NormalizePipeline, item(published=datetime(2024, 3, 1, tzinfo=UTC)))


# dedup ---------------------------------------------------------------------------------------
def normalized(crawler, **fields):
    return run(crawler, NormalizePipeline, item(**fields))


def test_dedup_merges_threads_of_the_same_article_in_one_crawl(crawler):
    dedup = DedupPipeline.from_crawler(crawler)
    first = dedup.process_item(normalized(crawler))
    second = normalized(
        crawler,
        url="https://blog.example.com/rag",
        published=datetime(2026, 5, 1, tzinfo=UTC),
        discussions=[
            Discussion(url="https://news.ycombinator.com/item?id=2", site="hackernews", points=3)
        ],
    )
    with pytest.raises(DuplicateStory):
        dedup.process_item(second)
    assert [d.url for d in first.discussions] == [
        "https://news.ycombinator.com/item?id=1",
        "https://news.ycombinator.com/item?id=2",
    ]
    assert first.published == datetime(2026, 5, 1, tzinfo=UTC), "the earliest date is kept"


def test_dedup_merges_into_a_story_stored_by_an_earlier_crawl(crawler):
    story = normalized(crawler)
    story.role, story.include = "ai_engineer", True
    story_store(crawler).upsert_story(story)
    again = normalized(
        crawler,
        discussions=[Discussion(url="https://reddit.com/r/Rag/comments/x/y/", site="reddit r/Rag")],
    )
    with pytest.raises(AlreadyStored):
        DedupPipeline.from_crawler(crawler).process_item(again)
    stored = story_store(crawler).get_story("https://blog.example.com/rag")
    assert {d["url"] for d in stored["discussions"]} == {
        "https://news.ycombinator.com/item?id=1",
        "https://reddit.com/r/Rag/comments/x/y/",
    }
    assert crawler.stats.get_value("storycrawl/dedup/seen_in_db") == 1


# jobs and source type ------------------------------------------------------------------------
def test_jobs_rejects_a_job_ad_with_evidence(crawler):
    with pytest.raises(JobPosting) as caught:
        run(
            crawler, JobPostingPipeline, normalized(crawler, title="AI Engineer (RAG)", text=JOB_AD)
        )
    assert "job-ad signals" in caught.value.evidence


def test_jobs_rejects_job_board_hosts(crawler):
    with pytest.raises(JobPosting, match=r"job board host jobs\.ashbyhq\.com"):
        run(
            crawler,
            JobPostingPipeline,
            normalized(crawler, url="https://jobs.ashbyhq.com/acme/123"),
        )


def test_jobs_keeps_a_story_that_ends_with_we_are_hiring(crawler):
    story = normalized(crawler, text=AI_STORY + " We're hiring! Apply at acme.dev/careers.")
    assert run(crawler, JobPostingPipeline, story).is_job_posting is False


@pytest.mark.parametrize(
    ("url", "hints", "expected"),
    [
        ("https://news.ycombinator.com/item?id=1", {}, "social"),
        ("https://engineering.acme.com/rag", {}, "company"),
        ("https://dev.to/jane/rag-1a2b", {}, "personal"),
        ("https://dev.to/acme/rag-1a2b", {"organization": "Acme"}, "company"),
        ("https://janedoe.dev/posts/rag", {"author": "Jane Doe"}, "personal"),
        (
            "https://example.org/x",
            {"source_type": "company", "source_type_reason": "declared in the sources file"},
            "company",
        ),
    ],
)
def test_source_type(crawler, url, hints, expected):
    story = run(crawler, SourceTypePipeline, normalized(crawler, url=url, hints=hints))
    assert story.source_type == expected
    assert story.source_type_evidence


# classify, store, include --------------------------------------------------------------------
def test_classify_labels_an_ai_engineer_story(crawler):
    story = run(crawler, ClassifyPipeline, normalized(crawler))
    assert (story.role, story.is_first_hand, story.include, story.classifier) == (
        "ai_engineer",
        True,
        True,
        "heuristic",
    )
    assert 0 < story.confidence <= 1 and story.evidence


def test_store_is_idempotent(crawler):
    story = run(crawler, ClassifyPipeline, normalized(crawler))
    store = StorePipeline.from_crawler(crawler)
    store.process_item(story)
    first = story_store(crawler).get_story(story.url)
    store.process_item(story.model_copy(deep=True))
    assert story_store(crawler).get_story(story.url) == first
    assert story_store(crawler).stories.count == 1


def test_include_lets_only_ai_engineer_first_hand_stories_through(crawler):
    ml = run(
        crawler,
        ClassifyPipeline,
        normalized(
            crawler,
            url="https://ml.example.com/ranking",
            title="Retraining our ranker",
            text=ML_STORY,
        ),
    )
    with pytest.raises(NotAIEngineer) as caught:
        run(crawler, IncludePipeline, ml)
    assert caught.value.reason_key == "role:ml_engineer"
    explainer = run(
        crawler,
        ClassifyPipeline,
        normalized(
            crawler,
            url="https://x.example/what-is-rag",
            title="What is RAG? A beginner's guide",
            text="In this guide you'll learn what retrieval-augmented generation is. RAG combines a retriever "
            "with an LLM. You can use embeddings and a vector database. Let's dive in: step 1, chunk your "
            "documents; step 2, embed them; step 3, retrieve. You should evaluate the results.",
        ),
    )
    with pytest.raises((NotFirstHand, NotAIEngineer)):
        run(crawler, IncludePipeline, explainer)
    story = run(crawler, ClassifyPipeline, normalized(crawler))
    assert run(crawler, IncludePipeline, story) is story


def test_every_drop_is_recorded_as_a_rejection(crawler):
    assert any(isinstance(ext, CrawlRecorder) for ext in crawler.extensions.middlewares)
    story = normalized(crawler, title="AI Engineer (RAG)", text=JOB_AD)
    try:
        run(crawler, JobPostingPipeline, story)
    except JobPosting as exc:
        crawler.signals.send_catch_log(
            item_dropped, item=story, response=None, exception=exc, spider=crawler.spider
        )
    rows = list(story_store(crawler).rejections.rows)
    assert [(r["stage"], r["reason"], r["url"], r["via"]) for r in rows] == [
        (
            "jobs",
            "job_posting",
            "https://blog.example.com/rag",
            "https://news.ycombinator.com/item?id=1",
        )
    ]
    assert rows[0]["evidence"].startswith("job-ad signals")
    assert crawler.stats.get_value("storycrawl/rejected/job_posting") == 1


LONG_STORY = " ".join(
    f"In week {i} we changed how our support agent calls its tools, measured the eval scores again and "
    f"wrote down what broke in production, which took {i + 2} hours of reading traces."
    for i in range(12)
)


def test_dedup_catches_a_cross_post_under_another_url_by_its_text(crawler):
    dedup = DedupPipeline.from_crawler(crawler)
    blog = dedup.process_item(
        normalized(crawler, url="https://jane.dev/agent-tools", text=LONG_STORY)
    )
    medium_copy = normalized(
        crawler,
        url="https://medium.com/@jane/agent-tools-1a2b3c4d5e6f",
        text="Originally published at jane.dev. "
        + LONG_STORY
        + " Thanks for reading! Follow me for more.",
        discussions=[
            Discussion(url="https://reddit.com/r/LLMDevs/comments/abc/x/", site="reddit r/LLMDevs")
        ],
    )
    with pytest.raises(DuplicateStory, match=r"same text under another URL\)") as caught:
        dedup.process_item(medium_copy)
    assert caught.value.evidence.startswith("same text under another URL")
    assert {d.url for d in blog.discussions} == {
        "https://news.ycombinator.com/item?id=1",
        "https://reddit.com/r/LLMDevs/comments/abc/x/",
    }


def test_dedup_follows_a_declared_canonical_url(crawler):
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.process_item(normalized(crawler, url="https://jane.dev/rag"))
    cross_post = normalized(
        crawler, url="https://dev.to/jane/rag-1a2b", hints={"canonical": "https://www.jane.dev/rag"}
    )
    with pytest.raises(DuplicateStory, match="declares it as its canonical URL"):
        dedup.process_item(cross_post)


def test_different_stories_are_not_taken_for_cross_posts(crawler):
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.process_item(normalized(crawler, url="https://jane.dev/a", text=LONG_STORY))
    other = " ".join(
        f"Our ranking model retrained on day {i} with a new feature store and a bigger GPU cluster."
        for i in range(20)
    )
    assert (
        dedup.process_item(normalized(crawler, url="https://ml.example.com/b", text=other)).url
        == "https://ml.example.com/b"
    )
