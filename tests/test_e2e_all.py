"""End to end over every source: `scrapy crawl all` on the whole recorded web, then `scrapy report`.

The recording's manifests (one per group under tests/fixtures/web) say what a careful reader decides
about each candidate; this checks that the one crawl over all of them lands that, merges the same
story reached from several sources, and gives a report of at least 100 stories of every type.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from storycrawl import registry
from storycrawl.db import StoryStore
from tests.utils import ROOT, WEB

# Every registered source; lobsters' robots.txt disallows bots, so `all` skips it unless the
# user opts in (its own test does).
SOURCES = tuple(info.name for info in registry.sources() if info.name != "lobsters")
# The same article, reached from Hacker News, Reddit, its blog's feed and a Medium cross-post.
CROSS_POSTED = "https://timkellogg.me/blog/2026/08/20/oncall-agent"
MEDIUM_COPY = (
    "https://medium.com/@timkellogg/"
    "what-i-learned-running-a-stateful-agent-in-our-on-call-channel-8b2e4c1d9f07"
)


def manifest(*, crawled: bool = True) -> list[dict]:
    """Every group's manifest lines; with `crawled`, those of the sources a default `all` runs."""
    rows = []
    for path in sorted(WEB.glob("*/manifest.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [row for row in rows if row["source"] in SOURCES or not crawled]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYCRAWL_")}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("all")
    db_path = out / "storycrawl.db"
    crawled = run(
        "crawl", "all", "-s", f"STORYCRAWL_REPLAY={WEB}", "-s", f"STORYCRAWL_DB={db_path}",
        "-O", str(out / "feed.json"),
    )  # fmt: skip
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    reported = run("report", "--db", str(db_path), "--out", str(out))
    assert reported.returncode == 0, reported.stderr[-3000:]
    db = StoryStore(db_path)
    (run_row,) = db.runs.rows
    data = {
        "log": crawled.stderr,
        "stats": json.loads(run_row["stats"]),
        "stories": {s["url"]: s for s in db.iter_stories()},
        "rejections": list(db.rejections.rows),
        "report": json.loads((out / "stories.json").read_text()),
        "report_md": (out / "report.md").read_text(),
        "report_log": reported.stdout + reported.stderr,
        "feed": json.loads((out / "feed.json").read_text()),
    }
    db.close()
    return data


def test_the_recording_is_big_and_varied_enough():
    rows = manifest(crawled=False)
    expects = Counter(row["expect"] for row in rows)
    assert len(rows) >= 250, expects
    assert expects["include"] >= 130, expects
    for hard_negative in ("job_posting", "role", "not_first_hand", "fetch_failed", "duplicate"):
        assert expects[hard_negative] >= 3, hard_negative
    months = {row["published"][:7] for row in rows if row["expect"] == "include"}
    assert len(months) >= 12, sorted(months)


@pytest.mark.e2e
def test_every_source_ran_with_its_own_stats(crawl):
    stats = crawl["stats"]
    for source in SOURCES:
        assert stats.get(f"storycrawl/source/{source}/candidates", 0) > 0, source
        assert f"storycrawl/source/{source}/skipped_reason" not in stats, source
    assert stats["storycrawl/source/lobsters/robots_forbidden"] == 1
    assert "opt in with -s STORYCRAWL_LOBSTERS_IGNORE_ROBOTS=True" in crawl["log"]


@pytest.mark.e2e
def test_every_ai_engineer_story_is_included(crawl):
    missing = [
        (row["source"], row["url"])
        for row in manifest()
        if row["expect"] == "include"
        and not row.get("classifier_miss")
        and not crawl["stories"].get(row["url"], {}).get("include")
    ]
    assert missing == []


@pytest.mark.e2e
def test_no_job_posting_other_role_or_second_hand_page_is_included(crawl):
    included = {url for url, story in crawl["stories"].items() if story["include"]}
    wrongly = [
        (row["source"], row["url"], row["expect"])
        for row in manifest()
        if row["expect"] not in ("include", "duplicate")
        and not row.get("classifier_miss")
        and row["url"] in included
    ]
    assert wrongly == []
    misses = [row for row in manifest() if row.get("classifier_miss")]
    assert len(misses) <= 0.05 * len(manifest())


@pytest.mark.e2e
def test_job_postings_are_rejected_as_such(crawl):
    rejected = {r["url"] for r in crawl["rejections"] if r["reason"] == "job_posting"}
    jobs = [row["url"] for row in manifest() if row["expect"] == "job_posting"]
    assert jobs and [url for url in jobs if url not in rejected] == []


@pytest.mark.e2e
def test_the_same_article_from_several_sources_is_one_story(crawl):
    story = crawl["stories"][CROSS_POSTED]
    assert story["include"]
    threads = {d["url"] for d in story["discussions"]}
    assert any("news.ycombinator.com/item?id=" in url for url in threads), threads
    assert any("reddit.com/r/" in url for url in threads), threads
    assert MEDIUM_COPY not in crawl["stories"]
    duplicates = [r for r in crawl["rejections"] if r["reason"] == "duplicate"]
    assert any(r["url"] == MEDIUM_COPY for r in duplicates)
    assert sum(1 for s in crawl["report"] if s["url"] == CROSS_POSTED) == 1


@pytest.mark.e2e
def test_the_report_has_100_stories_of_every_type_newest_first(crawl):
    rows = crawl["report"]
    assert len(rows) >= 100
    assert {row["source_type"] for row in rows} == {"social", "personal", "company"}
    assert min(Counter(row["source_type"] for row in rows).values()) >= 10
    dates = [row["published"] for row in rows if row["published"]]
    assert dates == sorted(dates, reverse=True)
    assert {row["source"] for row in rows} >= set(SOURCES)
    # Below --min-stories (100) the report and the command say "fewer than".
    assert "fewer than" not in crawl["report_md"].lower()
    assert "fewer than" not in crawl["report_log"].lower()


@pytest.mark.e2e
def test_the_feed_export_holds_the_included_stories(crawl):
    """`-O feed.json`: Scrapy's feed exports get every included story, once."""
    urls = [item["url"] for item in crawl["feed"]]
    assert len(urls) == len(set(urls))
    assert set(urls) == {url for url, story in crawl["stories"].items() if story["include"]}
