"""`scrapy crawl urls`: a file of URLs, JavaScript pages rendered in Debian's Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from storycrawl.db import StoryDB
from storycrawl.parsers.urls import UrlLine, parse_url_file
from tests.browser import require_chromium
from tests.utils import ROOT, WEB, LoopbackServer, Reply

URLS = WEB / "urls"


def scrapy(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYCRAWL_")}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )  # fmt: skip


def test_url_file_lines_flags_and_errors():
    lines, errors = parse_url_file((URLS / "urls.txt").read_text())
    assert lines == [
        UrlLine(
            2, "https://app.quillpost.example/p/agent-retries", js=True, source_type="personal"
        ),
        UrlLine(3, "https://tferreira.dev/notes/prompt-caching-six-months"),
        UrlLine(4, "https://tferreira.dev/notes/gone"),
    ]
    assert [(e.line, e.message.split(":")[0]) for e in errors] == [
        (5, "not an http(s) URL (scheme 'ftp')"),
        (6, "unknown option 'bold' (options"),
    ]


def test_missing_file_argument_is_refused(tmp_path):
    result = scrapy(
        "crawl", "urls", "-a", "file=nope.txt", "-s", f"STORYCRAWL_DB={tmp_path / 'x.db'}"
    )
    assert result.returncode == 2
    assert "invalid spider argument file='nope.txt': no such file" in result.stderr


def test_without_a_file_the_source_says_what_to_give(tmp_path):
    result = scrapy("crawl", "urls", "-s", f"STORYCRAWL_DB={tmp_path / 'x.db'}")
    assert result.returncode == 0
    assert "Source urls skipped: no URL file: give -a file=urls.txt" in result.stderr


@pytest.mark.browser
def test_replay_renders_the_javascript_page_from_the_recording(tmp_path):
    require_chromium()
    db_path = tmp_path / "u.db"
    result = scrapy(
        "crawl",
        "urls",
        "-a",
        f"file={URLS / 'urls.txt'}",
        "-s",
        f"STORYCRAWL_REPLAY={WEB}",
        "-s",
        f"STORYCRAWL_DB={db_path}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    db = StoryDB(db_path)
    stories = {s["url"]: s for s in db.iter_stories()}
    rejections = {r["url"]: r["reason"] for r in db.rejections.rows}
    stats = json.loads(next(iter(db.runs.rows))["stats"])
    db.close()
    for entry in map(json.loads, (URLS / "manifest.jsonl").read_text().splitlines()):
        if entry["expect"] == "include":
            story = stories[entry["url"]]
            assert story["include"] and story["published"][:10] == entry["published"]
            assert story["source_type"] == entry["source_type"]
        else:
            assert rejections[entry["url"]] == entry["expect"]
    js_story = stories["https://app.quillpost.example/p/agent-retries"]
    assert "idempotency key" in js_story["text"], "the text only JavaScript puts on the page"
    assert js_story["title"].startswith("Our agent retried a refund 14 times")
    assert stats["storycrawl/replay/rendered"] == 1
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert stats["storycrawl/source/urls/errors/bad_line"] == 2


@pytest.mark.browser
def test_live_javascript_page_is_rendered_by_scrapy_playwright(tmp_path):
    require_chromium()
    page = (URLS / "files" / "agent-retries.html").read_bytes()
    data = (URLS / "files" / "agent-retries.json").read_bytes()
    routes = {
        "/p/agent-retries": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page),
        "/p/agent-retries-unflagged": Reply(
            200, {"Content-Type": "text/html; charset=utf-8"}, page
        ),
        "/api/posts/agent-retries.json": Reply(200, {"Content-Type": "application/json"}, data),
    }
    with LoopbackServer(routes) as server:
        url_file = tmp_path / "urls.txt"
        url_file.write_text(
            f"{server.url}/p/agent-retries js\n{server.url}/p/agent-retries-unflagged\n"
        )
        db_path = tmp_path / "live.db"
        result = scrapy(
            "crawl",
            "urls",
            "-a",
            f"file={url_file}",
            "-s",
            f"STORYCRAWL_DB={db_path}",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    db = StoryDB(db_path)
    stories = list(db.iter_stories())
    rejections = list(db.rejections.rows)
    db.close()
    assert len(stories) == 1 and "idempotency key" in stories[0]["text"]
    assert [(r["reason"], r["evidence"]) for r in rejections] == [
        ("fetch_failed", "the page needs JavaScript to show its text (mark it `js` to render it)")
    ], "without `js` the same page has no text: the script never ran"
    assert server.requests_to("/api/posts/agent-retries.json"), "the browser ran the page's script"


def test_a_non_utf8_url_file_with_malformed_links_is_read_and_reported(tmp_path):
    # #14 item 2: a Windows-1252 file (an é in a comment and in a URL), malformed links among
    # good ones: each bad link is a reported bad line, the good ones are crawled.
    page = (
        "<html><head><title>Our agent's retries</title></head><body><article><p>"
        + "We built retries with idempotency keys for our LLM agent and measured every refund. " * 6
        + "</p></article></body></html>"
    ).encode()
    routes = {
        "/notes/retries": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page),
        "/notes/caf%C3%A9-agents": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page),
    }
    with LoopbackServer(routes) as server:
        url_file = tmp_path / "urls.txt"
        url_file.write_bytes(
            (
                "# pages I found (café notes)\n"
                f"{server.url}/notes/retries\n"
                "https://blog.example.com:99999/post\n"
                "http://[::1/post\n"
                "javascript:alert(1)\n"
                f"{server.url}/notes/café-agents\n"
            ).encode("cp1252")
        )
        db_path = tmp_path / "u.db"
        result = scrapy(
            "crawl", "urls", "-a", f"file={url_file}", "-s", f"STORYCRAWL_DB={db_path}",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
        )  # fmt: skip
        fetched = {entry["path"] for entry in server.log}
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not UTF-8 (byte 0xe9 on line 1); read as Windows-1252" in result.stderr
    assert ":3: skipped: bad port in the URL: 99999" in result.stderr
    assert ":4: skipped: malformed host" in result.stderr
    assert ":5: skipped: not an http(s) URL (scheme 'javascript')" in result.stderr
    assert "start_requests" not in result.stderr and "Traceback" not in result.stderr
    assert fetched == {"/notes/retries", "/notes/caf%C3%A9-agents"}
    db = StoryDB(db_path)
    stats = json.loads(next(iter(db.runs.rows))["stats"])
    db.close()
    assert stats["storycrawl/source/urls/errors/bad_line"] == 3
    assert stats["storycrawl/source/urls/errors/not_utf8"] == 1
