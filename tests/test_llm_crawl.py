"""A replayed `scrapy crawl all` classified through the LLM path end to end, against a local chat server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from storycrawl.db import StoryDB
from tests.llm_server import ChatServer
from tests.utils import ROOT, WEB

pytestmark = pytest.mark.e2e


def crawl(db_path, server: ChatServer) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORYCRAWL_", "OPENAI_"))}
    env["OPENAI_BASE_URL"] = server.base_url
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "all", "-s", f"STORYCRAWL_REPLAY={WEB}",
         "-s", f"STORYCRAWL_DB={db_path}", "-s", "STORYCRAWL_CLASSIFIER=llm", "-s", "STORYCRAWL_LLM_MODEL=local-test"],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_crawl_classifies_through_the_llm_and_a_second_run_makes_no_call(tmp_path):
    db_path = tmp_path / "llm.db"
    with ChatServer(latency=0.01) as server:
        first = crawl(db_path, server)
        assert first.returncode == 0, first.stderr[-3000:]
        calls = server.calls
        second = crawl(db_path, server)
        assert second.returncode == 0, second.stderr[-3000:]
        assert server.calls == calls, "the second run made no LLM call"
    db = StoryDB(db_path)
    stories = list(db.iter_stories())
    usage = list(db.db.table("llm_usage").rows)
    db.close()
    assert calls > 100
    labelled_by_llm = [s for s in stories if s["classifier"] == "llm:local-test"]
    assert len(labelled_by_llm) == calls, "every call's page is stored with the model's labels"
    assert all(s["summary"] for s in labelled_by_llm)
    first_run = usage[0]
    assert first_run["calls"] == calls
    assert (
        first_run["prompt_tokens"] == 500 * calls and first_run["completion_tokens"] == 80 * calls
    )
    skipped = json.loads(first_run["skipped"])
    assert calls + sum(skipped.values()) == len(stories), (
        "every stored story: an LLM call or settled by rules"
    )
    assert set(skipped) <= {"off_topic", "too_short"}, "job postings never reach the classify stage"
    assert [s["classifier"] for s in stories if s["classifier"] != "llm:local-test"] == [
        "heuristic"
    ] * sum(skipped.values())
    request = server.log[0]["request"]
    assert request["model"] == "local-test" and request["response_format"]["type"] == "json_schema"
