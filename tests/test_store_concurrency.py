"""Several crawls writing one database at once lose nothing (WAL, busy timeout, BEGIN IMMEDIATE)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storycrawl import registry
from storycrawl.db import StoryStore
from storycrawl.items import Discussion, StoryItem
from tests.utils import WEB

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 6
THREADS_EACH = 30
STORY = "https://blog.example.com/shared-story"


def _writer(path: str, number: int) -> None:
    store = StoryStore(path)
    try:
        for i in range(THREADS_EACH):
            thread = Discussion(
                url=f"https://news.example.com/item?id={number}-{i}", site=f"writer {number}"
            )
            store.add_discussions(STORY, [thread], f"source{number}", None)
            own = StoryItem(
                url=f"https://blog.example.com/w{number}/{i}", title="t", text="x" * 50,
                source=f"source{number}", fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
            )  # fmt: skip
            store.upsert_story(own)
    finally:
        store.close()


def test_concurrent_merges_into_one_story_lose_no_thread(tmp_db):
    store = StoryStore(tmp_db)
    store.upsert_story(StoryItem(url=STORY, title="Shared", text="x" * 50, source="feeds"))
    store.close()
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(tmp_db), n)) for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert [w.exitcode for w in writers] == [0] * WRITERS
    store = StoryStore(tmp_db)
    try:
        shared = store.get_story(STORY)
        assert len(shared["discussions"]) == WRITERS * THREADS_EACH
        assert set(shared["sources"]) == {"feeds", *(f"source{n}" for n in range(WRITERS))}
        assert store.stories.count == 1 + WRITERS * THREADS_EACH
    finally:
        store.close()


# Six sources, each crawled as its test module crawls it (so the session's replayed crawls are
# the reference), and the extra settings it needs.
SOURCES = {
    "hackernews": {},
    "reddit": {},
    "devto": {},
    "mastodon": {},
    "bluesky": {},
    "lobsters": {"STORYCRAWL_LOBSTERS_IGNORE_ROBOTS": True},
}


def _scrapy_crawl(spider: str, db: Path, settings: dict) -> subprocess.Popen:
    hidden = ("STORYCRAWL_", "OPENAI_")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(hidden) and k not in registry.credentials()
    }
    extra = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"STORYCRAWL_REPLAY={WEB}",
         "-s", f"STORYCRAWL_DB={db}", "-s", "LOG_LEVEL=WARNING", *extra],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _content(stories: dict[str, dict]) -> dict[str, tuple]:
    return {
        url: (s["include"], s["role"], sorted(d["url"] for d in s["discussions"]), sorted(s["sources"]))
        for url, s in stories.items()
    }  # fmt: skip


def _union(crawls: list[dict]) -> dict[str, tuple]:
    """What one database holding every crawl's stories holds: threads and sources merged."""
    merged: dict[str, tuple] = {}
    for crawl in crawls:
        for url, (include, role, threads, sources) in _content(crawl["stories"]).items():
            if url in merged:
                assert merged[url][:2] == (include, role), url
                threads = sorted({*merged[url][2], *threads})
                sources = sorted({*merged[url][3], *sources})
            merged[url] = (include, role, threads, sources)
    return merged


@pytest.fixture
def alone(replayed):
    return [replayed(name, settings=settings or None) for name, settings in SOURCES.items()]


@pytest.mark.e2e
def test_six_crawls_at_once_into_one_db_store_what_each_stores_alone(tmp_path, alone):
    """Six `scrapy crawl` processes, at the same time, into one new file (the old store lost
    four stories and crashed three crawls with "database is locked"): every story, label and
    thread each crawl stores alone is there, merged."""
    db = tmp_path / "shared.db"
    crawls = [_scrapy_crawl(name, db, settings) for name, settings in SOURCES.items()]
    errors = [crawl.communicate(timeout=300)[1] for crawl in crawls]
    assert [c.returncode for c in crawls] == [0] * len(crawls), errors
    assert not [e for e in errors if "database is locked" in e or "Traceback" in e]
    store = StoryStore(db)
    try:
        together = {s["url"]: s for s in store.iter_stories()}
        assert _content(together) == _union(alone)
        assert store.runs.count == len(SOURCES)
        assert all(run["finish_reason"] == "finished" for run in store.runs.rows)
    finally:
        store.close()
