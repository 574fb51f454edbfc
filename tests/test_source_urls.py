"""`scrapy crawl urls`: a file of URLs, JavaScript pages rendered in Debian's Chromium."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from storycrawl.parsers.urls import UrlLine, parse_url_file
from tests.browser import require_chromium
from tests.harness import crawl_async
from tests.utils import ROOT, WEB, LoopbackServer, Reply, async_test

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


@async_test
async def test_without_a_file_the_source_says_what_to_give(tmp_path):
    crawl = await crawl_async("urls", tmp_path, replay=False)
    assert crawl["run"]["finish_reason"] == "finished"
    assert "Source urls skipped: no URL file: give -a file=urls.txt" in crawl["log"]


@pytest.fixture(scope="module")
def replay(replayed):
    """The recording's URL file (recording.toml); its manifest is checked by test_manifests."""
    require_chromium()
    return replayed("urls")


@pytest.mark.browser
def test_replay_renders_the_javascript_page_from_the_recording(replay):
    crawl = replay
    stats = crawl["stats"]
    js_story = crawl["stories"]["https://app.quillpost.example/p/agent-retries"]
    assert "idempotency key" in js_story["text"], "the text only JavaScript puts on the page"
    assert js_story["title"].startswith("Our agent retried a refund 14 times")
    assert stats["storycrawl/replay/rendered"] == 1
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert stats["storycrawl/source/urls/errors/bad_line"] == 2


@pytest.mark.browser
@async_test
async def test_live_javascript_page_is_rendered_by_scrapy_playwright(tmp_path):
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
        crawl = await crawl_async(
            "urls",
            tmp_path,
            replay=False,
            args={"file": str(url_file)},
            settings={"AUTOTHROTTLE_ENABLED": False},
        )
    stories = list(crawl["stories"].values())
    rejections = crawl["rejections"]
    assert len(stories) == 1 and "idempotency key" in stories[0]["text"]
    assert [(r["reason"], r["evidence"]) for r in rejections] == [
        ("fetch_failed", "the page needs JavaScript to show its text (mark it `js` to render it)")
    ], "without `js` the same page has no text: the script never ran"
    assert server.requests_to("/api/posts/agent-retries.json"), "the browser ran the page's script"


@async_test
async def test_a_non_utf8_url_file_with_malformed_links_is_read_and_reported(tmp_path):
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
        crawl = await crawl_async(
            "urls",
            tmp_path,
            replay=False,
            args={"file": str(url_file)},
            settings={"AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False},
        )
        fetched = {entry["path"] for entry in server.log}
    log = crawl["log"]
    assert "not UTF-8 (byte 0xe9 on line 1); read as Windows-1252" in log
    assert ":3: skipped: bad port in the URL: 99999" in log
    assert ":4: skipped: malformed host" in log
    assert ":5: skipped: not an http(s) URL (scheme 'javascript')" in log
    assert "start_requests" not in log and "Traceback" not in log
    # "/" is the site's home page, read once by the source-type stage (tests/test_home_page.py).
    assert fetched - {"/"} == {"/notes/retries", "/notes/caf%C3%A9-agents"}
    stats = crawl["stats"]
    assert stats["storycrawl/source/urls/errors/bad_line"] == 3
    assert stats["storycrawl/source/urls/errors/not_utf8"] == 1
