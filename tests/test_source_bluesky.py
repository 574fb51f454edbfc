"""The bluesky source: parse functions on the recorded responses, the session (credentials,
login, token refresh), requests and paging, and `scrapy crawl bluesky` replayed against the
recorded web."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
import scrapy
from scrapy.http import JsonRequest, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl.clock import recording_settings
from storycrawl.parsers import ParseError
from storycrawl.parsers.bluesky import (
    describe_error_body,
    graphemes,
    hidden_label,
    own_text,
    parse_search_page,
    parse_session,
    post_from_view,
    xrpc_error,
)
from storycrawl.spiders.bluesky import BlueskySource, BlueskySpider
from tests.utils import WEB, async_test, first_source, read_jsonl
from tests.utils import source_stat as stat

GROUP = WEB / "bluesky"
FILES = GROUP / "files"
NOW = "2026-11-27T12:00:00Z"
HANDLE = "storycrawl-bot.bsky.social"
PASSWORD = "tq3v-8kpa-x2mz-7hrd"
CREDENTIALS = {"BSKY_HANDLE": HANDLE, "BSKY_APP_PASSWORD": PASSWORD}
SEARCH = "https://bsky.social/xrpc/app.bsky.feed.searchPosts"
JSON_TYPE = "application/json; charset=utf-8"


def page(name: str) -> list[dict]:
    return parse_search_page((FILES / name).read_bytes()).posts


def view(name: str, handle: str) -> dict:
    return next(p for p in page(name) if p["author"]["handle"] == handle)


def routes() -> list[dict]:
    return read_jsonl(GROUP / "routes.jsonl")


def manifest() -> list[dict]:
    return read_jsonl(GROUP / "manifest.jsonl")


# --- parse functions -----------------------------------------------------------------------


def test_session_fields_and_tokens_kept_out_of_its_repr():
    session = parse_session((FILES / "create_session.json").read_bytes())
    assert session.handle == HANDLE
    assert session.did == "did:plc:b5y3ji6apkhksyzszddcts4e"
    assert session.access_jwt.startswith("eyJ0eXAiOiJhdCtqd3Qi")  # {"typ":"at+jwt"
    assert session.refresh_jwt.startswith("eyJ0eXAiOiJyZWZyZXNoK2p3dC")  # {"typ":"refresh+jwt"
    assert session.access_jwt not in repr(session) and session.refresh_jwt not in repr(session)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            b'{"accessJwt": "a", "handle": "x.bsky.social"}',
            "application/json",
            "no refreshJwt, did",
        ),
        (b"<html><title>502 Bad Gateway</title></html>", "text/html", r"not JSON \(text/html\)"),
        (b'{"accessJwt": "a"', "application/json", "not JSON"),
        (b"[]", "application/json", "expected a JSON object"),
    ],
)
def test_bad_sessions(body, content_type, message):
    with pytest.raises(ParseError, match=message):
        parse_session(body, content_type)


def test_search_page_fields():
    result = parse_search_page((FILES / "search_ai_engineer_p1.json").read_bytes())
    assert (result.cursor, result.hits_total, len(result.posts)) == ("100", 212, 5)
    last = parse_search_page((FILES / "search_ai_engineer_p3.json").read_bytes())
    assert (last.cursor, last.hits_total, last.posts) == (None, None, [])


@pytest.mark.parametrize(
    ("name", "content_type", "message"),
    [
        ("search_tool_calling_p2_truncated.json", "application/json", "not JSON"),
        ("search_evals_llm_403.html", "text/html", r"not JSON \(text/html\)"),
        ("search_context_engineering_429.json", "application/json", "no 'posts' list"),
    ],
)
def test_bad_search_pages(name, content_type, message):
    with pytest.raises(ParseError, match=message):
        parse_search_page((FILES / name).read_bytes(), content_type)


def test_error_bodies_are_described_for_the_log():
    assert (
        describe_error_body((FILES / "search_evals_llm_403.html").read_bytes(), "text/html")
        == "an HTML page titled '403 Forbidden', not an XRPC error"
    )
    assert (
        describe_error_body(
            (FILES / "search_context_engineering_429.json").read_bytes(), "application/json"
        )
        == "RateLimitExceeded: Rate Limit Exceeded"
    )
    assert xrpc_error(b'{"error":"ExpiredToken","message":"Token has expired"}') == "ExpiredToken"
    assert xrpc_error(b"<html>403</html>", "text/html") is None


def test_text_post_is_a_social_story():
    post = post_from_view(view("search_ai_engineer_p1.json", "maraokafor.bsky.social"))
    assert post.url == "https://bsky.app/profile/maraokafor.bsky.social/post/3n2ojbjchqs4x"
    assert post.id == "at://did:plc:brpwri7vbickzywlg2gyjf2g/app.bsky.feed.post/3n2ojbjchqs4x"
    assert not post.is_link and post.title == ""
    assert post.text.startswith("Six months as the first AI engineer at a freight broker.")
    assert post.author == "Mara Okafor"
    assert post.published == datetime(2026, 11, 19, 16, 42, 8, 311000, tzinfo=UTC)
    assert (post.points, post.comments, post.site, post.source) == (412, 37, "bluesky", "bluesky")
    assert post.hints == {
        "post_type": "text",
        "bluesky_handle": "maraokafor.bsky.social",
        "hashtags": "",
        "language": "en",
        "reposts": "58",
        "quotes": "9",
    }
    discussion = post.discussion()
    assert (discussion.url, discussion.points, discussion.comments) == (post.url, 412, 37)


def test_short_post_with_a_link_card_is_a_link_post():
    post = post_from_view(view("search_ai_engineer_p1.json", "tomaszwilk.dev"))
    assert post.is_link
    assert post.link == "https://tomaszwilk.dev/posts/support-agent-five-tools"
    assert post.title == "Five small tools beat one giant prompt"  # the card's, until the article
    assert post.hints["post_type"] == "link" and "card_url" not in post.hints


def test_a_link_facet_without_a_card_makes_a_link_post():
    post = post_from_view(view("search_we_built_agent_p2.json", "gregw.bsky.social"))
    assert post.link == "https://brightmoor.tech/blog/slack-sales-agent-notes"
    assert post.title == ""  # no card to take a title from


def test_a_link_in_the_text_is_not_part_of_the_posts_own_words():
    record = view("search_our_rag_p1.json", "benadeyemi.bsky.social")["record"]
    assert own_text(record) == (
        "This matches our RAG support bot experience almost exactly. "
        "Worth reading if you maintain one:"
    )
    post = post_from_view(view("search_our_rag_p1.json", "benadeyemi.bsky.social"))
    assert post.link.endswith("support-agent-five-tools?utm_source=bsky&utm_medium=social")


def test_long_posts_with_a_card_stay_social_stories():
    paper = post_from_view(view("search_in_production_llm_p2.json", "lfarahani.bsky.social"))
    assert not paper.is_link
    assert paper.hints["card_url"] == "https://arxiv.org/abs/2605.11873"
    assert "@marcusoyelaran" not in own_text(
        view("search_in_production_llm_p2.json", "lfarahani.bsky.social")["record"]
    )
    job = post_from_view(view("search_ai_engineer_p1.json", "haldenlabs.com"))
    assert not job.is_link and job.hints["hashtags"] == "hiring,AIjobs"
    assert job.hints["card_url"].startswith("https://jobs.ashbyhq.com/haldenlabs/")


def test_own_text_cuts_facets_by_utf8_byte_offsets():
    text = "Déjà vu 🚀 read it: example.com/x… #RAG"
    data = text.encode("utf-8")
    link = data.index(b"example")
    tag = data.index(b"#RAG")
    record = {
        "text": text,
        "facets": [
            {
                "index": {"byteStart": link, "byteEnd": tag - 1},
                "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"}
                ],
            },
            {
                "index": {"byteStart": tag, "byteEnd": len(data)},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "RAG"}],
            },
        ],
    }
    assert own_text(record) == "Déjà vu 🚀 read it:"
    assert graphemes("👩‍💻 e\u0301") == 3  # one emoji, a space, one accented letter


def test_a_wrong_client_clock_is_dated_by_indexed_at():
    post = post_from_view(view("search_in_production_llm_p1.json", "kitaronsson.bsky.social"))
    assert post.published == datetime(2026, 10, 30, 3, 11, 10, 482000, tzinfo=UTC)


def test_created_at_with_an_offset_is_converted_to_utc():
    post = post_from_view(view("search_mcp_server_p1.json", "elifyilmaz.bsky.social"))
    assert post.published == datetime(2026, 1, 27, 7, 41, 17, tzinfo=UTC)
    assert post.author == "Elif Yılmaz"


def test_an_invalid_handle_gives_the_did_url():
    post = post_from_view(view("search_tool_calling_p1.json", "handle.invalid"))
    assert post.url == (
        "https://bsky.app/profile/did:plc:rgabeq2c5rrqvmbu4q7jy3zi/post/3mx4ovsjp7c3i"
    )
    assert post.author == "Priyanka Desai" and post.hints["bluesky_handle"] == "handle.invalid"


def test_labels_that_hide_a_post():
    posts = {p["author"]["handle"]: p for p in page("search_llm_as_a_judge_p1.json")}
    assert hidden_label(posts["ai-judge-deals.bsky.social"]) == "!hide"
    assert hidden_label(posts["velvetbots.bsky.social"]) == "porn"
    assert hidden_label(posts["nadiarahman.bsky.social"]) is None
    hidden_account = {**posts["nadiarahman.bsky.social"], "author": {"labels": [{"val": "!hide"}]}}
    assert hidden_label(hidden_account) == "!hide"


@pytest.mark.parametrize(
    "bad",
    [
        {"uri": "not-an-at-uri", "record": {"text": "x"}},
        {"uri": "at://did:plc:a/app.bsky.feed.post/3k", "record": {}},
    ],
)
def test_views_that_are_not_posts(bad):
    assert post_from_view(bad) is None


# --- credentials, session and requests -----------------------------------------------------


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("BSKY_HANDLE", raising=False)
    monkeypatch.delenv("BSKY_APP_PASSWORD", raising=False)


def source_of(settings: dict | None = None, **args) -> BlueskySource:
    return first_source(BlueskySpider, NOW, settings, **args)


def test_without_credentials_the_source_says_what_to_set(no_env):
    reason = source_of().unavailable()
    assert "\n" not in reason
    assert "BSKY_HANDLE" in reason and "BSKY_APP_PASSWORD" in reason
    assert "Settings → Privacy and security → App passwords" in reason
    assert source_of({"BSKY_HANDLE": HANDLE}).unavailable() == reason


@async_test
async def test_a_crawl_without_credentials_sends_nothing(no_env):
    spider = source_of().spider
    assert [request async for request in spider.start()] == []
    stats = spider.crawler.stats
    assert stats.get_value("storycrawl/source/bluesky/skipped") == 1
    assert "BSKY_APP_PASSWORD" in stats.get_value("storycrawl/source/bluesky/skipped_reason")


def test_credentials_come_from_settings_then_the_environment(no_env, monkeypatch):
    assert source_of(CREDENTIALS).unavailable() is None
    monkeypatch.setenv("BSKY_HANDLE", "env.bsky.social")
    monkeypatch.setenv("BSKY_APP_PASSWORD", "from-env")
    from_env = source_of()
    assert (from_env.handle, from_env.password) == ("env.bsky.social", "from-env")
    from_settings = source_of(CREDENTIALS)
    assert (from_settings.handle, from_settings.password) == (HANDLE, PASSWORD)


def test_the_first_request_creates_a_session(no_env):
    (request,) = list(source_of(CREDENTIALS).start_requests())
    assert isinstance(request, JsonRequest)
    assert request.method == "POST"
    assert request.url == "https://bsky.social/xrpc/com.atproto.server.createSession"
    assert request.headers[b"Content-Type"] == b"application/json"
    assert json.loads(request.body) == {"identifier": HANDLE, "password": PASSWORD}
    assert PASSWORD not in request.url and PASSWORD not in repr(request)


def session_response(source: BlueskySource, name: str = "create_session.json") -> TextResponse:
    url = source.xrpc_url("com.atproto.server.createSession")
    return TextResponse(
        url=url,
        body=(FILES / name).read_bytes(),
        headers={"Content-Type": JSON_TYPE},
        request=Request(url, method="POST"),
    )


def logged_in(settings: dict | None = None, **args) -> tuple[BlueskySource, list[scrapy.Request]]:
    source = source_of({**CREDENTIALS, **(settings or {})}, **args)
    return source, list(source.session_created(session_response(source)))


def test_each_configured_query_is_searched_with_the_access_token(no_env):
    source, requests = logged_in()
    assert stat(source, "sessions") == 1
    assert len(requests) == 9
    first = requests[0]
    assert first.url == (
        f"{SEARCH}?q=%22AI+engineer%22&sort=latest&limit=100&since=2025-11-27T00%3A00%3A00Z"
    )
    assert first.headers[b"Authorization"] == b"Bearer " + source.session.access_jwt.encode()
    assert first.cb_kwargs == {"query": '"AI engineer"', "page": 1}
    recorded = {
        r["url"] for r in routes() if "searchPosts" in r["url"] and "cursor" not in r["url"]
    }
    assert {r.url for r in requests} == recorded


def test_query_argument_replaces_the_configured_queries(no_env):
    _, requests = logged_in(query="prompt caching")
    assert [r.url for r in requests] == [
        f"{SEARCH}?q=prompt+caching&sort=latest&limit=100&since=2025-11-27T00%3A00%3A00Z"
    ]


def test_a_refused_login_is_said_once_and_stops_the_source(no_env, caplog):
    source = source_of(CREDENTIALS)
    (request,) = list(source.start_requests())
    body = b'{"error":"AuthenticationRequired","message":"Invalid identifier or password"}'
    response = Response(request.url, status=401, body=body, headers={"Content-Type": JSON_TYPE})
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request
    with caplog.at_level(logging.DEBUG):
        assert list(source.session_failed(failure) or []) == []
    (line,) = [r.getMessage() for r in caplog.records if r.name == "storycrawl.spiders.bluesky"]
    assert "login of storycrawl-bot.bsky.social failed (HTTP 401" in line
    assert "Invalid identifier or password" in line and "BSKY_APP_PASSWORD" in line
    assert PASSWORD not in caplog.text
    assert (stat(source, "errors/login_failed"), stat(source, "errors/http_401")) == (1, 1)
    assert source.session is None


def test_a_session_without_tokens_is_a_bad_response(no_env):
    source = source_of(CREDENTIALS)
    url = source.xrpc_url("com.atproto.server.createSession")
    response = TextResponse(
        url, body=b'{"handle": "x"}', headers={"Content-Type": JSON_TYPE}, request=Request(url)
    )
    assert list(source.session_created(response)) == []
    assert stat(source, "errors/bad_response") == 1 and source.session is None


# --- search pages --------------------------------------------------------------------------


def search_response(request: scrapy.Request, name: str) -> TextResponse:
    return TextResponse(
        url=request.url,
        body=(FILES / name).read_bytes(),
        headers={"Content-Type": JSON_TYPE},
        request=request,
    )


def split(results) -> tuple[list[scrapy.Request], list]:
    results = list(results)
    requests = [r for r in results if isinstance(r, scrapy.Request)]
    return requests, [r for r in results if not isinstance(r, scrapy.Request)]


def search(source: BlueskySource, query: str, name: str, cursor: str | None = None, page: int = 1):
    request = source.search_request(query, cursor, page)
    return split(source.parse_search(search_response(request, name), query, page))


def test_a_page_with_a_cursor_is_followed_and_link_posts_reach_their_articles(no_env):
    source, _ = logged_in()
    requests, items = search(source, '"AI engineer"', "search_ai_engineer_p1.json")
    api = [r for r in requests if "searchPosts" in r.url]
    articles = [r for r in requests if "searchPosts" not in r.url]
    next_page = f"{SEARCH}?q=%22AI+engineer%22&sort=latest&limit=100&since=2025-11-27T00%3A00%3A00Z"
    assert [r.url for r in api] == [f"{next_page}&cursor=100"]
    assert api[0].cb_kwargs == {"query": '"AI engineer"', "page": 2}
    assert [r.url for r in articles] == [
        "https://tomaszwilk.dev/posts/support-agent-five-tools",
        "https://learnstack.academy/courses/ai-engineer-bootcamp",
    ]
    assert len(items) == 3  # the three text posts
    assert stat(source, "candidates") == 5


def test_the_same_post_from_another_query_is_taken_once(no_env):
    source, _ = logged_in()
    search(source, '"AI engineer"', "search_ai_engineer_p1.json")
    _, items = search(source, '"in production" LLM', "search_in_production_llm_p1.json")
    assert stat(source, "skipped/seen_in_other_query") == 1
    assert len(items) == 1  # Kit's postmortem; Mara's post was taken by the first query


def test_labelled_posts_are_skipped(no_env):
    source, _ = logged_in()
    _, items = search(source, '"LLM-as-a-judge"', "search_llm_as_a_judge_p1.json")
    assert stat(source, "skipped/labelled") == 2
    assert len(items) == 2


def test_paging_stops_without_a_cursor_at_max_pages_or_at_since(no_env):
    source, _ = logged_in()
    requests, _ = search(source, '"AI engineer"', "search_ai_engineer_p3.json", "200", 3)
    assert requests == []
    source, _ = logged_in()
    source.config.max_pages = 2
    requests, _ = search(source, '"AI engineer"', "search_ai_engineer_p2.json", "100", 2)
    assert not [r for r in requests if "searchPosts" in r.url]
    source, _ = logged_in(since="2026-09-01")
    requests, items = search(source, '"AI engineer"', "search_ai_engineer_p2.json", "100", 2)
    assert not [r for r in requests if "searchPosts" in r.url], "the page reached since"
    assert len(items) == 1 and stat(source, "out_of_range") == 2


def test_limit_stops_taking_and_paging(no_env):
    source, _ = logged_in(limit="2")
    requests, items = search(source, '"AI engineer"', "search_ai_engineer_p1.json")
    assert len(items) == 2 and requests == []
    assert stat(source, "limit_reached") == 1


def test_a_malformed_page_is_counted_and_the_crawl_goes_on(no_env, caplog):
    source, _ = logged_in()
    with caplog.at_level(logging.WARNING):
        requests, items = search(
            source, '"tool calling"', "search_tool_calling_p2_truncated.json", "100", 2
        )
    assert (requests, items) == ([], [])
    assert stat(source, "errors/bad_response") == 1
    assert "is not a valid response (not JSON" in caplog.text


def http_failure(request: scrapy.Request, status: int, body: bytes, **headers: str) -> Failure:
    response = Response(
        request.url, status=status, body=body, headers={"Content-Type": JSON_TYPE, **headers},
        request=request,
    )  # fmt: skip
    failure = Failure(HttpError(response, f"Ignoring non-200 response ({status})"))
    failure.request = request
    return failure


def test_http_errors_are_counted_and_logged_with_what_they_say(no_env, caplog):
    source, _ = logged_in()
    forbidden = http_failure(
        source.search_request("evals LLM"), 403, (FILES / "search_evals_llm_403.html").read_bytes()
    )
    forbidden.value.response.headers["Content-Type"] = "text/html; charset=utf-8"
    limited = http_failure(
        source.search_request('"context engineering"'),
        429,
        (FILES / "search_context_engineering_429.json").read_bytes(),
        **{"ratelimit-reset": "1795780801"},
    )
    with caplog.at_level(logging.WARNING):
        assert list(source.search_failed(forbidden)) == []
        assert list(source.search_failed(limited)) == []
    assert (stat(source, "errors/http_403"), stat(source, "errors/http_429")) == (1, 1)
    assert "HTTP 403 (an HTML page titled '403 Forbidden', not an XRPC error)" in caplog.text
    assert "rate limit resets at 2026-11-27T12:00:01Z" in caplog.text


# --- expired tokens ------------------------------------------------------------------------

EXPIRED = b'{"error":"ExpiredToken","message":"Token has expired"}'


def refreshed_session(source: BlueskySource, request: scrapy.Request) -> TextResponse:
    session = json.loads((FILES / "create_session.json").read_text())
    body = json.dumps({**session, "accessJwt": "new-access", "refreshJwt": "new-refresh"})
    return TextResponse(
        request.url, body=body.encode(), headers={"Content-Type": JSON_TYPE}, request=request
    )


def test_an_expired_token_is_refreshed_once_and_the_requests_retried(no_env):
    source, searches = logged_in()
    refresh_token = source.session.refresh_jwt
    first, second = searches[0], searches[1]
    (refresh,) = source.search_failed(http_failure(first, 400, EXPIRED))
    assert (refresh.method, refresh.url) == (
        "POST",
        "https://bsky.social/xrpc/com.atproto.server.refreshSession",
    )
    assert refresh.headers[b"Authorization"] == f"Bearer {refresh_token}".encode()
    # A second request meeting the expired token while the refresh is in flight waits for it.
    assert list(source.search_failed(http_failure(second, 400, EXPIRED))) == []
    retried = list(source.session_refreshed(refreshed_session(source, refresh)))
    assert [r.url for r in retried] == [first.url, second.url]
    assert all(r.headers[b"Authorization"] == b"Bearer new-access" for r in retried)
    assert all(r.dont_filter and r.callback == source.parse_search for r in retried)
    assert source.session.refresh_jwt == "new-refresh"
    assert stat(source, "session_refreshes") == 1
    # A request sent before the refresh is retried with the new token, not refreshed again.
    (late,) = source.search_failed(http_failure(searches[2], 401, EXPIRED))
    assert late.headers[b"Authorization"] == b"Bearer new-access"
    # One that meets an expired token again right after its retry is given up.
    assert list(source.search_failed(http_failure(retried[0], 400, EXPIRED))) == []
    assert stat(source, "errors/expired_token") == 1
    assert stat(source, "session_refreshes") == 1


def test_a_failed_refresh_stops_the_searches_that_need_it(no_env, caplog):
    source, searches = logged_in()
    (refresh,) = source.search_failed(http_failure(searches[0], 400, EXPIRED))
    list(source.search_failed(http_failure(searches[1], 400, EXPIRED)))
    body = b'{"error":"ExpiredToken","message":"Token has expired"}'
    with caplog.at_level(logging.ERROR):
        source.refresh_failed(http_failure(refresh, 400, body))
    assert source.session is None
    assert stat(source, "errors/refresh_failed") == 1
    assert stat(source, "skipped/no_session") == 2
    assert (
        "could not refresh the session (HTTP 400, ExpiredToken: Token has expired)" in caplog.text
    )
    assert list(source.search_failed(http_failure(searches[2], 400, EXPIRED))) == []
    assert stat(source, "skipped/no_session") == 3
    # Pages that were already on their way are read, but not paged further without a session.
    requests, _ = search_after_stop(source)
    assert not [r for r in requests if "searchPosts" in r.url]


def search_after_stop(source: BlueskySource):
    request = Request(f"{SEARCH}?q=x", cb_kwargs={"query": '"AI engineer"', "page": 1})
    response = search_response(request, "search_ai_engineer_p1.json")
    return split(source.parse_search(response, '"AI engineer"', 1))


# --- the replayed crawl --------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawl(replayed):
    return replayed("bluesky")


@pytest.mark.e2e
def test_stats_of_the_error_shapes_and_nothing_missing(crawl):
    stats = crawl["stats"]
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert stats.get("storycrawl/replay/robots_missing", 0) == 0
    assert stats["storycrawl/source/bluesky/sessions"] == 1
    assert stats["storycrawl/source/bluesky/errors/http_403"] == 1, "the edge's HTML 403"
    assert stats["storycrawl/source/bluesky/errors/http_429"] == 1, "rate limited, every retry"
    assert stats["storycrawl/retry_after/retried"] == 3
    assert stats["storycrawl/source/bluesky/errors/bad_response"] == 1, "the truncated page"
    assert stats["storycrawl/source/bluesky/skipped/labelled"] == 2
    assert stats["storycrawl/source/bluesky/skipped/seen_in_other_query"] == 1
    assert stats["storycrawl/source/bluesky/pages"] == 11
    assert stats["storycrawl/source/bluesky/candidates"] == len(manifest())
    assert "Not in the recording" not in crawl["log"]


@pytest.mark.e2e
def test_the_password_and_tokens_stay_out_of_the_log_and_the_run(crawl):
    session = json.loads((FILES / "create_session.json").read_text())
    record = json.dumps(crawl["run"], default=str)
    password = recording_settings(WEB)["BSKY_APP_PASSWORD"]  # the replay's placeholder
    for secret in (password, session["accessJwt"], session["refreshJwt"]):
        assert secret not in crawl["log"]
        assert secret not in record


def test_manifest_counts_match_the_readme():
    entries = manifest()
    by_expect: dict[str, int] = {}
    by_type: dict[str | None, int] = {}
    for entry in entries:
        by_expect[entry["expect"]] = by_expect.get(entry["expect"], 0) + 1
        by_type[entry["source_type"]] = by_type.get(entry["source_type"], 0) + 1
    assert len(entries) == 25
    assert by_expect == {
        "include": 10,
        "role": 5,
        "not_first_hand": 5,
        "job_posting": 1,
        "duplicate": 2,
        "out_of_range": 1,
        "fetch_failed": 1,
    }
    assert by_type == {"social": 12, "personal": 9, "company": 3, None: 1}
    for entry in entries:
        assert "2025-12-01" <= entry["published"] <= "2026-11-26" or entry["expect"] == (
            "out_of_range"
        ), entry["url"]


def test_a_display_name_of_only_invisible_marks_falls_back_to_the_handle():
    # #13 row 9: a displayName made only of U+200E marks and spaces shows as nothing.
    post_view = {
        "uri": "at://did:plc:q4k2m7x9v3b5n8c1/app.bsky.feed.post/3mbq7n2x4kc2a",
        "cid": "bafyreib2rxk3rh6kzwq7bq5x4v2m3n8c1",
        "author": {"did": "did:plc:q4k2m7x9v3b5n8c1", "handle": "quiet.bsky.social", "displayName": "\u200e \u200e\u200e"},
        "record": {"$type": "app.bsky.feed.post", "text": "Our agent's tool calls are traced end to end now; the p95 latency story is in the thread.", "createdAt": "2026-10-01T10:00:00.000Z"},
        "indexedAt": "2026-10-01T10:00:01.234Z", "likeCount": 3, "replyCount": 0,
    }  # fmt: skip
    assert post_from_view(post_view).author == "quiet.bsky.social"
    named = {**post_view, "author": {**post_view["author"], "displayName": "\u200eJo Park\u200e"}}
    assert post_from_view(named).author == "Jo Park"


def test_the_recorded_invisible_display_name_and_embeds():
    inv = view("search_our_rag_p1.json", "okwu.bsky.social")
    assert set(inv["author"]["displayName"]) == {"\u200e", " "}
    assert inv["embed"]["$type"] == "app.bsky.embed.images#view"
    post = post_from_view(inv)
    assert post.author == "okwu.bsky.social" and not post.is_link
    quote = view("search_our_rag_p1.json", "petrasvoboda.bsky.social")
    assert quote["embed"]["$type"] == "app.bsky.embed.recordWithMedia#view"
    assert post_from_view(quote).link == "https://hannahosei.net/blog/stale-docs-in-our-rag"
