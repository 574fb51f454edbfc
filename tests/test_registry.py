"""The source registry: one registration is all a new source needs.

A dummy source defined in a test module (tests/dummy_source.py) is listed by `scrapy list`,
runs in `all` with its own stats, has its section in the sources file, its text posts typed
social, and its platform named in the report, with no edit anywhere else.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import storycrawl.settings as project_settings
from storycrawl import registry
from storycrawl.report import build_report
from storycrawl.sources import SourcesError, load_sources
from tests.harness import crawl_async
from tests.utils import ROOT, LoopbackServer, Reply, async_test

BODY = (
    "Last spring I built the eval harness for our support agent. I wrote 300 golden "
    "conversations, an LLM-as-judge rubric and tool calling checks; we run the evals on every "
    "prompt change and they caught two regressions before we shipped them to production. "
) * 3
POSTS = [
    {"id": 2, "title": "How I built evals for our support agent", "author": "ana",
     "created": "2026-11-20T09:00:00Z", "body": BODY},
    {"id": 1, "title": "Our RAG retrieval in production, six months in", "author": "ben",
     "created": "2026-11-10T09:00:00Z",
     "body": BODY.replace("eval harness", "retrieval pipeline")},
]  # fmt: skip


@pytest.fixture
def dummy():
    """tests.dummy_source, registered for this test only."""
    module = importlib.import_module("tests.dummy_source")
    registry.register(module.INFO)  # again, when an earlier test unregistered it
    yield module
    registry.unregister("dummy")


def test_the_shipped_sources_in_the_order_all_runs_them():
    names = [info.name for info in registry.sources()]
    assert names[:8] == [
        "hackernews", "reddit", "devto", "lobsters", "mastodon", "bluesky", "feeds", "urls"
    ]  # fmt: skip
    assert project_settings.DOWNLOAD_SLOTS["hn.algolia.com"] == {"concurrency": 2, "delay": 0.4}
    assert registry.social_sources() >= {"hackernews", "reddit", "lobsters", "mastodon", "bluesky"}
    assert not registry.social_sources() & {"devto", "feeds", "urls"}


def test_a_name_registered_twice_with_other_details_is_refused(dummy):
    with pytest.raises(ValueError, match="'dummy' is already registered"):
        registry.register(registry.SourceInfo("dummy", "Other", "x.Source", "x.Config"))


def test_scrapy_list_lists_a_source_from_another_module():
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list",
         "-s", "SPIDER_MODULES=storycrawl.spiders,tests.dummy_source"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert {"all", "hackernews", "dummy"} <= set(result.stdout.split())


def test_the_sources_file_has_a_section_for_it(dummy, tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('[dummy]\napi_url = "http://127.0.0.1:9"\n')
    assert load_sources(path).dummy.api_url == "http://127.0.0.1:9"
    path.write_text('[dummy]\napi_url = "http://127.0.0.1:9"\npages = 3\n')
    with pytest.raises(SourcesError, match=r"dummy\.pages: Extra inputs are not permitted"):
        load_sources(path)


@async_test
async def test_all_runs_it_and_the_report_names_its_platform(dummy, tmp_path):
    routes = {
        "/posts.json": Reply(200, {"Content-Type": "application/json"}, json.dumps(POSTS).encode())
    }
    with LoopbackServer(routes) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[dummy]\napi_url = "{server.url}"\n')
        crawl = await crawl_async(
            "all",
            tmp_path,
            replay=False,
            settings={
                "STORYCRAWL_SOURCES": str(sources),
                "STORYCRAWL_NOW": "2026-11-27T12:00:00Z",
                "AUTOTHROTTLE_ENABLED": False,
            },
        )
    stats = crawl["stats"]
    assert stats["storycrawl/source/dummy/pages"] == 1
    assert stats["storycrawl/source/dummy/candidates"] == 2
    assert stats["storycrawl/source/dummy/included"] == 2
    assert stats["storycrawl/source/hackernews/skipped_reason"] == (
        "no [hackernews] section in the sources file"
    )
    stories = list(crawl["stories"].values())
    assert {s["source"] for s in stories} == {"dummy"}
    assert {s["source_type"] for s in stories} == {"social"}, "its text posts are social"
    assert {s["source_type_evidence"] for s in stories} == {"text post on dummy"}

    build_report(crawl["db_path"], tmp_path / "report", min_stories=1)
    report = (tmp_path / "report" / "report.md").read_text()
    assert "Dummy Board" in report
