"""The devto source: parse functions on the recorded Forem API answers, requests and paging,
the headers DEV requires (over a real loopback server), and `scrapy crawl devto` replayed against
the recorded web."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, datetime

import pytest
import pytest_twisted
import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from storycrawl.classify.base import Document
from storycrawl.classify.source_type import source_type
from storycrawl.items import StoryItem
from storycrawl.parsers import ParseError
from storycrawl.parsers.devto import (
    API_ACCEPT,
    article_tags,
    body_text,
    canonical_elsewhere,
    matches_query,
    parse_article,
    parse_article_list,
    post_from_article,
    strip_front_matter,
)
from storycrawl.spiders.devto import DevtoSource, DevtoSpider
from tests.utils import WEB, LoopbackServer, Reply, first_source, make_crawler, read_jsonl
from tests.utils import source_stat as stat

GROUP = WEB / "devto"
FILES = GROUP / "files"
API = "https://dev.to/api"
LATEST = f"{API}/articles/latest?per_page=100&page=1"
NOW = "2026-11-27T12:00:00Z"
JSON_TYPE = "application/json; charset=utf-8"


def manifest() -> list[dict]:
    return read_jsonl(GROUP / "manifest.jsonl")


def entry(username: str) -> dict:
    return next(m for m in manifest() if f"/{username}/" in m["url"])


def page(number: int) -> list[dict]:
    return parse_article_list((FILES / f"latest_p{number}.json").read_bytes())


def listed(username: str) -> dict:
    wanted = entry(username)["id"]
    return next(a for n in (1, 3) for a in page(n) if a["id"] == wanted)


def shown(username: str) -> dict:
    return parse_article((FILES / "articles" / f"{entry(username)['id']}.json").read_bytes())


# --- parse functions -----------------------------------------------------------------------


def test_recorded_pages_are_full_newest_first_and_page_2_is_cut_off():
    for number in (1, 3):
        articles = page(number)
        assert len(articles) == 100
        dates = [a["published_at"] for a in articles]
        assert dates == sorted(dates, reverse=True)
        assert {a["type_of"] for a in articles} == {"article"}
    assert page(3)[-1]["published_at"] < "2025-11-27", "page 3 reaches since"
    with pytest.raises(ParseError, match="not JSON"):
        parse_article_list((FILES / "latest_p2.json").read_bytes(), "application/json")


def test_the_recorded_files_are_what_generate_py_writes():
    spec = importlib.util.spec_from_file_location("devto_generate", GROUP / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate  # its dataclass looks its module up
    try:
        spec.loader.exec_module(generate)
    finally:
        del sys.modules[spec.name]
    pages, _ = generate.build()
    for number in (1, 3):
        written = generate.rails_json([a.listed() for a in pages[number - 1]])
        assert written == (FILES / f"latest_p{number}.json").read_bytes(), number
    for article in generate.CANDIDATES:
        if article.fetch == "ok":
            recorded = (FILES / "articles" / f"{article.id}.json").read_bytes()
            assert generate.rails_json(article.shown()) == recorded, article.id


def test_listed_article_has_tag_list_array_tags_string_and_no_body():
    article = listed("lenahoffmann")
    assert article["tag_list"] == ["mcp", "ai", "postgres", "showdev"]
    assert article["tags"] == "mcp, ai, postgres, showdev"
    assert "body_html" not in article and "body_markdown" not in article
    assert article["flare_tag"]["name"] == "showdev"
    assert "organization" not in article
    post = post_from_article(article)
    assert post.text == ""
    assert post.hints == {"post_type": "text", "devto_tags": "mcp,ai,postgres,showdev"}


def test_single_article_swaps_the_tags_and_parses_field_by_field():
    article = shown("lenahoffmann")
    assert article["tag_list"] == "mcp, ai, postgres, showdev"
    assert article["tags"] == ["mcp", "ai", "postgres", "showdev"]
    assert article_tags(article) == article_tags(listed("lenahoffmann"))
    post = post_from_article(article)
    expected = entry("lenahoffmann")
    assert post.source == "devto" and post.id == str(expected["id"])
    assert post.url == expected["url"] and post.site == "dev.to"
    assert post.title.startswith("I built an MCP server for our analytics Postgres")
    assert post.author == "Lena Hoffmann"
    assert post.published == datetime(2026, 10, 29, 11, 15, 2, tzinfo=UTC)
    assert (post.points, post.comments) == (166, 17)
    assert not post.is_link
    assert post.hints == {"post_type": "text", "devto_tags": "mcp,ai,postgres,showdev"}


def test_body_text_from_body_html_without_dev_markup():
    raw = (FILES / "articles" / f"{entry('lenahoffmann')['id']}.json").read_bytes()
    assert b"\\u003cp\\u003e" in raw, "Rails escapes < and > in JSON strings"
    text = post_from_article(shown("lenahoffmann")).text
    assert text.startswith("Our analysts ask the same kind of question all day")
    assert "Version one: one tool" in text, "headings are kept as text"
    assert 'server.tool(\n"conversion_by_cohort"' in text, "code blocks are kept"
    assert "fullscreen" not in text, "DEV's code-block buttons are dropped"
    assert "<p>" not in text and "<h2>" not in text and "&amp;" not in text


def test_organization_article_is_company():
    article = shown("quillstack")
    assert article["organization"]["slug"] == "quillstack"
    assert article["path"].startswith("/quillstack/")
    assert article["user"]["username"] == "danokoro"
    post = post_from_article(article)
    assert post.hints["organization"] == "Quillstack"
    assert post.author == "Daniel Okoro"
    doc = Document(url=post.url, title=post.title, text=post.text, hints=post.hints)
    assert source_type(doc).value == "company"
    personal = post_from_article(shown("martakowalczyk"))
    assert "organization" not in personal.hints
    doc = Document(url=personal.url, title=personal.title, text=personal.text, hints=personal.hints)
    assert source_type(doc).value == "personal"


def test_cross_post_keeps_its_canonical_url():
    article = shown("kwameasante")
    blog = "https://kwameasante.dev/blog/incident-agent-tool-loop/"
    assert article["canonical_url"] == blog
    post = post_from_article(article)
    assert post.hints["canonical"] == blog
    assert post.url.startswith("https://dev.to/kwameasante/")
    # DEV fills canonical_url with the article's own URL when there is no original elsewhere.
    own = shown("martakowalczyk")
    assert own["canonical_url"] == own["url"]
    assert canonical_elsewhere(own) is None
    assert "canonical" not in post_from_article(own).hints
    assert canonical_elsewhere({"canonical_url": "https://www.dev.to/x/y"}) is None


def test_front_matter_is_stripped_from_body_markdown():
    article = shown("kwameasante")
    markdown = article["body_markdown"]
    assert markdown.startswith("---\ntitle: My incident agent called search_logs 41 times")
    assert "canonical_url: https://kwameasante.dev/" in markdown
    assert "canonical_url" not in article["body_html"]
    stripped = strip_front_matter(markdown)
    assert stripped.startswith("*Originally published on [my blog]")
    # Without body_html the text comes from the Markdown, front matter left out.
    text = body_text({**article, "body_html": ""})
    assert text.startswith("*Originally published") and "published: true" not in text
    assert strip_front_matter("No front matter here.\n---\nA rule, not a block.") == (
        "No front matter here.\n---\nA rule, not a block."
    )


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ((FILES / "latest_p2.json").read_bytes(), "application/json", "not JSON"),
        (b"<html><body>Forbidden Bots</body></html>", "text/html", r"not JSON \(text/html\)"),
        (b'{"error":"not found","status":404}', "application/json", "expected a JSON array"),
    ],
)
def test_bad_list_bodies(body, content_type, message):
    with pytest.raises(ParseError, match=message):
        parse_article_list(body, content_type)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (f"articles/{entry('hannahweber')['id']}.json", "not JSON"),
        ("not_found.json", "not an article"),
        ("latest_p1.json", "not an article"),
    ],
)
def test_bad_article_bodies(name, message):
    with pytest.raises(ParseError, match=message):
        parse_article((FILES / name).read_bytes(), "application/json")


def test_the_v1_vendor_type_is_json():
    body = (FILES / "articles" / f"{entry('lenahoffmann')['id']}.json").read_bytes()
    assert parse_article(body, API_ACCEPT)["id"] == entry("lenahoffmann")["id"]


@pytest.mark.parametrize("missing", ["id", "url", "title"])
def test_articles_without_id_url_or_title_are_not_posts(missing):
    assert post_from_article({**shown("lenahoffmann"), missing: ""}) is None


def test_query_words_must_all_be_in_title_description_or_tags():
    article = listed("lenahoffmann")
    assert matches_query(article, "MCP server")
    assert matches_query(article, "postgres showdev"), "tags count"
    assert not matches_query(article, "MCP kubernetes")
    assert not matches_query(article, "  ")
    # A word ending a sentence, or before the "..." of DEV's cut description, is a word.
    assert matches_query({**article, "tag_list": []}, "postgres")
    described = listed("martakowalczyk")
    assert described["description"].endswith("SaaS. Customers ask it...")
    assert matches_query({**described, "tag_list": []}, "payroll saas ask it")
    # Dots and hyphens inside a word stay part of it.
    assert matches_query({"title": "Moving to Node.js and fine-tuning", "tag_list": []}, "node.js")
    assert not matches_query({"title": "Moving to Node.js", "tag_list": []}, "node")


# --- requests and paging -------------------------------------------------------------------


def source_of(settings: dict | None = None, **args) -> DevtoSource:
    return first_source(DevtoSpider, NOW, settings, **args)


def latest_response(articles: list[dict], number: int = 1) -> TextResponse:
    url = f"{API}/articles/latest?per_page=100&page={number}"
    return TextResponse(
        url=url,
        body=json.dumps(articles).encode(),
        headers={"Content-Type": JSON_TYPE},
        request=Request(url),
    )


def split(results) -> tuple[list[str], list[str], list]:
    """Page requests, article requests, items."""
    results = list(results)
    requests = [r for r in results if isinstance(r, scrapy.Request)]
    pages = [r.url for r in requests if "/articles/latest?" in r.url]
    articles = [r.url for r in requests if "/articles/latest?" not in r.url]
    return pages, articles, [r for r in results if not isinstance(r, scrapy.Request)]


def test_first_request_is_the_latest_page_with_the_v1_accept_header():
    source = source_of()
    (request,) = source.start_requests()
    assert request.url == LATEST
    assert request.headers["Accept"] == API_ACCEPT.encode()
    assert request.cb_kwargs == {"page": 1}
    assert request.meta["source"] == "devto"
    assert source.article_url("3517582") == f"{API}/articles/3517582"


def test_a_full_page_asks_for_the_next_one_and_the_tagged_articles():
    source = source_of()
    pages, articles, items = split(source.parse_latest(latest_response(page(1)), page=1))
    assert pages == [f"{API}/articles/latest?per_page=100&page=2"]
    expected = [f"{API}/articles/{m['id']}" for m in manifest() if m["page"] == 1]
    assert sorted(articles) == sorted(expected)
    assert items == []
    assert stat(source, "candidates") == 18
    assert stat(source, "skipped/other_tags") == 82
    assert stat(source, "pages") == 1


def test_an_article_request_carries_the_listed_post():
    source = source_of()
    listed_post = post_from_article(listed("lenahoffmann"))
    request = source.article_request(listed_post)
    assert request.headers["Accept"] == API_ACCEPT.encode()
    assert request.cb_kwargs["listed"] is listed_post
    assert request.errback == source.article_failed


def test_paging_stops_at_a_short_page_and_at_max_pages():
    source = source_of()
    pages, articles, _ = split(source.parse_latest(latest_response(page(1)[:40]), page=1))
    assert pages == [] and articles, "a short page is the last one"
    source = source_of()
    pages, _, _ = split(source.parse_latest(latest_response(page(1)), page=5))
    assert pages == [], "max_pages = 5 in the shipped sources.toml"


def test_paging_stops_at_since():
    source = source_of()
    pages, articles, _ = split(source.parse_latest(latest_response(page(3)), page=3))
    assert pages == []
    assert len(articles) == 7
    assert stat(source, "out_of_range") == 1, "the older article with configured tags"
    source = source_of(since="2026-10-01")
    pages, articles, _ = split(source.parse_latest(latest_response(page(1)), page=1))
    assert pages == []
    in_window = [m for m in manifest() if m["page"] == 1 and m["published"] >= "2026-10-01"]
    assert len(articles) == len(in_window) == 9
    assert stat(source, "out_of_range") == 9


def test_limit_stops_taking_and_paging():
    source = source_of(limit="3")
    pages, articles, _ = split(source.parse_latest(latest_response(page(1)), page=1))
    assert pages == [] and len(articles) == 3
    assert stat(source, "limit_reached") == 1
    assert source.exhausted


def test_query_replaces_the_tag_filter():
    source = source_of(query="MCP server")
    pages, articles, _ = split(source.parse_latest(latest_response(page(1)), page=1))
    assert articles == [f"{API}/articles/{entry('lenahoffmann')['id']}"]
    assert stat(source, "skipped/query_not_matched") == 99
    assert pages, "the query filters pages, it does not stop paging"
    # A query matches on any tag, configured or not.
    source = source_of(query="kubernetes")
    _, articles, _ = split(source.parse_latest(latest_response(page(1)), page=1))
    assert len(articles) > 1
    assert stat(source, "skipped/other_tags") is None


def test_an_article_pushed_onto_the_next_page_is_taken_once():
    source = source_of()
    list(source.parse_latest(latest_response(page(1)), page=1))
    _, articles, _ = split(source.parse_latest(latest_response(page(1)[-3:] + page(3)), page=2))
    assert stat(source, "skipped/seen_on_previous_page") == 3
    assert len(articles) == 7


def test_a_malformed_page_is_counted_and_the_next_page_still_read():
    source = source_of()
    url = f"{API}/articles/latest?per_page=100&page=2"
    response = TextResponse(
        url=url,
        body=(FILES / "latest_p2.json").read_bytes(),
        headers={"Content-Type": JSON_TYPE},
        request=Request(url),
    )
    pages, articles, _ = split(source.parse_latest(response, page=2))
    assert pages == [f"{API}/articles/latest?per_page=100&page=3"] and articles == []
    assert stat(source, "errors/bad_response") == 1
    source = source_of()
    pages, _, _ = split(source.parse_latest(response, page=5))
    assert pages == [], "max_pages still bounds the paging"


def article_response(name: str, url: str, status: int = 200) -> TextResponse:
    return TextResponse(
        url=url,
        status=status,
        body=(FILES / name).read_bytes(),
        headers={"Content-Type": JSON_TYPE},
        request=Request(url),
    )


def test_an_article_becomes_a_text_story():
    source = source_of()
    expected = entry("quillstack")
    listed_post = post_from_article(listed("quillstack"))
    url = source.article_url(listed_post.id)
    (item,) = source.parse_article(
        article_response(f"articles/{expected['id']}.json", url), listed=listed_post
    )
    assert isinstance(item, StoryItem)
    assert item.url == expected["url"] and item.source == "devto" and item.site == "dev.to"
    assert item.hints["organization"] == "Quillstack" and item.hints["post_type"] == "text"
    assert item.text.startswith("Quillstack turns product specs into draft documentation")
    assert [d.url for d in item.discussions] == [expected["url"]]
    assert stat(source, "articles") == 1


def test_an_unreadable_article_is_a_failed_item():
    source = source_of()
    expected = entry("hannahweber")
    listed_post = post_from_article(listed("hannahweber"))
    url = source.article_url(listed_post.id)
    (item,) = source.parse_article(
        article_response(f"articles/{expected['id']}.json", url), listed=listed_post
    )
    assert item.url == expected["url"]
    assert item.fetch_error.startswith("not an article: not JSON")
    assert stat(source, "errors/bad_response") == 1


def test_an_article_answering_404_is_a_failed_item():
    source = source_of()
    listed_post = post_from_article(listed("olivergrant"))
    request = source.article_request(listed_post)
    response = Response(
        request.url, status=404, body=(FILES / "not_found.json").read_bytes(), request=request
    )
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request
    (item,) = source.article_failed(failure)
    assert item.url == entry("olivergrant")["url"]
    assert item.fetch_error == "HTTP 404"
    assert stat(source, "errors/http_404") == 1


# --- the real download path ----------------------------------------------------------------


@pytest_twisted.inlineCallbacks
def test_requests_carry_the_v1_accept_header_and_a_descriptive_user_agent(tmp_path):
    ids = [entry(name)["id"] for name in ("priyacodes", "martakowalczyk", "kwameasante")]
    routes = {
        "/robots.txt": Reply(
            200, {"Content-Type": "text/plain"}, (FILES / "robots.txt").read_bytes()
        ),
        "/api/articles/latest": Reply(
            200, {"Content-Type": JSON_TYPE}, (FILES / "latest_p1.json").read_bytes()
        ),
    }
    for article_id in ids:
        routes[f"/api/articles/{article_id}"] = Reply(
            200,
            {"Content-Type": JSON_TYPE},
            (FILES / "articles" / f"{article_id}.json").read_bytes(),
        )
    with LoopbackServer(routes) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'[devto]\napi_url = "{server.url}/api"\ntags = ["rag", "agents"]\nmax_pages = 1\n'
        )
        crawler = make_crawler(
            DevtoSpider,
            {
                "STORYCRAWL_DB": str(tmp_path / "t.db"),
                "STORYCRAWL_SOURCES": str(sources),
                "STORYCRAWL_NOW": NOW,
                "STORYCRAWL_CONTACT": "mailto:ops@example.org",
                "AUTOTHROTTLE_ENABLED": False,
            },
        )
        yield deferred_from_coro(crawler.crawl_async(limit="3"))

    api_calls = server.requests_to("/api/")
    assert api_calls[0]["path"] == "/api/articles/latest?per_page=100&page=1"
    assert sorted(c["path"] for c in api_calls[1:]) == sorted(f"/api/articles/{i}" for i in ids)
    for call in api_calls:
        assert call["headers"]["Accept"] == API_ACCEPT
        user_agent = call["headers"]["User-Agent"]
        assert user_agent.startswith("storycrawl/") and "mailto:ops@example.org" in user_agent
    assert server.requests_to("/robots.txt"), "robots.txt is read, and /api/ is allowed"
    stats = crawler.stats
    assert stats.get_value("robotstxt/forbidden") is None
    assert stats.get_value("storycrawl/source/devto/articles") == 3
    assert stats.get_value("storycrawl/source/devto/limit_reached") == 1


# --- the replayed crawl --------------------------------------------------------------------


@pytest.fixture(scope="module")
def replay(replayed) -> dict:
    return replayed("devto")


@pytest.mark.e2e
def test_labels_dates_threads_and_hints_match_the_manifest(replay):
    for m in manifest():
        story = replay["stories"].get(m["url"])
        if m["expect"] in ("fetch_failed", "job_posting"):
            # Rejected before the store stage: only in the rejections table.
            assert story is None, m["url"]
            continue
        assert story is not None, m["url"]
        assert story["published"][:10] == m["published"], m["url"]
        assert story["source"] == "devto" and story["site"] == "dev.to"
        assert story["source_type"] == m["source_type"], m["url"]
        assert [d["url"] for d in story["discussions"]] == [m["via"]], m["url"]
        assert story["hints"].get("organization") == m.get("organization"), m["url"]
        assert story["hints"].get("canonical") == m.get("canonical"), m["url"]


@pytest.mark.e2e
def test_stats_paging_errors_and_nothing_missing(replay):
    stats = replay["stats"]
    source = "storycrawl/source/devto/"
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert "robotstxt/forbidden" not in stats
    # Pages 1 and 3 parse, page 2 is cut off; page 3 reaches since, so no page 4.
    assert stats[source + "pages"] == 2
    assert stats[source + "errors/bad_response"] == 2, "page 2 and one article body"
    assert stats[source + "candidates"] == len(manifest()) == 25
    assert stats[source + "skipped/other_tags"] == 174
    assert stats[source + "out_of_range"] == 1
    assert stats[source + "articles"] == 22
    assert stats[source + "errors/http_404"] == 1
    # The throttled article answers 429 to the request and to every retry.
    assert stats[source + "errors/http_429"] == 1
    assert stats["storycrawl/retry_after/retried"] == 3
    # robots.txt, three pages, 25 articles and the three retries.
    assert stats["downloader/request_count"] == 1 + 3 + 25 + 3
    assert "page=4" not in replay["log"]
    rejected = {r["url"] for r in replay["rejections"] if r["reason"] == "fetch_failed"}
    assert rejected == {m["url"] for m in manifest() if m["expect"] == "fetch_failed"}


def test_older_list_items_with_only_positive_reactions_count_get_points():
    # #13 row 12: the older API's list items had no public_reactions_count.
    older = {
        "type_of": "article", "id": 1234567, "title": "How we cut our LLM bill",
        "description": "Caching and smaller models", "url": "https://dev.to/jo/how-we-cut-our-llm-bill-4k2j",
        "comments_count": 3, "positive_reactions_count": 41, "published_at": "2026-03-04T09:00:00Z",
        "tag_list": ["llm", "cost"], "tags": "llm, cost", "user": {"name": "Jo", "username": "jo"},
    }  # fmt: skip
    post = post_from_article(older)
    assert (post.points, post.comments) == (41, 3)
    assert post_from_article({**older, "public_reactions_count": 44}).points == 44
    # An older item with only published_timestamp is still dated.
    older.pop("published_at")
    assert post_from_article({**older, "published_timestamp": "2026-03-04T09:00:00Z"}).published


def test_the_recorded_older_api_page_gets_points_from_positive_reactions():
    older = page(3)
    assert older and all("public_reactions_count" not in a for a in older)
    assert all(post_from_article(a).points == a["positive_reactions_count"] for a in older)
    assert all("public_reactions_count" in a for a in page(1))
