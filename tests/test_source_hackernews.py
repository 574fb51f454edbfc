"""The hackernews source: parse functions on the recorded Algolia pages, requests and paging, and
`scrapy crawl hackernews` replayed against the recorded web, then the report of its database.

Its manifest (every candidate's expected decision) is checked by tests/test_manifests.py.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime

import pytest
import scrapy
from scrapy.http import Request, TextResponse

from storycrawl.db import StoryStore
from storycrawl.parsers import ParseError
from storycrawl.parsers.hackernews import parse_search_page, post_from_hit
from storycrawl.report import build_report
from storycrawl.spiders.hackernews import HackerNewsSource, HackerNewsSpider
from tests.harness import crawl_async
from tests.utils import WEB, async_test, first_source, read_jsonl
from tests.utils import source_stat as stat

GROUP = WEB / "hackernews"
PAGES = GROUP / "files" / "algolia" / "search_by_date"
API = "https://hn.algolia.com/api/v1/search_by_date"
NOW = "2026-11-27T12:00:00Z"


def manifest() -> list[dict]:
    return read_jsonl(GROUP / "manifest.jsonl")


def page(name: str) -> bytes:
    return (PAGES / f"{name}.json").read_bytes()


# --- parse functions -----------------------------------------------------------------------


def test_recorded_pages_are_newest_first_with_their_paging():
    first, second = parse_search_page(page("rag_p0")), parse_search_page(page("rag_p1"))
    assert (first.page, first.nb_pages, first.nb_hits) == (0, 2, 9)
    assert (second.page, len(second.hits)) == (1, 2)
    dates = [post_from_hit(hit).published for hit in first.hits + second.hits]
    assert dates == sorted(dates, reverse=True)


def test_a_recorded_link_post_and_ask_hn_post_field_by_field():
    hits = {hit["objectID"]: hit for hit in parse_search_page(page("rag_p0")).hits}
    link = post_from_hit(hits["46210995"])
    assert link.is_link and link.url == "https://news.ycombinator.com/item?id=46210995"
    assert link.published == datetime(2025, 12, 9, 10, 12, 41, tzinfo=UTC)
    assert (link.points, link.site, link.hints["post_type"]) == (187, "hackernews", "link")
    ask = next(
        post_from_hit(hit)
        for hit in parse_search_page(page("rag_p1")).hits
        if "ask_hn" in hit["_tags"]
    )
    assert not ask.is_link and ask.text and "<p>" not in ask.text
    assert ask.hints == {"hn_kind": "ask_hn", "post_type": "text"}


def test_the_truncated_recorded_page_is_a_parse_error():
    with pytest.raises(ParseError, match="not JSON"):
        parse_search_page(page("evals_p1"))


def test_a_query_without_hits_has_no_pages():
    empty = parse_search_page(page("prompt-caching_p0"))
    assert (empty.hits, empty.nb_pages) == ([], 0)


# --- requests and paging -------------------------------------------------------------------


def source_of(settings: dict | None = None, **args) -> HackerNewsSource:
    return first_source(HackerNewsSpider, NOW, settings, **args)


def answer(request: scrapy.Request, body: bytes) -> list:
    response = TextResponse(
        url=request.url,
        body=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
        request=Request(request.url),
    )
    return list(request.callback(response, **request.cb_kwargs))


def searches(results: list) -> list[scrapy.Request]:
    return [r for r in results if isinstance(r, scrapy.Request) and r.url.startswith(API)]


def test_one_search_per_configured_query_from_since():
    source = source_of()
    requests = list(source.start_requests())
    assert len(requests) == len(source.config.queries) == 10
    first = requests[0]
    assert first.url.startswith(f"{API}?query=AI+engineer&tags=story&hitsPerPage=100&page=0")
    # since: 365 days before the crawl's clock, at midnight UTC.
    assert first.url.endswith("numericFilters=created_at_i%3E1764201600")
    assert first.meta["source"] == "hackernews"


def test_a_query_argument_replaces_the_configured_queries():
    (request,) = source_of(query="vector search").start_requests()
    assert "query=vector+search" in request.url


def test_the_next_page_is_asked_for_until_nb_pages():
    source = source_of()
    request = source.search_request("RAG", page=0)
    results = answer(request, page("rag_p0"))
    (following,) = searches(results)
    assert following.cb_kwargs == {"query": "RAG", "page": 1}
    assert searches(answer(following, page("rag_p1"))) == []
    assert stat(source, "pages") == 2


def test_a_thread_another_query_returned_is_one_candidate():
    source = source_of()
    answer(source.search_request("RAG", page=0), page("rag_p0"))
    taken = stat(source, "candidates")
    answer(source.search_request("RAG", page=0), page("rag_p0"))
    assert stat(source, "candidates") == taken
    assert stat(source, "skipped/seen_in_other_query") == taken


def test_limit_stops_taking_and_paging():
    source = source_of(limit="3")
    results = answer(source.search_request("RAG", page=0), page("rag_p0"))
    assert stat(source, "candidates") == 3 and stat(source, "limit_reached") == 1
    assert searches(results) == []


def test_the_truncated_page_is_counted_and_the_crawl_goes_on():
    source = source_of()
    assert answer(source.search_request("evals", page=1), page("evals_p1")) == []
    assert stat(source, "errors/bad_response") == 1


# --- the replayed crawl --------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawl(replayed):
    return replayed("hackernews")


@pytest.mark.e2e
def test_nothing_went_to_the_network_and_stats_match_the_db(crawl):
    run, stats = crawl["run"], crawl["stats"]
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
    assert stats["storycrawl/source/hackernews/candidates"] == len(manifest())


@pytest.mark.e2e
def test_every_included_story_went_through_the_pipelines_to_the_store(crawl):
    """Items Scrapy saw scraped (its signal) are the included rows of the database."""
    scraped = {item.url for item in crawl["items"]}
    assert scraped == {url for url, story in crawl["stories"].items() if story["include"]}
    assert all(item.source == "hackernews" and item.include for item in crawl["items"])


@pytest.mark.e2e
def test_report_lists_included_stories_newest_first(crawl, tmp_path):
    build_report(crawl["db_path"], tmp_path, min_stories=10)
    report = (tmp_path / "report.md").read_text()
    rows = re.findall(
        r"^\| (\d+) \| (\d{4}-\d{2}-\d{2}) \| \[.*?\]\((\S+)\)", report, flags=re.MULTILINE
    )
    included = {u for u, s in crawl["stories"].items() if s["include"]}
    assert {url for _, _, url in rows} == included
    dates = [date for _, date, _ in rows]
    assert dates == sorted(dates, reverse=True)
    assert [int(n) for n, _, _ in rows] == list(range(1, len(rows) + 1))
    exported = json.loads((tmp_path / "stories.json").read_text())
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
    csv_header = (tmp_path / "stories.csv").read_text().splitlines()[0]
    assert csv_header.split(",")[:4] == ["number", "url", "title", "published"]


def snapshot(db_path) -> tuple[list[str], list[str]]:
    db = StoryStore(db_path)
    try:
        return (
            sorted(json.dumps(r, sort_keys=True) for r in db.stories.rows),
            sorted(json.dumps(r, sort_keys=True) for r in db.rejections.rows),
        )
    finally:
        db.close()


@pytest.mark.e2e
@async_test
async def test_a_second_run_changes_nothing(crawl, tmp_path):
    db_path = tmp_path / "storycrawl.db"
    with sqlite3.connect(crawl["db_path"]) as first, sqlite3.connect(db_path) as copy:
        first.backup(copy)
    before = snapshot(db_path)
    again = await crawl_async("hackernews", tmp_path)
    assert again["run"]["finish_reason"] == "finished" and len(again["runs"]) == 2
    assert snapshot(db_path) == before
