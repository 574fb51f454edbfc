"""Hostile text in every report (#14 items 5, 6, 13, 16): formulas, Markdown links, control
characters, and a report that only reads the file it is given."""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from storycrawl.db import StoryDB
from storycrawl.items import Discussion, StoryItem
from storycrawl.report import NotAStorycrawlDB, build_report
from storycrawl.report.exports import SafeCsvItemExporter
from storycrawl.report.markdown import md_link
from storycrawl.report.safety import clean, csv_cell, safe_url
from tests.utils import ROOT

BIDI_TITLE = (
    "Our agent \u202eexe.gnp\u202c story\x00 with \x1b[31mred\x1b[0m and \x1b]0;pwn\x07 OSC"
)
FORMULA_TITLE = '=HYPERLINK("https://evil.example","Verify your account")'
EVIL_URL = "https://mastodon.example/@a/1) [Verify your account](https://evil.example/login) | x"


def story(url: str, title: str, **extra) -> StoryItem:
    fields = {
        "url": url, "title": title, "text": "We built an agent with tool calls and evals. " * 5,
        "source": "mastodon", "site": "mastodon.example", "published": datetime(2026, 5, 1, tzinfo=UTC),
        "source_type": "social", "role": "ai_engineer", "is_first_hand": True, "is_job_posting": False,
        "include": True, "confidence": 0.8, "evidence": "“We built an agent” — cues", "classifier": "heuristic",
    }  # fmt: skip
    fields.update(extra)
    return StoryItem(**fields)


@pytest.fixture
def hostile(tmp_path):
    db = StoryDB(tmp_path / "s.db")
    db.upsert_story(story("https://a.example/bidi", BIDI_TITLE))
    db.upsert_story(story("https://a.example/formula", FORMULA_TITLE, author="@attacker"))
    db.upsert_story(
        story(
            EVIL_URL, "+cmd|' /C calc'!A0",
            discussions=[Discussion(url="https://thread.example/x) [click](https://evil.example", site="x|y")],
        )
    )  # fmt: skip
    db.upsert_story(story("https://a.example/tab", "\t-2+3 tab first", summary="-1 summary"))
    db.close()
    build_report(tmp_path / "s.db", tmp_path / "out", min_stories=1)
    return tmp_path / "out"


def test_control_characters_reach_no_report(hostile):
    for name in ("report.md", "report.html", "stories.json", "stories.csv"):
        text = (hostile / name).read_text(encoding="utf-8")
        for bad in ("\u202e", "\u202c", "\x00", "\x1b", "\x07"):
            assert bad not in text, (name, repr(bad))
    assert "Our agent exe.gnp story with red and OSC" in (hostile / "report.md").read_text()


def test_csv_cells_never_start_a_formula(hostile):
    rows = list(csv.DictReader((hostile / "stories.csv").open(encoding="utf-8")))
    titles = {r["url"]: r["title"] for r in rows}
    assert titles["https://a.example/formula"] == "'" + FORMULA_TITLE
    assert titles[EVIL_URL] == "'+cmd|' /C calc'!A0"
    assert titles["https://a.example/tab"].startswith("'\t")
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_markdown_links_cannot_be_forged(hostile):
    report = (hostile / "report.md").read_text(encoding="utf-8")
    assert "](https://evil.example/login)" not in report
    assert "[click](https://evil.example" not in report
    table = [line for line in report.splitlines() if line.startswith("| ") and "(Mastodon)" in line]
    assert len(table) == 4
    # Every story row still has its 9 cells: no cell was added by a crafted URL or title.
    for line in table:
        cells = list(line.replace("\\|", "").split("|"))[1:-1]
        assert len(cells) == 9, line


def test_safe_url_and_md_link():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("file:///etc/passwd") is None
    assert safe_url("https://") is None
    assert safe_url("http://[::1") is None
    assert safe_url("https://x.example/a b)") == "https://x.example/a%20b%29"
    assert md_link("t", "data:text/html,x") == "t"
    assert md_link("a]b", "https://x.example/") == r"[a\]b](https://x.example/)"
    assert clean("a\u2066b\u2069c\u200fd") == "abcd"
    assert csv_cell("@SUM(1)") == "'@SUM(1)" and csv_cell("fine") == "fine" and csv_cell(3) == 3


def test_feed_csv_exporter_neutralises_formulas():
    out = io.BytesIO()
    exporter = SafeCsvItemExporter(out)
    exporter.start_exporting()
    exporter.export_item({"title": "=1+1", "author": "-x", "url": "https://a.example/\u202e"})
    exporter.finish_exporting()
    rows = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert rows[1] == ["'=1+1", "'-x", "https://a.example/"]


def test_csv_feed_exporter_is_registered():
    from storycrawl import settings

    assert settings.FEED_EXPORTERS["csv"] == "storycrawl.report.exports.SafeCsvItemExporter"


def test_report_only_reads_the_database(tmp_path):
    db = StoryDB(tmp_path / "s.db")
    db.upsert_story(story("https://a.example/1", "One"))
    db.close()
    before = hashlib.sha256((tmp_path / "s.db").read_bytes()).hexdigest()
    build_report(tmp_path / "s.db", tmp_path / "out", min_stories=1)
    assert hashlib.sha256((tmp_path / "s.db").read_bytes()).hexdigest() == before


def test_report_refuses_files_that_are_not_storycrawl_dbs(tmp_path):
    (tmp_path / "text.db").write_text("not a database at all " * 20)
    with pytest.raises(NotAStorycrawlDB, match="SQLite cannot read it"):
        build_report(tmp_path / "text.db", tmp_path / "out")
    foreign = sqlite3.connect(tmp_path / "foreign.db")
    foreign.execute("create table notes (id integer primary key, body text)")
    foreign.commit()
    foreign.close()
    before = (tmp_path / "foreign.db").read_bytes()
    with pytest.raises(NotAStorycrawlDB, match="lacks stories; rejections; runs"):
        build_report(tmp_path / "foreign.db", tmp_path / "out")
    assert (tmp_path / "foreign.db").read_bytes() == before
    tables = sqlite3.connect(tmp_path / "foreign.db").execute("select name from sqlite_master")
    assert [t for (t,) in tables] == ["notes"]
    assert not (tmp_path / "out").exists()


def test_scrapy_report_says_clearly_when_the_file_is_not_a_storycrawl_db(tmp_path):
    (tmp_path / "x.db").write_bytes(b"\x00\x01garbage" * 100)
    run = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "--db", str(tmp_path / "x.db"), "--out", str(tmp_path / "o")],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert "is not a storycrawl database" in run.stderr
    assert "Traceback" not in run.stderr
