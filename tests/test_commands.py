"""The commands as a user runs them: `scrapy classify`, `evaluate`, `reclassify`, `report`, and
what `scrapy crawl` says before it starts when its arguments or sources file are wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from storycrawl.classify.evaluate import include_by_confidence
from storycrawl.db import StoryDB
from storycrawl.items import StoryItem
from tests.llm_server import ChatServer
from tests.utils import ROOT

GOOD = {
    "url": "https://blog.example.com/evals",
    "title": "How we evaluate our support agent",
    "text": "We run a support agent for 4,000 tickets a week. Last spring I built its eval harness with 300 "
    "golden conversations and an LLM-as-judge rubric; the evals caught two regressions before we shipped.",
}
EXPLAINER = {
    "url": "https://x.example/what-is-rag",
    "title": "What is RAG? A beginner's guide",
    "text": "In this guide you'll learn what retrieval-augmented generation is. Let's dive in: step 1, chunk your "
    "documents; step 2, embed them; step 3, retrieve the closest chunks. You should evaluate the results "
    "with a small test set before you put a chatbot like this in front of real users.",
}


def scrapy(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STORYCRAWL_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], check=False, cwd=ROOT, env={**clean, **(env or {})},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_classify_writes_one_line_per_good_input_in_order(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(GOOD)
        + "\n{not json\n"
        + json.dumps({"url": "https://x.example/empty", "text": ""})
        + "\n"
        + json.dumps(EXPLAINER)
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    result = scrapy("classify", str(source), "-o", str(out))
    assert result.returncode == 1, "bad lines make the exit code 1"
    assert f"{source}:2: skipped: not JSON" in result.stderr
    assert f"{source}:3: skipped: no text" in result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["url"] for r in rows] == [GOOD["url"], EXPLAINER["url"]]
    assert rows[0]["include"] is True and rows[1]["include"] is False
    for row in rows:
        assert {
            "role",
            "is_first_hand",
            "is_job_posting",
            "source_type",
            "include",
            "confidence",
            "evidence",
            "classifier",
        } <= row.keys()


def test_evaluate_prints_scores_and_json(tmp_path):
    labelled = tmp_path / "l.jsonl"
    rows = [
        {
            **GOOD,
            "source_type": "personal",
            "is_job_posting": False,
            "is_first_hand": True,
            "author_role": "ai_engineer",
            "include": True,
        },
        {
            **EXPLAINER,
            "source_type": "personal",
            "is_job_posting": False,
            "is_first_hand": False,
            "author_role": "other",
            "include": False,
        },
    ]
    labelled.write_text("".join(json.dumps(r) + "\n" for r in rows))
    text = scrapy("evaluate", str(labelled))
    assert text.returncode == 0, text.stderr
    assert "include          1.000      1.000   1.000" in text.stdout
    assert "role confusion" in text.stdout
    assert "include with a confidence floor" in text.stdout
    as_json = json.loads(scrapy("evaluate", str(labelled), "--json").stdout)
    assert as_json["include"]["f1"] == 1.0 and as_json["rows"] == 2
    floors = {row["min_confidence"]: row for row in as_json["include_by_confidence"]}
    assert floors[0.5]["tp"] == 1 and floors[0.5]["fn"] == 0
    assert [row["tp"] + row["fn"] for row in floors.values()] == [1] * len(floors)


def test_include_by_confidence_counts_only_stories_at_or_above_each_floor():
    decisions = [(True, 0.9, True), (True, 0.72, False), (True, 0.65, True), (False, 0.8, True)]
    table = {row["min_confidence"]: row for row in include_by_confidence(decisions)}
    assert (table[0.6]["tp"], table[0.6]["fp"], table[0.6]["fn"]) == (2, 1, 1)
    assert (table[0.7]["tp"], table[0.7]["fp"], table[0.7]["fn"]) == (1, 1, 2)
    assert (table[0.75]["precision"], table[0.75]["recall"]) == (1.0, round(1 / 3, 3))


def test_report_rejects_a_confidence_outside_0_to_1(tmp_path):
    result = scrapy("report", "--db", str(tmp_path / "none.db"), "--min-confidence", "1.5")
    assert result.returncode == 2
    assert "--min-confidence: expected a number from 0 to 1, got '1.5'" in result.stderr


def test_llm_classifier_without_configuration_is_a_clear_error(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(GOOD) + "\n")
    result = scrapy("classify", str(source), "-o", str(tmp_path / "o.jsonl"), "--classifier", "llm")
    assert result.returncode == 2
    assert "needs OPENAI_API_KEY" in result.stderr


def test_classify_through_a_local_llm_server_uses_the_cache(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(GOOD) + "\n" + json.dumps(EXPLAINER) + "\n")
    with ChatServer() as server:
        env = {"OPENAI_BASE_URL": server.base_url, "STORYCRAWL_DB": str(tmp_path / "cache.db")}
        first = scrapy(
            "classify", str(source), "-o", str(tmp_path / "a.jsonl"), "--classifier", "llm", env=env
        )
        second = scrapy(
            "classify", str(source), "-o", str(tmp_path / "b.jsonl"), "--classifier", "llm", env=env
        )
    assert first.returncode == 0, first.stderr
    assert "2 calls, 0 cached" in first.stderr
    assert "0 calls, 2 cached" in second.stderr
    assert server.calls == 2
    rows = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text().splitlines()]
    assert rows[0]["classifier"] == "llm:gpt-4o-mini" and rows[0]["summary"]


def test_reclassify_updates_labels_and_rejections(tmp_path):
    path = tmp_path / "s.db"
    db = StoryDB(path)
    # Stored by an older classifier that got it wrong: an explainer marked as included.
    db.upsert_story(StoryItem(
        url=EXPLAINER["url"], title=EXPLAINER["title"], text=EXPLAINER["text"], source="hackernews",
        published=datetime(2026, 3, 1, tzinfo=UTC), source_type="personal", role="ai_engineer", is_first_hand=True,
        is_job_posting=False, include=True, confidence=0.6, evidence="old", classifier="old-heuristic",
    ))  # fmt: skip
    db.close()
    dry = scrapy("reclassify", "--db", str(path), "--dry-run")
    assert "include would change for 1" in dry.stdout
    assert StoryDB(path).get_story(EXPLAINER["url"])["include"] is True
    result = scrapy("reclassify", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert f"{EXPLAINER['url']}: in → out" in result.stderr
    db = StoryDB(path)
    story = db.get_story(EXPLAINER["url"])
    rejections = list(db.rejections.rows)
    db.close()
    assert story["include"] is False and story["classifier"] == "heuristic"
    assert [(r["url"], r["stage"]) for r in rejections] == [(EXPLAINER["url"], "include")]


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
        "crawl", "hackernews", "-s", f"STORYCRAWL_SOURCES={bad}", "-s", f"STORYCRAWL_DB={tmp_path / 'x.db'}"
    )  # fmt: skip
    assert result.returncode == 2
    assert "hackernews.hits_per_page" in result.stderr


def test_report_without_a_database_says_what_to_do(tmp_path):
    result = scrapy("report", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2
    assert "run a crawl first" in result.stderr
