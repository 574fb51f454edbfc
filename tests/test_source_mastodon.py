"""The mastodon source: parse functions on the recorded timelines, requests, paging, errors,
and `scrapy crawl mastodon` replayed against the recorded web."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl.parsers import ParseError
from storycrawl.parsers.mastodon import (
    LINK_POST_MAX_CHARS,
    error_message,
    is_bot,
    next_page_url,
    original_status,
    own_text,
    parse_timeline,
    post_from_status,
)
from storycrawl.spiders.mastodon import MastodonSource, MastodonSpider, access_tokens
from tests.utils import WEB, first_source, read_jsonl, rejections_of
from tests.utils import source_stat as stat

GROUP = WEB / "mastodon"
TIMELINES = GROUP / "files" / "timelines"
NOW = "2026-11-27T12:00:00Z"
MIRA_URI = "https://hachyderm.io/users/mira/statuses/117636907696960565"


def timeline(name: str) -> list[dict]:
    return parse_timeline((TIMELINES / name).read_bytes())


def status(name: str, account: str) -> dict:
    return next(s for s in timeline(name) if s["account"]["username"] == account)


def routes() -> list[dict]:
    return read_jsonl(GROUP / "routes.jsonl")


def manifest() -> list[dict]:
    return read_jsonl(GROUP / "manifest.jsonl")


# --- parse functions -----------------------------------------------------------------------


def test_link_post_field_by_field():
    post = post_from_status(status("hachyderm_io_llm.json", "mira"), "hachyderm.io")
    assert post.source == "mastodon"
    assert post.id == MIRA_URI
    assert post.url == "https://hachyderm.io/@mira/117636907696960565"
    assert post.is_link and post.link == "https://mirakovac.dev/posts/rag-latency/"
    assert post.title == "How we halved p95 latency of our RAG pipeline"
    assert post.author == "mira@hachyderm.io"
    assert post.published == datetime(2026, 11, 18, 10, 12, 40, 512000, tzinfo=UTC)
    # Mastodon's invisible link parts are dropped; the visible part and the hashtags stay.
    assert post.text.startswith("Wrote up how we got our RAG assistant's p95")
    assert "https://" not in post.text and "#RAG #LLM" in post.text
    assert (post.points, post.comments, post.site) == (121, 14, "mastodon hachyderm.io")
    assert post.hints == {
        "post_type": "link",
        "mastodon_instance": "hachyderm.io",
        "hashtags": "rag,llm",
        "language": "en",
        "reblogs": "38",
    }
    discussion = post.discussion()
    assert (discussion.url, discussion.site) == (post.url, "mastodon hachyderm.io")


def test_the_same_status_on_another_instance_is_the_same_post():
    remote = status("mastodon_social_rag.json", "mira")
    local = status("hachyderm_io_rag.json", "mira")
    assert remote["id"] != local["id"] and remote["account"]["acct"] == "mira@hachyderm.io"
    post = post_from_status(remote, "mastodon.social")
    assert (post.id, post.url, post.author) == (
        MIRA_URI,
        "https://hachyderm.io/@mira/117636907696960565",
        "mira@hachyderm.io",
    )
    assert post.site == "mastodon mastodon.social"


def test_a_long_toot_is_a_social_story():
    post = post_from_status(status("hachyderm_io_aiagents.json", "devon"), "hachyderm.io")
    assert not post.is_link and post.title == ""
    assert post.text.splitlines()[0] == (
        "Things I learned shipping our tool-calling agent to 2,000 internal users this quarter:"
    )
    assert "2. Tool errors must say what to do next" in post.text
    assert post.hints["post_type"] == "text"


def test_a_long_toot_with_a_card_is_still_a_social_story():
    raw = status("sigmoid_social_llm.json", "wltan")
    assert raw["card"]["type"] == "link"
    assert len(own_text(raw["content"])) >= LINK_POST_MAX_CHARS
    post = post_from_status(raw, "sigmoid.social")
    assert not post.is_link
    assert post.hints["card_url"] == "https://tanlab-nlp.org/papers/router-entropy"


def test_own_text_leaves_out_links_mentions_and_hashtags():
    raw = status("sigmoid_social_rag.json", "felixb")
    text = own_text(raw["content"])
    assert text.startswith("Great write-up by on RAG latency")
    assert "mirakovac" not in text and "#RAG" not in text and "@" not in text


def test_a_reblog_is_its_original_status():
    wrapper = next(s for s in timeline("mastodon_social_aiagents.json") if s["reblog"])
    assert wrapper["content"] == "" and wrapper["account"]["username"] == "sre_anna"
    inner = original_status(wrapper)
    assert inner["account"]["acct"] == "devon@hachyderm.io"
    assert post_from_status(inner, "mastodon.social").url.startswith("https://hachyderm.io/@devon/")
    plain = status("mastodon_social_rag.json", "mira")
    assert original_status(plain) is plain


def test_bot_accounts_are_recognised():
    assert is_bot(status("hachyderm_io_llm.json", "arxiv_llm_bot"))
    assert not is_bot(status("hachyderm_io_llm.json", "mira"))


def test_a_null_url_falls_back_to_the_uri_and_no_uri_is_no_post():
    raw = status("hachyderm_io_llm.json", "kwame")
    assert post_from_status({**raw, "url": None}, "hachyderm.io").url == raw["uri"]
    assert post_from_status({**raw, "uri": ""}, "hachyderm.io") is None


def test_next_page_url_from_the_recorded_link_header():
    (route,) = [
        r for r in routes() if r["url"].endswith("/tag/LLM?limit=40") and "hachyderm" in r["url"]
    ]
    assert next_page_url(route["headers"]["Link"]) == (
        "https://hachyderm.io/api/v1/timelines/tag/LLM?limit=40&max_id=117625379573634323"
    )
    assert next_page_url(b'<https://x.example/p?min_id=2>; rel="prev"') is None
    assert next_page_url(None) is None


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ((GROUP / "files/errors/502_bad_gateway.html").read_bytes(), "text/html", r"\(text/html\)"),
        (b'[{"id": "1"', "application/json", "not JSON"),
        (b'{"error": "Record not found"}', "application/json", "expected a JSON array"),
    ],
)
def test_bad_timeline_bodies(body, content_type, message):
    with pytest.raises(ParseError, match=message):
        parse_timeline(body, content_type)


def test_error_messages():
    assert error_message((GROUP / "files/errors/401_invalid_token.json").read_bytes()) == (
        "The access token is invalid"
    )
    assert error_message(b"<html>nginx</html>") is None


# --- requests, tokens and paging -----------------------------------------------------------


def source_of(settings: dict | None = None, **args) -> MastodonSource:
    return first_source(MastodonSpider, NOW, settings, **args)


def test_every_instance_and_hashtag_is_requested(monkeypatch):
    monkeypatch.delenv("MASTODON_ACCESS_TOKEN", raising=False)
    requests = list(source_of().start_requests())
    assert len(requests) == 4 * 7
    assert requests[0].url == "https://sigmoid.social/api/v1/timelines/tag/LLM?limit=40"
    assert {r.url for r in requests} == {
        f"https://{host}/api/v1/timelines/tag/{tag}?limit=40"
        for host in ("sigmoid.social", "hachyderm.io", "fosstodon.org", "mastodon.social")
        for tag in ("LLM", "GenAI", "AIEngineering", "RAG", "AIAgents", "MCP", "Evals")
    }
    assert all(b"Authorization" not in r.headers for r in requests)


def test_query_is_followed_as_a_hashtag(monkeypatch):
    monkeypatch.delenv("MASTODON_ACCESS_TOKEN", raising=False)
    requests = list(source_of(query="#context engineering").start_requests())
    assert [r.url.split("/")[2] for r in requests] == [
        "sigmoid.social",
        "hachyderm.io",
        "fosstodon.org",
        "mastodon.social",
    ]
    assert all("/tag/contextengineering?limit=40" in r.url for r in requests)


def test_the_token_setting_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "from-env")
    requests = list(source_of({"MASTODON_ACCESS_TOKEN": "from-setting"}).start_requests())
    assert {r.headers[b"Authorization"] for r in requests} == {b"Bearer from-setting"}
    requests = list(source_of().start_requests())
    assert {r.headers[b"Authorization"] for r in requests} == {b"Bearer from-env"}


def test_per_host_tokens_are_only_sent_to_their_host(monkeypatch):
    monkeypatch.delenv("MASTODON_ACCESS_TOKEN", raising=False)
    assert access_tokens("abc") == {"*": "abc"}
    assert access_tokens("fosstodon.org=t1, hachyderm.io=t2") == {
        "fosstodon.org": "t1",
        "hachyderm.io": "t2",
    }
    source = source_of({"MASTODON_ACCESS_TOKEN": "fosstodon.org=t1"})
    headers = {
        r.url.split("/")[2]: r.headers.get(b"Authorization") for r in source.start_requests()
    }
    assert headers == {
        "sigmoid.social": None,
        "hachyderm.io": None,
        "fosstodon.org": b"Bearer t1",
        "mastodon.social": None,
    }


def timeline_response(name: str, url: str, link: str | None) -> TextResponse:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if link:
        headers["Link"] = link
    return TextResponse(
        url=url, body=(TIMELINES / name).read_bytes(), headers=headers, request=Request(url)
    )


def split(results) -> tuple[list[scrapy.Request], list]:
    results = list(results)
    requests = [r for r in results if isinstance(r, scrapy.Request)]
    return requests, [r for r in results if not isinstance(r, scrapy.Request)]


def recorded_page(host: str, tag: str) -> tuple[str, str, str | None]:
    url = f"https://{host}/api/v1/timelines/tag/{tag}?limit=40"
    (route,) = [r for r in routes() if r["url"] == url]
    return url, route["body"].removeprefix("files/timelines/"), route["headers"].get("Link")


def parse(source: MastodonSource, host: str, tag: str, page: int = 1):
    url, name, link = recorded_page(host, tag)
    return split(source.parse_page(timeline_response(name, url, link), host, tag, page))


def test_a_page_with_a_next_link_is_followed():
    source = source_of()
    requests, items = parse(source, "hachyderm.io", "LLM")
    timelines = [r for r in requests if "/api/v1/" in r.url]
    assert [r.url for r in timelines] == [
        "https://hachyderm.io/api/v1/timelines/tag/LLM?limit=40&max_id=117625379573634323"
    ]
    assert timelines[0].cb_kwargs == {"host": "hachyderm.io", "hashtag": "LLM", "page": 2}
    # devon and kwame are stories; mira and anneke link to articles; the bot is skipped.
    assert len(items) == 2 and len(requests) == 3
    assert stat(source, "skipped/bot") == 1
    assert stat(source, "candidates") == 4


def test_the_same_status_from_another_hashtag_is_taken_once():
    source = source_of()
    parse(source, "hachyderm.io", "LLM")
    requests, items = parse(source, "hachyderm.io", "RAG")
    assert [r.url for r in requests if "/api/v1/" in r.url] != []
    assert items == [] and [r for r in requests if "/api/v1/" not in r.url] == []
    assert stat(source, "skipped/seen_elsewhere") == 2


def test_a_reblog_of_a_seen_status_is_not_taken_again():
    source = source_of()
    parse(source, "hachyderm.io", "AIAgents")
    _, items = parse(source, "mastodon.social", "AIAgents")
    assert stat(source, "reblogs_unwrapped") == 1
    # devon's status reached mastodon.social by federation too: itself and the reblog.
    assert stat(source, "skipped/seen_elsewhere") == 2
    assert all("devon" not in item.url for item in items)


def test_paging_stops_at_since_without_a_link_or_at_max_pages():
    source = source_of()
    requests, items = parse(source, "sigmoid.social", "Evals")
    assert [r for r in requests if "/api/v1/" in r.url] == [], "the page reaches since"
    assert stat(source, "out_of_range") == 1 and len(items) == 1
    url, name, _ = recorded_page("sigmoid.social", "RAG")
    requests, _ = split(
        source.parse_page(timeline_response(name, url, None), "sigmoid.social", "RAG", 1)
    )
    assert [r for r in requests if "/api/v1/" in r.url] == [], "no Link header"
    requests, _ = parse(source, "mastodon.social", "GenAI", page=5)
    assert [r for r in requests if "/api/v1/" in r.url] == [], "max_pages = 5"


def test_limit_stops_taking_and_paging():
    source = source_of(limit="1")
    requests, items = parse(source, "hachyderm.io", "LLM")
    assert len(items) + len(requests) == 1
    assert stat(source, "limit_reached") == 1


def test_an_html_page_instead_of_json_is_counted():
    source = source_of()
    url = "https://hachyderm.io/api/v1/timelines/tag/LLM?limit=40"
    response = TextResponse(
        url=url,
        body=b"<html><body>We'll be right back</body></html>",
        headers={"Content-Type": "text/html"},
        request=Request(url),
    )
    assert list(source.parse_page(response, "hachyderm.io", "LLM", 1)) == []
    assert stat(source, "errors/bad_response") == 1


def http_failure(source: MastodonSource, host: str, tag: str, status: int, body: bytes) -> Failure:
    request = source.timeline_request(
        f"https://{host}/api/v1/timelines/tag/{tag}?limit=40", host, tag, 1
    )
    response = Response(request.url, status=status, body=body, request=request)
    failure = Failure(HttpError(response, f"Ignoring non-200 response ({status})"))
    failure.request = request
    return failure


def test_unauthorized_instances_are_counted_and_explained_once(caplog, monkeypatch):
    monkeypatch.delenv("MASTODON_ACCESS_TOKEN", raising=False)
    source = source_of()
    body = (GROUP / "files/errors/401_invalid_token.json").read_bytes()
    with caplog.at_level(logging.WARNING):
        for tag in ("LLM", "RAG", "MCP"):
            source.timeline_failed(http_failure(source, "fosstodon.org", tag, 401, body))
    assert stat(source, "errors/unauthorized") == 3
    (line,) = [r.getMessage() for r in caplog.records if "answered 401" in r.getMessage()]
    assert "set MASTODON_ACCESS_TOKEN" in line and "fosstodon.org" in line


def test_unknown_hashtags_are_skipped_other_404s_are_errors():
    source = source_of()
    body = (GROUP / "files/errors/404_record_not_found.json").read_bytes()
    source.timeline_failed(http_failure(source, "hachyderm.io", "AIEngineering", 404, body))
    source.timeline_failed(http_failure(source, "hachyderm.io", "LLM", 404, b"<html>404</html>"))
    assert stat(source, "skipped/unknown_hashtag") == 1
    assert stat(source, "errors/http_404") == 1


# --- the replayed crawl --------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawl(replayed):
    return replayed("mastodon")


@pytest.mark.e2e
def test_an_article_shared_by_two_accounts_is_one_story_with_both_threads(crawl):
    (entry,) = [m for m in manifest() if m["expect"] == "duplicate"]
    story = crawl["stories"][entry["url"]]
    threads = {d["url"]: d["site"] for d in story["discussions"]}
    assert entry["via"] in threads and len(threads) == 2
    assert set(threads.values()) <= {
        "mastodon sigmoid.social",
        "mastodon hachyderm.io",
        "mastodon mastodon.social",
    }
    assert any(r["reason"] == "duplicate" for r in rejections_of(crawl, entry["url"]))


@pytest.mark.e2e
def test_out_of_range_statuses_are_not_collected(crawl):
    for entry in [m for m in manifest() if m["expect"] == "out_of_range"]:
        assert entry["url"] not in crawl["stories"]
        assert rejections_of(crawl, entry["url"]) == []


@pytest.mark.e2e
def test_stats_of_the_error_shapes_and_nothing_missing(crawl):
    stats = crawl["stats"]
    source = "storycrawl/source/mastodon"
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert stats[f"{source}/errors/unauthorized"] == 7, "fosstodon.org, every hashtag"
    assert stats[f"{source}/skipped/unknown_hashtag"] == 1
    assert stats[f"{source}/errors/http_502"] == 1
    # The 429 page answers every retry the same: retried by RetryAfterMiddleware, then counted.
    assert stats[f"{source}/errors/http_429"] == 1
    assert stats["storycrawl/retry_after/retried"] >= 1
    assert stats[f"{source}/skipped/bot"] == 1
    assert stats[f"{source}/reblogs_unwrapped"] == 1
    assert stats[f"{source}/out_of_range"] == 1
    assert stats[f"{source}/candidates"] == 22  # 3 federated/short statuses in sigmoid #RAG
    told = [line for line in crawl["log"].splitlines() if "answered 401" in line]
    assert len(told) == 1 and "MASTODON_ACCESS_TOKEN" in told[0]


def test_a_malformed_next_link_ends_the_paging_quietly():
    # #14 item 2: a Link header whose next URL is malformed is no next page (and no crash).
    assert next_page_url('<http://[::1/api/v1/timelines/tag/llm?max_id=1>; rel="next"') is None
    assert next_page_url('<javascript:alert(1)>; rel="next"') is None
