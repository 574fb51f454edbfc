"""A replayed `scrapy crawl all` classified through the LLM path end to end, against a local chat server."""

from __future__ import annotations

import json

import pytest

from storycrawl.db import StoryDB
from tests.harness import crawl_async
from tests.llm_server import ChatServer
from tests.utils import async_test

pytestmark = pytest.mark.e2e


LLM = {"STORYCRAWL_CLASSIFIER": "llm", "STORYCRAWL_LLM_MODEL": "local-test"}


@async_test
async def test_crawl_classifies_through_the_llm_and_a_second_run_makes_no_call(tmp_path):
    with ChatServer(latency=0.01) as server:
        env = {"OPENAI_BASE_URL": server.base_url}
        first = await crawl_async("all", tmp_path, settings=LLM, env=env)
        assert first["run"]["finish_reason"] == "finished"
        calls = server.calls
        second = await crawl_async("all", tmp_path, settings=LLM, env=env)
        assert second["run"]["finish_reason"] == "finished"
        assert server.calls == calls, "the second run made no LLM call"
    db_path = first["db_path"]
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
