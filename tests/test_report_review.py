"""`scrapy review`: seeded samples, the CSV round trip, the terminal flow in a real terminal
(tmux), the Wilson interval, and verdicts overriding the report."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storycrawl.db import StoryDB
from storycrawl.items import StoryItem
from storycrawl.report import build_report
from storycrawl.report.audit import Precision, wilson
from storycrawl.report.review import export_csv, import_csv, sample
from tests.utils import ROOT


def add(db: StoryDB, i: int, include: bool = True, source: str = "hackernews") -> None:
    db.upsert_story(
        StoryItem(
            url=f"https://blog{i}.example.com/post", title=f"Story {i}: our eval harness",
            text=f"I built the eval harness for our support agent. Story {i} tells how it went. " * 3,
            source=source, site=f"blog{i}.example.com", published=datetime(2026, 3, 1 + i % 27, tzinfo=UTC),
            source_type="personal" if i % 2 else "company", role="ai_engineer" if include else "other",
            is_first_hand=True, is_job_posting=False, include=include, confidence=0.8,
            evidence=f"“I built the eval harness for our support agent.” — cues {i}", classifier="heuristic",
        )
    )  # fmt: skip


@pytest.fixture
def db_path(tmp_path) -> Path:
    db = StoryDB(tmp_path / "s.db")
    for i in range(12):
        add(db, i, source="hackernews" if i % 3 else "reddit")
    for i in range(12, 17):
        add(db, i, include=False)
    db.close()
    return tmp_path / "s.db"


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [(47, 50, 0.8378, 0.9794), (8, 10, 0.4902, 0.9433), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0),
     (1, 1, 0.2065, 1.0)],
)  # fmt: skip
def test_wilson_interval(successes, n, low, high):
    got = wilson(successes, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_audited_precision_line_matches_the_issue():
    assert Precision(47, 50).line() == (
        "47 of 50 sampled stories confirmed (0.94, 95 % CI 0.84–0.98, Wilson)"
    )
    assert wilson(0, 0) == (0.0, 1.0)


def test_same_seed_same_sample_and_rejected_adds_left_out_stories(db_path):
    first = [s["url"] for s in sample(db_path, 5, seed=7)]
    assert first == [s["url"] for s in sample(db_path, 5, seed=7)]
    assert first != [s["url"] for s in sample(db_path, 5, seed=8)]
    both = sample(db_path, 3, seed=7, rejected=True)
    assert [bool(s["include"]) for s in both] == [True] * 3 + [False] * 3
    assert len(sample(db_path, 100, seed=1)) == 12


def test_csv_round_trip_stores_verdicts_and_changes_the_report(db_path, tmp_path):
    build_report(db_path, tmp_path / "before", min_stories=1)
    before = (tmp_path / "before" / "report.md").read_text()
    assert "Audited precision: no reviews yet" in before

    stories = sample(db_path, 10, seed=3, rejected=True)
    export_csv(stories, tmp_path / "sample.csv")
    rows = list(csv.DictReader((tmp_path / "sample.csv").open(encoding="utf-8")))
    assert len(rows) == 15 and {r["verdict"] for r in rows} == {""}
    assert rows[0]["quote"] == "I built the eval harness for our support agent."
    verdicts = (
        ["correct"] * 7
        + ["not_first_hand", "wrong_type", ""]
        + ["correct", "skip", "not_ai_engineer", "", ""]
    )
    for row, verdict in zip(rows, verdicts, strict=True):
        row["verdict"] = verdict
    rows[1]["verdict"] = "Not AI engineer"  # spreadsheet spelling, accepted
    with (tmp_path / "sample.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = import_csv(db_path, tmp_path / "sample.csv", seed=3)
    assert (result.stored, result.blank, result.errors) == (12, 3, [])
    stored = dict(sqlite3.connect(db_path).execute("select url, verdict from reviews"))
    assert stored[rows[1]["url"]] == "not_ai_engineer"

    report = build_report(db_path, tmp_path / "after", min_stories=1)
    text = (tmp_path / "after" / "report.md").read_text()
    # 9 included stories reviewed: 6 correct + 1 wrong type confirmed, 2 taken out.
    assert (
        "Audited precision: 7 of 9 sampled stories confirmed (0.78, 95 % CI 0.45–0.94, Wilson)."
        in text
    )
    assert "- type company:" in text and "- source reddit:" in text
    urls = [r["url"] for r in json.loads((tmp_path / "after" / "stories.json").read_text())]
    assert rows[1]["url"] not in urls and rows[7]["url"] not in urls, "verdicts take stories out"
    assert rows[10]["url"] in urls, "a left-out story reviewed correct is put in"
    assert report.stories == 12 - 2 + 1


def test_import_reports_bad_lines_and_keeps_the_good(db_path, tmp_path):
    stories = sample(db_path, 2, seed=1)
    path = tmp_path / "s.csv"
    path.write_text(
        "url,verdict\n"
        f"{stories[0]['url']},correct\n"
        f"{stories[1]['url']},maybe\n"
        "https://nowhere.example/x,correct\n",
        encoding="utf-8",
    )
    result = import_csv(db_path, path, seed=1)
    assert result.stored == 1
    assert [e.split(": ", 1)[0] for e in result.errors] == [f"{path}:3", f"{path}:4"]
    assert "unknown verdict 'maybe'" in result.errors[0]


def tmux(socket: str, *args: str) -> str:
    run = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=False)
    return run.stdout


def wait_for(socket: str, text: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux(socket, "capture-pane", "-p", "-t", "review", "-S", "-200")
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")


def test_terminal_review_one_key_per_story_in_a_real_terminal(db_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is needed for the terminal review test (apt-get install tmux)")
    socket = f"storycrawl-test-{uuid.uuid4().hex[:8]}"
    command = (
        f"cd {ROOT} && {sys.executable} -m scrapy review --db {db_path} -n 3 --seed 5; "
        "echo EXIT=$?; sleep 60"
    )
    tmux(socket, "new-session", "-d", "-s", "review", "-x", "160", "-y", "60", command)
    try:
        wait_for(socket, "── 1/3")
        screen = wait_for(socket, "[c] correct")
        assert "Quote:   I built the eval harness for our support agent." in screen
        assert "Link:    https://blog" in screen
        tmux(socket, "send-keys", "-t", "review", "c")
        wait_for(socket, "── 2/3")
        tmux(socket, "send-keys", "-t", "review", "x")  # not a verdict key: asked again
        tmux(socket, "send-keys", "-t", "review", "f")
        wait_for(socket, "── 3/3")
        tmux(socket, "send-keys", "-t", "review", "t")
        screen = wait_for(socket, "EXIT=")
    finally:
        tmux(socket, "kill-server")
    assert "EXIT=0" in screen
    assert "stored 3 verdicts" in screen
    assert "Audited precision: 2 of 3 sampled stories confirmed" in screen
    verdicts = [
        v
        for (v,) in sqlite3.connect(db_path).execute(
            "select verdict from reviews order by reviewed_at, rowid"
        )
    ]
    assert sorted(verdicts) == ["correct", "not_first_hand", "wrong_type"]


def test_evaluate_scores_a_classifier_against_the_reviewed_rows(db_path, tmp_path):
    stories = sample(db_path, 4, seed=2)
    path = tmp_path / "v.csv"
    path.write_text(
        "url,verdict\n" + "".join(
            f"{s['url']},{v}\n" for s, v in zip(stories, ["correct", "correct", "not_first_hand", "skip"], strict=True)
        ),
        encoding="utf-8",
    )  # fmt: skip
    import_csv(db_path, path, seed=2)
    run = subprocess.run(
        [sys.executable, "-m", "scrapy", "evaluate", "--reviews", str(db_path), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    scores = json.loads(run.stdout)
    assert scores["rows"] == 3, "skips are not scored"
    include = scores["include"]
    assert include["tp"] + include["fn"] == 2, "two reviewed stories are truly in"
    assert include["tp"] + include["fp"] + include["fn"] <= 3
    assert all("review verdict" in m["note"] for m in scores["misclassified"])
