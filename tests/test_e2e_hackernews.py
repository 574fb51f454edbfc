"""`scrapy crawl hackernews` as a user runs it, against the recorded web, then `scrapy report`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storycrawl.db import StoryDB
from tests.utils import ROOT, WEB, rejections_of

pytestmark = pytest.mark.e2e

MANIFEST = WEB / "hackernews" / "manifest.jsonl"


def scrapy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYCRAWL_")}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def manifest() -> list[dict]:
    return [json.loads(line) for line in MANIFEST.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """One replayed crawl (and its report) shared by the assertions below."""
    out = tmp_path_factory.mktemp("e2e")
    db_path = out / "storycrawl.db"
    result = scrapy(
        "crawl", "hackernews", "-s", f"STORYCRAWL_REPLAY={WEB}", "-s", f"STORYCRAWL_DB={db_path}",
        "-O", str(out / "feed.json"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = scrapy(
        "report", "--db", str(db_path), "--out", str(out / "report"), "--min-stories", "10"
    )
    assert report.returncode == 0, report.stderr[-3000:]
    db = StoryDB(db_path)
    data = {
        "dir": out,
        "db_path": db_path,
        "log": result.stderr,
        "stories": {s["url"]: s for s in db.iter_stories()},
        "rejections": list(db.rejections.rows),
        "runs": list(db.runs.rows),
    }
    db.close()
    return data


def test_every_ai_engineer_story_is_included(crawl):
    expected = [m for m in manifest() if m["expect"] == "include"]
    assert len(expected) >= 16
    missing = [m["url"] for m in expected if not crawl["stories"].get(m["url"], {}).get("include")]
    assert missing == []


def test_no_job_posting_or_non_ai_role_is_included(crawl):
    included = {url for url, s in crawl["stories"].items() if s["include"]}
    for entry in manifest():
        if entry["expect"] == "include":
            continue
        if entry["expect"] == "duplicate":
            continue  # the same URL is included through its first reach
        assert entry["url"] not in included, entry


@pytest.mark.parametrize("expect", ["job_posting", "role", "not_first_hand", "fetch_failed"])
def test_each_rejection_has_the_expected_reason(crawl, expect):
    allowed = {"not_first_hand": {"not_first_hand", "role"}}.get(expect, {expect})
    entries = [m for m in manifest() if m["expect"] == expect]
    assert entries, f"the recording has no {expect} case"
    for entry in entries:
        reasons = {r["reason"] for r in rejections_of(crawl, entry["url"])}
        assert reasons & allowed, (entry["url"], reasons)
        if expect == "role":
            details = {
                r["detail"] for r in rejections_of(crawl, entry["url"]) if r["reason"] == "role"
            }
            assert details == {entry["role"]}, (entry["url"], details)


def test_the_same_article_reached_twice_is_one_story_with_both_threads(crawl):
    duplicates = [m for m in manifest() if m["expect"] == "duplicate"]
    assert duplicates
    for entry in duplicates:
        story = crawl["stories"][entry["url"]]
        threads = {d["url"] for d in story["discussions"]}
        assert entry["via"] in threads
        assert len(threads) >= 2
        assert any(r["reason"] == "duplicate" for r in rejections_of(crawl, entry["url"]))


def test_labels_and_dates_match_the_manifest(crawl):
    for entry in manifest():
        if entry["expect"] != "include":
            continue
        story = crawl["stories"][entry["url"]]
        assert story["source_type"] == entry["source_type"], entry["url"]
        assert story["published"][:10] == entry["published"], entry["url"]
        assert story["evidence"] and 0 < story["confidence"] <= 1


def test_nothing_went_to_the_network_and_stats_match_the_db(crawl):
    (run,) = crawl["runs"]
    stats = json.loads(run["stats"])
    assert run["finish_reason"] == "finished"
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert stats["storycrawl/replay/served"] > 0
    by_reason: dict[str, int] = {}
    for row in crawl["rejections"]:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + 1
    for reason, count in by_reason.items():
        assert stats[f"storycrawl/rejected/{reason}"] == count, reason
    assert stats["storycrawl/included"] == sum(1 for s in crawl["stories"].values() if s["include"])
    assert stats["storycrawl/source/hackernews/errors/bad_response"] == 1, "the malformed JSON page"


def test_feed_export_holds_the_included_stories(crawl):
    feed = json.loads((crawl["dir"] / "feed.json").read_text())
    assert sorted(item["url"] for item in feed) == sorted(
        u for u, s in crawl["stories"].items() if s["include"]
    )


def test_report_lists_included_stories_newest_first(crawl):
    report = (crawl["dir"] / "report" / "report.md").read_text()
    rows = re.findall(
        r"^\| (\d+) \| (\d{4}-\d{2}-\d{2}) \| \[.*?\]\((\S+)\)", report, flags=re.MULTILINE
    )
    included = {u for u, s in crawl["stories"].items() if s["include"]}
    assert {url for _, _, url in rows} == included
    dates = [date for _, date, _ in rows]
    assert dates == sorted(dates, reverse=True)
    assert [int(n) for n, _, _ in rows] == list(range(1, len(rows) + 1))
    exported = json.loads((crawl["dir"] / "report" / "stories.json").read_text())
    assert [row["url"] for row in exported] == [url for _, _, url in rows]
    for row in exported:
        assert {
            "url",
            "title",
            "published",
            "source",
            "source_type",
            "role",
            "confidence",
            "evidence",
        } <= row.keys()
    csv_header = (crawl["dir"] / "report" / "stories.csv").read_text().splitlines()[0]
    assert csv_header.split(",")[:4] == ["number", "url", "title", "published"]


def test_a_second_run_changes_nothing(crawl, tmp_path):
    db_path = crawl["db_path"]

    def snapshot():
        db = StoryDB(db_path)
        rows = (
            sorted(json.dumps(r, sort_keys=True) for r in db.stories.rows),
            sorted(json.dumps(r, sort_keys=True) for r in db.rejections.rows),
        )
        db.close()
        return rows

    before = snapshot()
    result = scrapy(
        "crawl", "hackernews", "-s", f"STORYCRAWL_REPLAY={WEB}", "-s", f"STORYCRAWL_DB={db_path}"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert snapshot() == before


def test_bad_argument_stops_the_crawl_naming_it(tmp_path):
    result = scrapy(
        "crawl", "hackernews", "-a", "since=2025-13-01", "-s", f"STORYCRAWL_DB={tmp_path / 'x.db'}"
    )
    assert result.returncode == 2
    assert "invalid spider argument since='2025-13-01'" in result.stderr
    assert not (tmp_path / "x.db").exists(), "nothing ran"


def test_bad_sources_file_stops_the_crawl_naming_the_entry(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text('[hackernews]\nqueries = ["RAG"]\nhits_per_page = 0\n')
    result = scrapy(
        "crawl",
        "hackernews",
        "-s",
        f"STORYCRAWL_SOURCES={bad}",
        "-s",
        f"STORYCRAWL_DB={tmp_path / 'x.db'}",
    )
    assert result.returncode == 2
    assert "hackernews.hits_per_page" in result.stderr


def test_report_without_a_database_says_what_to_do(tmp_path):
    result = scrapy("report", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2
    assert "run a crawl first" in result.stderr
