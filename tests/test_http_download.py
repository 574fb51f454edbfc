"""The real download path (Twisted HTTP client, robots.txt, retries) against a loopback server."""

import json
import time

import pytest
import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from storycrawl.db import StoryDB
from storycrawl.middlewares import seconds_until
from storycrawl.spiders.hackernews import HackerNewsSpider
from tests.utils import LoopbackServer, Reply, make_crawler

ARTICLE = """<html><head><title>Our agent's eval harness</title>
<meta property="article:published_time" content="2026-10-01T09:00:00+00:00"></head>
<body><article><h1>Our agent's eval harness</h1>{}</article></body></html>""".format(
    "<p>We built an eval harness for our support agent last spring. I wrote 300 golden cases, "
    "an LLM-as-judge rubric and tool calling checks; we run the evals on every prompt change "
    "and it caught two regressions before we shipped them to production.</p>" * 4
)


def algolia_page(server_url: str) -> bytes:
    hits = [
        {
            "objectID": "1001",
            "title": "Our agent's eval harness",
            "url": f"{server_url}/blog/evals",
            "author": "a",
            "points": 10,
            "num_comments": 2,
            "story_text": None,
            "created_at": "2026-10-01T10:00:00.000Z",
            "created_at_i": 1790848800,
            "_tags": ["story", "author_a", "story_1001"],
        },
        {
            "objectID": "1002",
            "title": "Private page",
            "url": f"{server_url}/private/page",
            "author": "b",
            "points": 3,
            "num_comments": 0,
            "story_text": None,
            "created_at": "2026-10-02T10:00:00.000Z",
            "created_at_i": 1790935200,
            "_tags": ["story", "author_b", "story_1002"],
        },
    ]
    return json.dumps(
        {"hits": hits, "nbHits": 2, "page": 0, "nbPages": 1, "hitsPerPage": 100}
    ).encode()


@pytest.fixture
def sources_file(tmp_path):
    def write(api_url: str):
        path = tmp_path / "sources.toml"
        path.write_text(f'[hackernews]\napi_url = "{api_url}/api/v1"\nqueries = ["evals"]\n')
        return path

    return write


def test_seconds_until_reads_every_header_form():
    now = 1_790_000_000.0
    assert seconds_until("2") == 2.0
    assert seconds_until(b"0.5") == 0.5
    assert seconds_until(str(now + 30), now=now) == pytest.approx(30)
    assert seconds_until("Wed, 21 Oct 2026 07:28:10 GMT", now=1792567680.0) == pytest.approx(10)
    assert seconds_until("2026-10-21T07:28:10.000Z", now=1792567680.0) == pytest.approx(10)
    assert seconds_until("soon") is None
    assert seconds_until(None) is None


@pytest_twisted.inlineCallbacks
def test_retry_after_is_honoured_and_robots_txt_obeyed(tmp_path, sources_file):
    routes = {
        "/robots.txt": Reply(
            200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
        ),
        "/blog/evals": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE.encode()),
        "/private/page": Reply(200, {"Content-Type": "text/html"}, b"<p>secret</p>"),
    }
    with LoopbackServer(routes) as server:
        server.routes["/api/v1/search_by_date"] = [
            Reply(
                429,
                {"Retry-After": "1", "Content-Type": "text/html"},
                b"<html>Too Many Requests</html>",
            ),
            Reply(200, {"Content-Type": "application/json"}, algolia_page(server.url)),
        ]
        db_path = tmp_path / "t.db"
        crawler = make_crawler(
            HackerNewsSpider,
            {
                "STORYCRAWL_DB": str(db_path),
                "STORYCRAWL_SOURCES": str(sources_file(server.url)),
                "STORYCRAWL_NOW": "2026-11-27T12:00:00Z",
                "STORYCRAWL_CONTACT": "mailto:ops@example.org",
                "AUTOTHROTTLE_ENABLED": False,
            },
        )
        started = time.monotonic()
        yield deferred_from_coro(crawler.crawl_async(since="2026-09-01"))

    api_calls = server.requests_to("/api/v1/search_by_date")
    assert len(api_calls) == 2, "one 429, then the retry"
    assert api_calls[1]["time"] - api_calls[0]["time"] >= 0.95, "the retry waited for Retry-After"
    assert time.monotonic() - started < 30
    assert crawler.stats.get_value("storycrawl/retry_after/retried") == 1
    assert not server.requests_to("/private/"), "robots.txt forbids /private/"
    assert crawler.stats.get_value("robotstxt/forbidden") == 1
    user_agent = api_calls[0]["headers"]["User-Agent"]
    assert user_agent.startswith("storycrawl/") and "mailto:ops@example.org" in user_agent

    db = StoryDB(db_path)
    stories = list(db.iter_stories())
    rejections = list(db.rejections.rows)
    db.close()
    assert [s["url"] for s in stories] == [
        f"{server.url.replace('http://', 'https://')}/blog/evals"
    ]
    assert stories[0]["include"] is True
    assert [(r["reason"], r["evidence"]) for r in rejections] == [
        ("fetch_failed", "Forbidden by robots.txt")
    ]
