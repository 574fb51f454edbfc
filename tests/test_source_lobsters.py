"""The lobsters source: parse functions on the recorded listing, requests and paging, and
`scrapy crawl lobsters` replayed against the recorded web (with and without the robots opt-in)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, TextResponse
from twisted.python.failure import Failure

from storycrawl.parsers import ParseError
from storycrawl.parsers.lobsters import STORIES_PER_PAGE, parse_story_list, post_from_story
from storycrawl.spiders.lobsters import LobstersSource, LobstersSpider
from tests.utils import WEB, first_source, read_jsonl

GROUP = WEB / "lobsters"
PAGE = GROUP / "files" / "t_ai_vibecoding.json"
LISTING = "https://lobste.rs/t/ai,vibecoding.json"
NOW = "2026-11-27T12:00:00Z"


def stories() -> list[dict]:
    return parse_story_list(PAGE.read_bytes())


def story(short_id: str) -> dict:
    return next(s for s in stories() if s["short_id"] == short_id)


def manifest() -> list[dict]:
    return read_jsonl(GROUP / "manifest.jsonl")


# --- parse functions -----------------------------------------------------------------------


def test_the_recorded_page_is_a_full_page_newest_first():
    page = stories()
    assert len(page) == STORIES_PER_PAGE
    dates = [post_from_story(s).published for s in page]
    assert dates == sorted(dates, reverse=True)


def test_text_post_field_by_field():
    post = post_from_story(story("q7xk2m"))
    assert post.source == "lobsters" and post.id == "q7xk2m"
    assert post.url == "https://lobste.rs/s/q7xk2m"
    assert post.title.startswith("Our prompt-versioning setup after 14 prompts")
    assert post.author == "halvard"
    # Rails' US Central time with its offset, as UTC.
    assert post.published == datetime(2026, 11, 26, 14, 14, 51, tzinfo=UTC)
    assert not post.is_link and post.link is None
    assert post.text.startswith("We run 14 prompts in production")
    assert "Shared fragments." in post.text and "<p>" not in post.text
    assert (post.points, post.comments, post.site) == (11, 9, "lobsters")
    assert post.hints == {
        "post_type": "text",
        "user_is_author": "true",
        "lobsters_tags": "ai,practices",
    }
    assert post.article_hints == {}


def test_link_post_field_by_field():
    post = post_from_story(story("r4bz9w"))
    assert post.is_link
    assert post.link == "https://engineering.tallyworks.io/posts/prompt-caching-timestamp/"
    assert post.url == "https://lobste.rs/s/r4bz9w"
    # 21:40 on the 25th in Chicago is the 26th in UTC.
    assert post.published == datetime(2026, 11, 26, 3, 40, 12, tzinfo=UTC)
    assert post.text == ""
    assert post.hints["post_type"] == "link"
    assert post.article_hints == {"user_is_author": "true"}
    discussion = post.discussion()
    assert (discussion.url, discussion.site, discussion.points, discussion.comments) == (
        "https://lobste.rs/s/r4bz9w",
        "lobsters",
        34,
        17,
    )


def test_daylight_saving_offset_and_submitter_not_author():
    post = post_from_story(story("ug8s2c"))  # -05:00 before 1 November
    assert post.published == datetime(2026, 10, 30, 15, 2, 50, tzinfo=UTC)
    assert post.hints["user_is_author"] == "false"
    assert post.article_hints == {"user_is_author": "false"}


def test_submitter_as_a_user_object_before_2024():
    post = post_from_story({**story("q7xk2m"), "submitter_user": {"username": "halvard"}})
    assert post.author == "halvard"


@pytest.mark.parametrize("missing", ["short_id", "title"])
def test_stories_without_id_or_title_are_not_posts(missing):
    assert post_from_story({**story("q7xk2m"), missing: ""}) is None


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", r"not JSON \(text/html\)"),
        (b'[{"short_id": "abc"', "application/json", "not JSON"),
        (b'{"error": "not found"}', "application/json", "expected a JSON array"),
    ],
)
def test_bad_listing_bodies(body, content_type, message):
    with pytest.raises(ParseError, match=message):
        parse_story_list(body, content_type)


# --- requests and paging -------------------------------------------------------------------


def source_of(settings: dict | None = None, **args) -> LobstersSource:
    return first_source(LobstersSpider, NOW, settings, **args)


def listing_response(page: list[dict], url: str = LISTING) -> TextResponse:
    return TextResponse(
        url=url,
        body=json.dumps(page).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        request=Request(url),
    )


def split(results) -> tuple[list[scrapy.Request], list]:
    results = list(results)
    return [r for r in results if isinstance(r, scrapy.Request)], [
        r for r in results if not isinstance(r, scrapy.Request)
    ]


def listings(requests: list[scrapy.Request]) -> list[str]:
    return [r.url for r in requests if r.url.startswith("https://lobste.rs/")]


def test_one_listing_for_all_tags_obeying_robots_by_default():
    source = source_of()
    (request,) = source.start_requests()
    assert request.url == LISTING
    assert "dont_obey_robotstxt" not in request.meta
    assert request.cb_kwargs == {"page": 1}
    assert source.listing_url(3) == "https://lobste.rs/t/ai,vibecoding/page/3.json"


def test_opting_in_marks_the_source_requests(caplog):
    source = source_of({"STORYCRAWL_LOBSTERS_IGNORE_ROBOTS": "True"})
    with caplog.at_level(logging.WARNING):
        (request,) = source.start_requests()
    assert request.meta["dont_obey_robotstxt"] is True
    assert "STORYCRAWL_LOBSTERS_IGNORE_ROBOTS is set" in caplog.text


def test_a_full_page_is_followed_by_the_next_one():
    source = source_of()
    requests, items = split(source.parse_listing(listing_response(stories()), page=1))
    assert listings(requests) == ["https://lobste.rs/t/ai,vibecoding/page/2.json"]
    assert len(items) == 7, "text posts are stories"
    assert len(requests) - 1 == 18, "each link post's article is requested once"
    stats = source.spider.crawler.stats
    assert stats.get_value("storycrawl/source/lobsters/candidates") == 25


def test_no_next_page_after_a_short_page_or_max_pages():
    source = source_of()
    requests, _ = split(source.parse_listing(listing_response(stories()[:10]), page=1))
    assert listings(requests) == []
    requests, _ = split(source.parse_listing(listing_response(stories()), page=3))
    assert listings(requests) == [], "max_pages = 3 in the shipped sources.toml"


def test_paging_stops_at_since():
    source = source_of(since="2026-11-01")
    requests, items = split(source.parse_listing(listing_response(stories()), page=1))
    assert listings(requests) == []
    assert len(items) == 6, "the text posts since 1 November"
    stats = source.spider.crawler.stats
    assert stats.get_value("storycrawl/source/lobsters/out_of_range") == 3
    assert stats.get_value("storycrawl/source/lobsters/candidates") == 22


def test_limit_stops_taking_and_paging():
    source = source_of(limit="3")
    requests, items = split(source.parse_listing(listing_response(stories()), page=1))
    assert listings(requests) == []
    assert len(items) + len(requests) == 3
    assert source.spider.crawler.stats.get_value("storycrawl/source/lobsters/limit_reached") == 1


def test_a_story_pushed_onto_the_next_page_is_taken_once():
    source = source_of()
    list(source.parse_listing(listing_response(stories()), page=1))
    _, items = split(source.parse_listing(listing_response(stories()[-2:]), page=2))
    assert items == []
    stats = source.spider.crawler.stats
    assert stats.get_value("storycrawl/source/lobsters/skipped/seen_on_previous_page") == 2


def test_an_html_error_page_is_counted_not_parsed():
    source = source_of()
    response = TextResponse(
        url=LISTING,
        body=b"<html><body><h1>Lobsters HTTP 500</h1></body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=Request(LISTING),
    )
    assert list(source.parse_listing(response, page=1)) == []
    stats = source.spider.crawler.stats
    assert stats.get_value("storycrawl/source/lobsters/errors/bad_response") == 1


def test_robots_refusals_are_counted_and_explained_once(caplog):
    source = source_of()
    with caplog.at_level(logging.WARNING):
        for page in (1, 2):
            failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
            failure.request = source.listing_request(page)
            source.listing_failed(failure)
    stats = source.spider.crawler.stats
    assert stats.get_value("storycrawl/source/lobsters/robots_forbidden") == 2
    lines = [r.getMessage() for r in caplog.records if "asks bots not to crawl" in r.getMessage()]
    assert len(lines) == 1
    assert "-s STORYCRAWL_LOBSTERS_IGNORE_ROBOTS=True" in lines[0]


# --- the replayed crawl --------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_crawl(replayed):
    return replayed("lobsters")


@pytest.fixture(scope="module")
def opted_in(replayed):
    return replayed("lobsters", settings={"STORYCRAWL_LOBSTERS_IGNORE_ROBOTS": True})


@pytest.mark.e2e
def test_by_default_only_robots_txt_is_fetched_and_nothing_collected(default_crawl):
    stats = default_crawl["stats"]
    assert stats["downloader/request_count"] == 1, "robots.txt only"
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert stats["storycrawl/replay/served"] == 1
    assert stats["robotstxt/forbidden"] == 1
    assert stats["storycrawl/source/lobsters/robots_forbidden"] == 1
    assert "storycrawl/source/lobsters/pages" not in stats
    assert default_crawl["stories"] == {} and default_crawl["rejections"] == []
    told = [line for line in default_crawl["log"].splitlines() if "asks bots not to" in line]
    assert len(told) == 1 and "STORYCRAWL_LOBSTERS_IGNORE_ROBOTS=True" in told[0]


@pytest.mark.e2e
def test_opted_in_labels_dates_and_threads_match_the_manifest(opted_in):
    for entry in manifest():
        if entry["expect"] != "include":
            continue
        story = opted_in["stories"][entry["url"]]
        assert story["source_type"] == entry["source_type"], entry["url"]
        assert story["published"][:10] == entry["published"], entry["url"]
        assert entry["via"] in {d["url"] for d in story["discussions"]}, entry["url"]
        assert {d["site"] for d in story["discussions"]} == {"lobsters"}
        assert story["hints"]["user_is_author"] == str(entry["user_is_author"]).lower()


@pytest.mark.e2e
def test_opted_in_stats_the_throttled_page_and_nothing_missing(opted_in):
    stats = opted_in["stats"]
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert "robotstxt/forbidden" not in stats
    assert stats["storycrawl/source/lobsters/pages"] == 1
    assert stats["storycrawl/source/lobsters/candidates"] == 25
    # Page 2 answers 429 to the request and to every retry: counted, the crawl goes on.
    assert stats["storycrawl/source/lobsters/errors/http_429"] == 1
    assert stats["storycrawl/retry_after/retried"] >= 1
    assert "STORYCRAWL_LOBSTERS_IGNORE_ROBOTS is set" in opted_in["log"]
    assert "asks bots not to crawl it (robots.txt" not in opted_in["log"]


def test_the_recorded_page_holds_both_submitter_shapes():
    stories = parse_story_list((WEB / "lobsters" / "files" / "t_ai_vibecoding.json").read_bytes())
    shapes = [isinstance(s["submitter_user"], dict) for s in stories]
    assert shapes.count(True) == 2 and shapes.count(False) == 23
    assert [post_from_story(s).author for s in stories[-2:]] == ["kakana", "rosalind_q"]
