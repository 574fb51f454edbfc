"""The reddit source: parse functions on the recorded responses, the token (credentials, the
User-Agent, refresh on 401), listings and paging, the HTTP-level flow over loopback, and
`scrapy crawl reddit` replayed against the recorded web."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_twisted
import scrapy
from protego import Protego
from scrapy.http import FormRequest, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from storycrawl import __version__
from storycrawl.db import StoryDB
from storycrawl.parsers import ParseError
from storycrawl.parsers.reddit import (
    closed_subreddit,
    created,
    describe_error_body,
    gone,
    is_media,
    media_kind,
    original_of,
    parse_listing,
    parse_token,
    post_from_thing,
    selftext_of,
    thing_data,
)
from storycrawl.spiders.reddit import RedditSource, RedditSpider
from tests.harness import crawl_async
from tests.utils import (
    WEB,
    LoopbackServer,
    Reply,
    async_test,
    first_source,
    make_crawler,
    read_jsonl,
    rejections_of,
)
from tests.utils import source_stat as stat

GROUP = WEB / "reddit"
FILES = GROUP / "files"
LISTINGS = FILES / "listings"
NOW = "2026-11-27T12:00:00Z"
API = "https://oauth.reddit.com"
CLIENT_ID = "k3Xw9qTz1bVn0a"
SECRET = "pL7s_9dQeR2vT4xY6zA8bC0dE1fG"
CREDENTIALS = {"REDDIT_CLIENT_ID": CLIENT_ID, "REDDIT_CLIENT_SECRET": SECRET}
JSON_TYPE = "application/json; charset=UTF-8"
CONTACT_UA = f"python:storycrawl:{__version__} (by https://github.com/storycrawl/storycrawl)"


def listing_file(name: str) -> bytes:
    return (LISTINGS / name).read_bytes()


def things(name: str) -> list[dict]:
    return [thing_data(child) for child in parse_listing(listing_file(name)).children]


def thing(name: str, title_start: str) -> dict:
    return next(t for t in things(name) if t["title"].startswith(title_start))


def routes() -> list[dict]:
    return read_jsonl(GROUP / "routes.jsonl")


def manifest() -> list[dict]:
    return read_jsonl(GROUP / "manifest.jsonl")


def token_body() -> dict:
    return json.loads((FILES / "token.json").read_text())


# --- parse functions -----------------------------------------------------------------------


def test_token_fields_and_the_token_kept_out_of_its_repr():
    token = parse_token((FILES / "token.json").read_bytes())
    assert (token.token_type, token.expires_in, token.scope) == ("bearer", 86400, "*")
    header, claims, signature = token.access_token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {
        "alg": "RS256",
        "kid": "SHA256:sKwl2ylWEm25fqxpMN4qf81q69aEuar2zK1GaTlcucY",
        "typ": "JWT",
    }
    assert json.loads(base64.urlsafe_b64decode(claims + "=="))["sub"] == "loid"
    assert len(signature) == 342  # RS256 with a 2048-bit key
    assert token.access_token not in repr(token)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"error": "unsupported_grant_type"}', "application/json", "no token: unsupported_grant_type"),
        (b'{"message": "Unauthorized", "error": 401}', "application/json", r"no token: 401 \(Unauthorized\)"),
        (b'{"token_type": "bearer", "expires_in": 86400}', "application/json", "no access_token"),
        (b'{"access_token": "x", "token_type": "mac", "expires_in": 60}', "application/json", "unexpected token_type"),
        (b'{"access_token": "x", "token_type": "bearer", "expires_in": 0}', "application/json", "bad expires_in"),
        (b"<html><title>Blocked</title></html>", "text/html", r"not JSON \(text/html\)"),
        (b"[]", "application/json", "expected a JSON object"),
    ],
)  # fmt: skip
def test_bad_token_answers(body, content_type, message):
    with pytest.raises(ParseError, match=message):
        parse_token(body, content_type)


def test_listing_fields_and_paging_cursor():
    first = parse_listing(listing_file("LLMDevs_new_p1.json"))
    assert (first.dist, len(first.children)) == (7, 7)
    assert first.after == first.children[-1]["data"]["name"]
    last = parse_listing(listing_file("Rag_search_we_built_rag_p2.json"))
    assert (last.after, last.dist) == (None, 1)
    empty = parse_listing(listing_file("empty.json"))
    assert (empty.children, empty.after, empty.dist) == ([], None, 0)
    search = json.loads(listing_file("empty_search.json"))["data"]
    assert search == {
        "after": None,
        "dist": 0,
        "facets": {},
        "modhash": None,
        "geo_filter": "",
        "children": [],
        "before": None,
    }


def test_every_recorded_listing_is_newest_first_with_consistent_ids():
    files = sorted(LISTINGS.glob("*.json"))
    assert len(files) >= 20
    for path in files:
        listing = parse_listing(path.read_bytes())
        data = [thing_data(child) for child in listing.children]
        assert all(d is not None for d in data), path.name
        dates = [d["created_utc"] for d in data]
        assert dates == sorted(dates, reverse=True), path.name
        for d in data:
            assert d["name"] == f"t3_{d['id']}" and f"/comments/{d['id']}/" in d["permalink"]
            assert isinstance(d["created_utc"], float) and d["created"] == d["created_utc"]
            assert d["subreddit_name_prefixed"] == f"r/{d['subreddit']}"
            # r/mcp's new listing is recorded as served without raw_json=1: escaped once more.
            opening = (
                "&lt;!-- SC_OFF --&gt;" if path.name == "mcp_new_p1.json" else "<!-- SC_OFF -->"
            )
            assert not d["selftext_html"] or d["selftext_html"].startswith(opening)


def test_self_post_field_by_field():
    data = thing("LLMDevs_new_p1.json", "Our LLM-as-a-judge")
    post = post_from_thing(data)
    assert post.source == "reddit" and post.id == data["name"]
    assert post.url == f"https://www.reddit.com{data['permalink']}"
    assert post.url.endswith("/our_llm_as_a_judge_disagreed_with_our_support/")
    assert post.title.startswith("Our LLM-as-a-judge disagreed with our support leads")
    assert post.author == "Fancy-Koala-3318"
    assert post.published == datetime(2026, 11, 24, 15, 42, 18, tzinfo=UTC)
    assert not post.is_link and post.link is None
    # The text is Reddit's rendering: markdown emphasis gone, list items on their own lines.
    assert post.text.startswith("I own the eval pipeline for our customer-support assistant")
    assert "The rubric was vague." in post.text and "**" not in post.text and "<p>" not in post.text
    assert (post.points, post.comments, post.site) == (214, 47, "reddit r/LLMDevs")
    assert post.hints == {
        "post_type": "text",
        "subreddit": "LLMDevs",
        "reddit_domain": "self.LLMDevs",
        "flair": "Discussion",
        "upvote_ratio": "0.97",
        "edited": "2026-11-24T18:03:51Z",
    }
    discussion = post.discussion()
    assert (discussion.url, discussion.site, discussion.points) == (
        post.url,
        "reddit r/LLMDevs",
        214,
    )


def test_raw_json_bodies_are_not_entity_escaped():
    data = thing("Rag_new_p1.json", "Hybrid search")
    assert "Confluence pages & Jira tickets" in data["selftext"]
    assert "p95 < 400ms" in data["selftext"]
    html = data["selftext_html"]
    assert "pages &amp; Jira" in html and "&amp;amp;" not in html and "&lt;!--" not in html
    assert "<table><thead>" in html
    text = selftext_of(data)
    assert "pages & Jira tickets" in text and "p95 < 400ms" in text and "&amp;" not in text
    # Without HTML the markdown is the text.
    assert selftext_of({**data, "selftext_html": None}).startswith("We've been arguing")


def test_link_post_field_by_field():
    data = thing("LLMDevs_new_p1.json", "How I evaluate our agent")
    assert data["url_overridden_by_dest"] == data["url"] and data["selftext_html"] is None
    post = post_from_thing(data)
    assert (
        post.is_link and post.link == "https://priyavenkat.dev/posts/evaluating-agent-tool-calls/"
    )
    assert post.text == "" and post.url.startswith("https://www.reddit.com/r/LLMDevs/comments/")
    assert post.hints["post_type"] == "link" and post.hints["reddit_domain"] == "priyavenkat.dev"
    assert post.published == datetime(2026, 11, 12, 17, 20, 11, tzinfo=UTC)


def test_a_crosspost_stands_for_its_original():
    data = thing("LangChain_new_p1.json", "Our order-lookup agent")
    assert data["subreddit"] == "LangChain" and data["crosspost_parent"].startswith("t3_")
    original = original_of(data)
    assert original["name"] == data["crosspost_parent"] and original["subreddit"] == "LLMDevs"
    assert original == thing("LLMDevs_new_p1.json", "Our order-lookup agent")
    post = post_from_thing(original)
    assert post.url.startswith("https://www.reddit.com/r/LLMDevs/comments/") and not post.is_link
    # On its own the crosspost is a link to another thread: nothing to read outside Reddit.
    alone = {k: v for k, v in data.items() if k != "crosspost_parent_list"}
    assert original_of(alone) is alone
    assert is_media(alone) and post_from_thing(alone) is None


def test_deleted_and_removed_posts():
    deleted = thing("LLMDevs_new_p1.json", "Anyone else seeing tool calls")
    assert (deleted["author"], deleted["selftext"]) == ("[deleted]", "[deleted]")
    assert "author_fullname" not in deleted
    assert gone(deleted) == "deleted"
    removed = thing("LangChain_new_p1.json", "Best AI tools")
    assert (removed["selftext"], removed["removed_by_category"]) == ("[removed]", "moderator")
    assert gone(removed) == "removed"
    live = thing("Rag_new_p1.json", "Hybrid search")
    assert gone(live) is None
    assert gone({**live, "removed_by_category": "anti_evil_ops"}) == "removed"
    assert gone({**live, "removed_by_category": "author"}) == "deleted"
    assert gone({**live, "selftext": "[removed]"}) == "removed"


def test_media_and_nsfw_posts():
    image = thing("LocalLLaMA_search_in_production_rag_p1.json", "Our RAG architecture")
    assert (image["domain"], image["post_hint"], image["is_self"]) == ("i.redd.it", "image", False)
    assert is_media(image) and post_from_thing(image) is None
    nsfw = thing("AI_Agents_search_evals_p1.json", "Evals for our companion bot")
    assert nsfw["over_18"] is True and post_from_thing(nsfw) is not None


def test_created_utc_dates_a_post_and_created_is_never_used():
    data = thing("Rag_search_we_built_rag_p2.json", "We built a RAG eval set")
    assert created(data) == datetime(2025, 12, 15, 9, 12, 36, tzinfo=UTC)
    # Old payloads had `created` in the server's zone (8 hours off): it must not matter.
    assert created({**data, "created": data["created_utc"] + 28800}) == created(data)
    assert created({**data, "created_utc": None}) is None


@pytest.mark.parametrize("missing", ["name", "title", "permalink"])
def test_things_without_a_fullname_title_or_permalink_are_not_posts(missing):
    assert post_from_thing({**thing("Rag_new_p1.json", "Hybrid search"), missing: ""}) is None


def test_children_that_are_not_posts_are_skipped():
    assert thing_data({"kind": "t1", "data": {"body": "a comment"}}) is None
    assert thing_data({"kind": "t3", "data": "x"}) is None


@pytest.mark.parametrize(
    ("name", "content_type", "described"),
    [
        ("forbidden_private.json", "application/json", "Forbidden, reason: private"),
        ("blocked.html", "text/html", "an HTML page titled 'Blocked', not a Reddit JSON error"),
        (
            "too_many_requests.html",
            "text/html",
            "an HTML page titled 'Too Many Requests', not a Reddit JSON error",
        ),
    ],
)
def test_error_bodies_are_described_and_are_not_listings(name, content_type, described):
    body = (FILES / "errors" / name).read_bytes()
    assert describe_error_body(body, content_type) == described
    with pytest.raises(ParseError):
        parse_listing(body, content_type)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (403, (FILES / "errors" / "forbidden_private.json").read_bytes(), "private"),
        (
            403,
            b'{"reason": "quarantined", "quarantine_message": "...", "error": 403}',
            "quarantined",
        ),
        (404, b'{"reason": "banned", "message": "Not Found", "error": 404}', "banned"),
        (404, b'{"message": "Not Found", "error": 404}', "not_found"),
        (403, (FILES / "errors" / "blocked.html").read_bytes(), None),
        (403, b'{"message": "Forbidden", "error": 403}', None),
        (429, b'{"message": "Too Many Requests", "error": 429}', None),
    ],
)
def test_errors_that_close_a_whole_subreddit(status, body, expected):
    kind = "text/html" if body.startswith(b"<") else "application/json"
    assert closed_subreddit(status, body, kind) == expected


def test_other_error_bodies_are_described():
    assert describe_error_body(b"not recorded", "") == (
        "a body that is not a Reddit JSON error: 'not recorded'"
    )
    unauthorized = b'{"message": "Unauthorized", "error": 401}'
    assert describe_error_body(unauthorized, "application/json") == "Unauthorized"
    with pytest.raises(ParseError, match="expected a Listing, got 't3'"):
        parse_listing(b'{"kind": "t3", "data": {}}')
    with pytest.raises(ParseError, match=r"no 'data\.children' list"):
        parse_listing(b'{"kind": "Listing", "data": {"after": null}}')


def test_reddit_hosts_disallow_every_path_in_robots_txt():
    for host in ("oauth.reddit.com", "www.reddit.com"):
        robots = Protego.parse((FILES / "robots" / f"{host}.txt").read_text())
        for url in (
            f"https://{host}/r/LLMDevs/new?limit=100",
            f"https://{host}/api/v1/access_token",
        ):
            assert not robots.can_fetch(url, "storycrawl"), url
    assert len((FILES / "robots" / "www.reddit.com.txt").read_bytes()) == 538


# --- credentials, token and requests -------------------------------------------------------


@pytest.fixture
def no_env(monkeypatch):
    for name in ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USERNAME"):
        monkeypatch.delenv(name, raising=False)


def source_of(settings: dict | None = None, **args) -> RedditSource:
    return first_source(RedditSpider, NOW, settings, **args)


def test_without_credentials_the_source_says_what_to_set(no_env):
    reason = source_of().unavailable()
    assert "\n" not in reason
    assert "REDDIT_CLIENT_ID" in reason and "REDDIT_CLIENT_SECRET" in reason
    assert "https://www.reddit.com/prefs/apps" in reason
    assert source_of({"REDDIT_CLIENT_ID": CLIENT_ID}).unavailable() == reason
    assert source_of({"REDDIT_CLIENT_ID": " ", "REDDIT_CLIENT_SECRET": ""}).unavailable() == reason


@async_test
async def test_a_crawl_without_credentials_sends_nothing(no_env):
    spider = source_of().spider
    assert [request async for request in spider.start()] == []
    stats = spider.crawler.stats
    assert stats.get_value("storycrawl/source/reddit/skipped") == 1
    assert "REDDIT_CLIENT_SECRET" in stats.get_value("storycrawl/source/reddit/skipped_reason")


def test_credentials_come_from_settings_then_the_environment(no_env, monkeypatch):
    assert source_of(CREDENTIALS).unavailable() is None
    monkeypatch.setenv("REDDIT_CLIENT_ID", "env-id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "env-secret")
    from_env = source_of()
    assert (from_env.client_id, from_env.client_secret) == ("env-id", "env-secret")
    from_settings = source_of(CREDENTIALS)
    assert (from_settings.client_id, from_settings.client_secret) == (CLIENT_ID, SECRET)


@pytest.mark.parametrize(
    ("username", "user_agent"),
    [
        (None, CONTACT_UA),
        ("storycrawl_bot", f"python:storycrawl:{__version__} (by /u/storycrawl_bot)"),
        ("/u/storycrawl_bot", f"python:storycrawl:{__version__} (by /u/storycrawl_bot)"),
    ],
)
def test_the_user_agent_is_the_one_reddit_asks_for(no_env, username, user_agent):
    settings = {**CREDENTIALS, **({"REDDIT_USERNAME": username} if username else {})}
    assert source_of(settings).user_agent == user_agent


def test_the_first_request_fetches_a_token_with_the_app_credentials(no_env):
    (request,) = list(source_of(CREDENTIALS).start_requests())
    assert isinstance(request, FormRequest)
    assert (request.method, request.url) == ("POST", "https://www.reddit.com/api/v1/access_token")
    assert request.body == b"grant_type=client_credentials"
    assert request.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode())
    assert request.headers[b"Authorization"] == b"Basic " + basic
    assert request.headers[b"User-Agent"].decode() == CONTACT_UA
    # www.reddit.com's robots.txt disallows the token endpoint too: this is the API, not crawling.
    assert request.meta["dont_obey_robotstxt"] is True
    assert SECRET not in request.url and SECRET not in repr(request)


def token_response(source: RedditSource, body: dict | None = None) -> TextResponse:
    url = source.config.token_url
    return TextResponse(
        url=url,
        body=json.dumps(body or token_body()).encode(),
        headers={"Content-Type": JSON_TYPE},
        request=Request(url, method="POST"),
    )


def authorized(
    settings: dict | None = None, *, released: bool = True, **args
) -> tuple[RedditSource, list[scrapy.Request]]:
    """A source that got its token, and the listings that were waiting for it (the first of
    each subreddit), with the rest of them as if every first one had answered (`released`)."""
    source = source_of({**CREDENTIALS, **(settings or {})}, **args)
    (token_request,) = list(source.start_requests())
    assert token_request.method == "POST"
    firsts = list(source.token_received(token_response(source)))
    return source, every_listing(source, firsts) if released else firsts


def every_listing(source: RedditSource, firsts: list[scrapy.Request]) -> list[scrapy.Request]:
    """The first listings and, as if each had answered, the rest of their subreddits'."""
    released = [r for first in firsts for r in source.release(first.cb_kwargs["subreddit"])]
    return firsts + released


def recorded_first_pages() -> set[str]:
    return {
        r["url"]
        for r in routes()
        if r["url"].startswith(API + "/r/") and "after" not in parse_qs(urlsplit(r["url"]).query)
    }


def test_the_token_releases_every_listing_with_the_bearer_token(no_env, caplog):
    with caplog.at_level(logging.DEBUG):
        source, firsts = authorized(released=False)
    token = token_body()["access_token"]
    assert stat(source, "tokens") == 1
    assert [r.cb_kwargs["subreddit"] for r in firsts] == [
        "LLMDevs", "Rag", "LangChain", "AI_Agents", "aiengineering", "LocalLLaMA", "mcp",
        "ExperiencedDevs", "MachineLearning",
    ], "the first listing of each subreddit goes first"  # fmt: skip
    requests = every_listing(source, firsts)
    assert len(requests) == 95, "5 subreddits list new, 9 search 10 queries each"
    assert {r.url for r in requests} == recorded_first_pages()
    for request in requests:
        assert request.headers[b"Authorization"] == f"bearer {token}".encode()
        assert request.headers[b"User-Agent"].decode() == CONTACT_UA
        assert request.meta["dont_obey_robotstxt"] is True, "oauth.reddit.com: Disallow: /"
        assert request.meta["reddit_generation"] == 1 and request.dont_filter
    first = requests[0]
    assert first.url == f"{API}/r/LLMDevs/new?limit=100&raw_json=1"
    assert first.cb_kwargs == {"subreddit": "LLMDevs", "query": None, "page": 1}
    # The first of LLMDevs' other listings, sent once its first one has answered.
    assert requests[len(firsts)].url == (
        f"{API}/r/LLMDevs/search?q=%22as+an+AI+engineer%22&restrict_sr=1&sort=new&t=year"
        "&limit=100&raw_json=1"
    )
    assert "got an app-only token (expires in 86400s) for 9 waiting requests" in caplog.text
    assert token not in caplog.text and SECRET not in caplog.text


def test_a_valid_token_is_reused_without_asking_again(no_env):
    source, _ = authorized()
    (again,) = list(source.send(source.listing_request("Rag")))
    assert again.url == f"{API}/r/Rag/new?limit=100&raw_json=1"
    assert again.headers[b"Authorization"].startswith(b"bearer ")
    assert stat(source, "tokens") == 1


def test_query_argument_replaces_the_configured_queries(no_env):
    _, requests = authorized(query="prompt caching")
    searches = [r for r in requests if "/search?" in r.url]
    assert len(searches) == 9 and len(requests) == 14
    assert {parse_qs(urlsplit(r.url).query)["q"][0] for r in searches} == {"prompt caching"}


def test_a_since_older_than_a_year_searches_all_time(no_env):
    source = source_of(CREDENTIALS, since="2024-06-01")
    assert "&t=all&" in source.listing_url("Rag", "evals")
    assert "&t=year&" in source_of(CREDENTIALS).listing_url("Rag", "evals")


def test_a_refused_token_is_said_once_and_stops_the_source(no_env, caplog):
    source = source_of(CREDENTIALS)
    (request,) = list(source.start_requests())
    body = b'{"message": "Unauthorized", "error": 401}'
    response = Response(request.url, status=401, body=body, headers={"Content-Type": JSON_TYPE})
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request
    with caplog.at_level(logging.DEBUG):
        source.token_failed(failure)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "storycrawl.spiders.reddit"]
    assert "no access token (HTTP 401, Unauthorized; check REDDIT_CLIENT_ID" in line
    assert "95 listings and the rest of this crawl's Reddit requests are skipped" in line
    assert SECRET not in caplog.text
    assert (stat(source, "errors/token_failed"), stat(source, "skipped/no_token")) == (1, 95)
    assert list(source.send(source.listing_request("Rag"))) == []
    assert stat(source, "skipped/no_token") == 96


def test_a_token_answer_that_is_not_a_token_stops_the_source(no_env):
    source = source_of(CREDENTIALS)
    list(source.start_requests())
    bad = token_response(source, {"error": "invalid_grant"})
    assert list(source.token_received(bad)) == []
    assert stat(source, "errors/bad_response") == 1 and source.stopped and source.token is None


# --- listings and paging -------------------------------------------------------------------


def listing_response(request: scrapy.Request, name: str) -> TextResponse:
    return TextResponse(
        url=request.url, body=listing_file(name), headers={"Content-Type": JSON_TYPE},
        request=request,
    )  # fmt: skip


def split(results) -> tuple[list[scrapy.Request], list]:
    results = list(results)
    requests = [r for r in results if isinstance(r, scrapy.Request)]
    return requests, [r for r in results if not isinstance(r, scrapy.Request)]


def read(source: RedditSource, name: str, sub: str, query: str | None = None, page: int = 1):
    request = source.listing_request(sub, query, page=page)
    return split(source.parse_listing(listing_response(request, name), sub, query, page))


def listings(requests: list[scrapy.Request]) -> list[scrapy.Request]:
    return [r for r in requests if r.url.startswith(API)]


def test_a_page_with_after_is_followed_and_link_posts_reach_their_articles(no_env):
    source, _ = authorized()
    requests, items = read(source, "LLMDevs_new_p1.json", "LLMDevs")
    (next_page,) = listings(requests)
    after = parse_listing(listing_file("LLMDevs_new_p1.json")).after
    assert next_page.url == f"{API}/r/LLMDevs/new?limit=100&raw_json=1&after={after}"
    assert next_page.cb_kwargs == {"subreddit": "LLMDevs", "query": None, "page": 2}
    assert next_page.headers[b"Authorization"].startswith(b"bearer ")
    articles = [r.url for r in requests if not r.url.startswith(API)]
    assert articles == [
        "https://blog.corvidlabs.dev/agent-memory-postmortem/",
        "https://priyavenkat.dev/posts/evaluating-agent-tool-calls/",
    ]
    assert all("dont_obey_robotstxt" not in r.meta for r in requests if r.url in articles)
    assert len(items) == 4, "the self posts; the deleted one is skipped"
    assert (stat(source, "candidates"), stat(source, "skipped/deleted")) == (6, 1)
    assert [r.url for r in listings(requests)] == [next_page.url]
    assert next_page.url in {r["url"] for r in routes()}


def test_paging_stops_at_since_even_with_an_after(no_env):
    source, _ = authorized()
    requests, items = read(source, "LLMDevs_new_p2.json", "LLMDevs", page=2)
    assert parse_listing(listing_file("LLMDevs_new_p2.json")).after is not None
    assert listings(requests) == []
    assert len(items) == 3 and len(requests) == 2, "3 self posts, 2 articles; the old post ends it"
    assert stat(source, "out_of_range") == 1 and stat(source, "candidates") == 5


def test_paging_stops_without_after_and_at_max_pages(no_env):
    source, _ = authorized()
    requests, items = read(source, "Rag_search_we_built_rag_p2.json", "Rag", '"we built" RAG', 2)
    assert (listings(requests), len(items)) == ([], 1)
    source, _ = authorized()
    requests, _ = read(source, "Rag_search_we_built_rag_p1.json", "Rag", '"we built" RAG', 5)
    assert listings(requests) == [], "max_pages = 5 in the shipped sources.toml"
    requests, _ = read(source, "Rag_search_we_built_rag_p1.json", "Rag", '"we built" RAG', 4)
    (page_5,) = listings(requests)
    after = parse_listing(listing_file("Rag_search_we_built_rag_p1.json")).after
    assert page_5.url.endswith(f"&after={after}") and page_5.cb_kwargs["page"] == 5


def test_a_pinned_post_older_than_since_does_not_end_the_paging(no_env):
    source, _ = authorized(since="2026-11-15")
    body = json.loads(listing_file("LLMDevs_new_p1.json"))
    old_pinned = {**thing("LLMDevs_new_p2.json", "Shipped our first agent"), "stickied": True}
    body["data"]["children"].insert(0, {"kind": "t3", "data": old_pinned})
    body["data"]["children"] = body["data"]["children"][:4]  # all since the 15th but the pin
    request = source.listing_request("LLMDevs")
    response = TextResponse(request.url, body=json.dumps(body).encode(),
                            headers={"Content-Type": JSON_TYPE}, request=request)  # fmt: skip
    requests, _ = split(source.parse_listing(response, "LLMDevs", None, 1))
    assert len(listings(requests)) == 1
    assert stat(source, "out_of_range") == 1, "the pinned post itself is not taken"


def test_limit_stops_taking_and_paging(no_env):
    source, _ = authorized(limit="2")
    requests, items = read(source, "LLMDevs_new_p1.json", "LLMDevs")
    assert listings(requests) == [] and len(items) + len(requests) == 2
    assert stat(source, "limit_reached") == 1 and stat(source, "candidates") == 2


def test_the_same_post_from_another_listing_is_taken_once(no_env):
    source, _ = authorized()
    _, items = read(source, "LLMDevs_new_p1.json", "LLMDevs")
    assert len(items) == 4
    requests, items = read(source, "LLMDevs_search_evals_p1.json", "LLMDevs", "evals")
    assert (requests, items) == ([], [])
    assert stat(source, "skipped/seen_in_other_listing") == 1


@pytest.mark.parametrize("crosspost_first", [True, False])
def test_a_crosspost_and_its_original_are_one_candidate(no_env, crosspost_first):
    source, _ = authorized()
    original_url = post_from_thing(thing("LLMDevs_new_p1.json", "Our order-lookup agent")).url
    order = [("LangChain_new_p1.json", "LangChain"), ("LLMDevs_new_p1.json", "LLMDevs")]
    taken = []
    for name, sub in order if crosspost_first else order[::-1]:
        _, items = read(source, name, sub)
        taken += [i.url for i in items if "order_lookup_agent" in i.url]
    assert taken == [original_url]
    assert stat(source, "crossposts") == 1
    assert stat(source, "skipped/seen_in_other_listing") == 1


def test_nsfw_posts_are_skipped_unless_asked_for(no_env):
    source, _ = authorized()
    assert read(source, "AI_Agents_search_evals_p1.json", "AI_Agents", "evals") == ([], [])
    assert stat(source, "skipped/nsfw") == 1 and stat(source, "candidates") is None
    source, _ = authorized()
    source.config.include_nsfw = True
    _, items = read(source, "AI_Agents_search_evals_p1.json", "AI_Agents", "evals")
    assert len(items) == 1


def test_removed_and_media_posts_are_skipped_and_counted(no_env):
    source, _ = authorized()
    read(source, "LangChain_new_p1.json", "LangChain")
    read(source, "LocalLLaMA_search_in_production_rag_p1.json", "LocalLLaMA", '"in production" RAG')
    # One removed post; an i.redd.it image, an i.imgur.com image, an imgur album, a youtu.be and
    # a youtube.com video, a v.redd.it video and a gallery (#13 row 3).
    assert (stat(source, "skipped/removed"), stat(source, "skipped/media")) == (1, 7)


def test_an_html_page_instead_of_a_listing_is_counted(no_env):
    source, _ = authorized()
    request = source.listing_request("Rag")
    body = (FILES / "errors" / "blocked.html").read_bytes()
    html_type = {"Content-Type": "text/html; charset=utf-8"}
    response = TextResponse(request.url, body=body, headers=html_type, request=request)
    assert list(source.parse_listing(response, "Rag", None, 1)) == []
    assert stat(source, "errors/bad_response") == 1


def http_failure(request: scrapy.Request, status: int, body: bytes, **headers: str) -> Failure:
    response = Response(
        request.url, status=status, body=body, headers={"Content-Type": JSON_TYPE, **headers},
        request=request,
    )  # fmt: skip
    failure = Failure(HttpError(response, f"Ignoring non-200 response ({status})"))
    failure.request = request
    return failure


def test_listing_errors_are_counted_and_logged_with_what_they_say(no_env, caplog):
    source, firsts = authorized(released=False)
    by_url = {r.url: r for r in firsts}
    private = by_url[f"{API}/r/aiengineering/new?limit=100&raw_json=1"]
    blocked = source.listing_request("LocalLLaMA", '"tool calling"')
    throttled = source.listing_request("LLMDevs", '"LLM as a judge"')
    errors = FILES / "errors"
    failures = [
        http_failure(private, 403, (errors / "forbidden_private.json").read_bytes()),
        http_failure(blocked, 403, (errors / "blocked.html").read_bytes()),
        http_failure(throttled, 429, (errors / "too_many_requests.html").read_bytes(),
                     **{"x-ratelimit-used": "1000", "x-ratelimit-reset": "1"}),
    ]  # fmt: skip
    failures[1].value.response.headers["Content-Type"] = "text/html; charset=utf-8"
    failures[2].value.response.headers["Content-Type"] = "text/html; charset=UTF-8"
    with caplog.at_level(logging.WARNING):
        released = [list(source.listing_failed(failure)) for failure in failures]
    # A private subreddit answers every listing so: its other ten are not sent. A block page or
    # a rate limit is about one request: the subreddit's other listings go out.
    assert [len(r) for r in released] == [0, 9, 10]
    assert stat(source, "skipped/subreddit_private") == 10
    assert (stat(source, "errors/http_403"), stat(source, "errors/http_429")) == (2, 1)
    lines = [r.getMessage() for r in caplog.records]
    goes_on = "; this listing stops, the others go on"
    assert lines == [
        (
            "reddit: r/aiengineering new (page 1) answered HTTP 403 (Forbidden, reason: private); "
            "r/aiengineering cannot be listed (private): its 10 other listings are skipped"
        ),
        "reddit: r/LocalLLaMA search '\"tool calling\"' (page 1) answered HTTP 403 (an HTML page "
        "titled 'Blocked', not a Reddit JSON error)" + goes_on,
        "reddit: r/LLMDevs search '\"LLM as a judge\"' (page 1) answered HTTP 429 (an HTML page "
        "titled 'Too Many Requests', not a Reddit JSON error) (rate limited: 1000 requests used, the window "
        "resets in 1s)" + goes_on,
    ]


UNAUTHORIZED = b'{"message": "Unauthorized", "error": 401}'


def test_a_401_fetches_a_new_token_once_and_the_requests_go_again(no_env):
    source, requests = authorized()
    first, second, third = requests[:3]
    (token_request,) = source.listing_failed(http_failure(first, 401, UNAUTHORIZED))
    assert (token_request.method, token_request.url) == (
        "POST",
        "https://www.reddit.com/api/v1/access_token",
    )
    assert source.token is None and stat(source, "token_refreshes") == 1
    # A second 401 while the new token is on its way waits for it.
    assert list(source.listing_failed(http_failure(second, 401, UNAUTHORIZED))) == []
    fresh = {**token_body(), "access_token": "fresh-token"}
    retried = list(source.token_received(token_response(source, fresh)))
    assert [r.url for r in retried] == [first.url, second.url]
    assert all(r.headers[b"Authorization"] == b"bearer fresh-token" for r in retried)
    assert all(r.meta["reddit_generation"] == 2 and r.meta["reddit_retried"] for r in retried)
    assert all(r.callback == source.parse_listing for r in retried)
    assert stat(source, "tokens") == 2
    # A request sent with the old token is resent with the new one, not refreshed again.
    (late,) = source.listing_failed(http_failure(third, 401, UNAUTHORIZED))
    assert late.url == third.url and late.headers[b"Authorization"] == b"bearer fresh-token"
    # One that meets a 401 again right after its retry is given up.
    assert list(source.listing_failed(http_failure(retried[0], 401, UNAUTHORIZED))) == []
    assert stat(source, "errors/http_401") == 1 and stat(source, "token_refreshes") == 1


def test_no_more_listings_go_out_once_the_limit_is_reached(no_env):
    source, firsts = authorized(released=False, limit="2")
    first = firsts[0]  # r/LLMDevs new: more than two posts
    requests, items = [], []
    for out in source.parse_listing(
        listing_response(first, "LLMDevs_new_p1.json"), "LLMDevs", None, 1
    ):
        (requests if isinstance(out, scrapy.Request) and out.url.startswith(API) else items).append(
            out
        )
    assert requests == [] and stat(source, "skipped/limit_reached") == 10


def test_a_first_listing_given_up_after_two_401s_skips_its_subreddit(no_env, caplog):
    source, firsts = authorized(released=False)
    first = firsts[0]  # r/LLMDevs new; its 10 searches wait for it
    (_token_request,) = source.listing_failed(http_failure(first, 401, UNAUTHORIZED))
    (retried,) = source.token_received(token_response(source))
    with caplog.at_level(logging.WARNING):
        assert list(source.listing_failed(http_failure(retried, 401, UNAUTHORIZED))) == []
    assert stat(source, "skipped/unauthorized") == 10 and "LLMDevs" not in source.later
    assert "skipped, with 10 other listings of its subreddit" in caplog.text


# --- over HTTP -----------------------------------------------------------------------------


def accept_posts(server: LoopbackServer) -> list[bytes]:
    """LoopbackServer answers GET; the token endpoint is a POST. Same routes, bodies kept."""
    bodies: list[bytes] = []
    handler = server.httpd.RequestHandlerClass

    def do_POST(self):
        bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        handler.do_GET(self)

    handler.do_POST = do_POST
    return bodies


@pytest_twisted.inlineCallbacks
def test_over_http_one_token_bearer_listings_and_one_refresh_after_a_401(tmp_path, no_env):
    token_a, token_b = "token-a-" + "x" * 40, "token-b-" + "y" * 40
    listing = json.loads(listing_file("LLMDevs_search_evals_p1.json"))  # one self post
    json_headers = {"Content-Type": JSON_TYPE}

    def token(value: str) -> Reply:
        return Reply(
            200, json_headers, json.dumps({**token_body(), "access_token": value}).encode()
        )

    invalid = {**json_headers, "www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
    routes_ = {
        "/api/v1/access_token": [token(token_a), token(token_b)],
        "/r/LLMDevs/new": [
            Reply(401, invalid, UNAUTHORIZED),
            Reply(200, json_headers, json.dumps(listing).encode()),
        ],
        "/r/LLMDevs/search": Reply(200, json_headers, listing_file("empty_search.json")),
    }
    with LoopbackServer(routes_) as server:
        bodies = accept_posts(server)
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'[reddit]\napi_url = "{server.url}"\ntoken_url = "{server.url}/api/v1/access_token"\n'
            'queries = ["evals"]\n[[reddit.subreddits]]\nname = "LLMDevs"\n'
            'listings = ["new", "search"]\n'
        )
        db_path = tmp_path / "t.db"
        crawler = make_crawler(
            RedditSpider,
            {
                "STORYCRAWL_DB": str(db_path),
                "STORYCRAWL_SOURCES": str(sources),
                "STORYCRAWL_NOW": NOW,
                "AUTOTHROTTLE_ENABLED": False,
                "REDDIT_USERNAME": "storycrawl_bot",
                **CREDENTIALS,
            },
        )
        yield deferred_from_coro(crawler.crawl_async())

    tokens = server.requests_to("/api/v1/access_token")
    assert len(tokens) == 2, "the first token, then one refresh after the 401"
    assert bodies == [b"grant_type=client_credentials"] * 2
    basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    assert {t["headers"]["Authorization"] for t in tokens} == {basic}
    news = server.requests_to("/r/LLMDevs/new")
    assert [r["headers"]["Authorization"] for r in news] == [
        f"bearer {token_a}",
        f"bearer {token_b}",
    ]
    (search,) = server.requests_to("/r/LLMDevs/search")
    # Sent once the subreddit's first listing had answered, after the refresh.
    assert search["headers"]["Authorization"] == f"bearer {token_b}"
    assert search["path"] == (
        "/r/LLMDevs/search?q=evals&restrict_sr=1&sort=new&t=year&limit=100&raw_json=1"
    )
    user_agent = f"python:storycrawl:{__version__} (by /u/storycrawl_bot)"
    assert {r["headers"]["User-Agent"] for r in server.log} == {user_agent}
    assert server.requests_to("/robots.txt") == [], "the API's robots.txt is not for API clients"
    stats = crawler.stats
    assert stats.get_value("storycrawl/source/reddit/tokens") == 2
    assert stats.get_value("storycrawl/source/reddit/token_refreshes") == 1
    assert stats.get_value("storycrawl/source/reddit/pages") == 2
    db = StoryDB(db_path)
    stories = list(db.iter_stories())
    db.close()
    assert [s["url"] for s in stories] == [manifest()[0]["url"]]
    assert stories[0]["include"] is True


# --- the replayed crawl --------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawl(replayed):
    # Home pages off: the stats below count Reddit's own requests exactly (home pages are
    # tested in tests/test_home_page.py and in the crawl of everything).
    return replayed("reddit", settings={"STORYCRAWL_HOME_PAGES": False})


def misses() -> set[str]:
    """Rows the heuristic classifier gets wrong with an honest label (none at the moment)."""
    marked = {m["url"] for m in manifest() if m.get("classifier_miss")}
    assert len(marked) <= 3, "more than a few misses: fix the classifier, not the test"
    return marked


@pytest.mark.e2e
def test_a_post_older_than_since_ends_the_paging_and_is_not_collected(crawl):
    (entry,) = [m for m in manifest() if not m.get("collected", True)]
    assert entry["expect"] == "out_of_range" and entry["published"] < "2025-11-27"
    assert entry["url"] not in crawl["stories"] and rejections_of(crawl, entry["url"]) == []


@pytest.mark.e2e
def test_an_article_shared_in_two_subreddits_is_one_story_with_both_threads(crawl):
    (entry,) = [m for m in manifest() if m["expect"] == "duplicate"]
    story = crawl["stories"][entry["url"]]
    threads = {d["url"]: d["site"] for d in story["discussions"]}
    assert entry["via"] in threads and len(threads) == 2
    assert set(threads.values()) == {"reddit r/Rag", "reddit r/LLMDevs"}
    assert any(r["reason"] == "duplicate" for r in rejections_of(crawl, entry["url"]))


@pytest.mark.e2e
def test_labels_dates_and_threads_match_the_manifest(crawl):
    for entry in manifest():
        if entry["expect"] != "include" or entry["url"] in misses():
            continue
        story = crawl["stories"][entry["url"]]
        assert story["source"] == "reddit", entry["url"]
        assert story["source_type"] == entry["source_type"], entry["url"]
        assert story["published"][:10] == entry["published"], entry["url"]
        assert entry["via"] in {d["url"] for d in story["discussions"]}, entry["url"]
        assert f"reddit r/{entry['subreddit']}" in {d["site"] for d in story["discussions"]}
        assert story["evidence"] and 0 < story["confidence"] <= 1
        if entry["source_type"] == "social":
            assert story["hints"]["subreddit"] == entry["subreddit"]
            assert story["url"].startswith("https://reddit.com/r/")


@pytest.mark.e2e
def test_stats_of_the_error_shapes_skips_and_nothing_missing(crawl):
    stats = crawl["stats"]
    source = "storycrawl/source/reddit"
    assert stats.get("storycrawl/replay/missing", 0) == 0
    # timkellogg.me's article is recorded by feeds-personal, without a robots.txt (a 404).
    assert stats.get("storycrawl/replay/robots_missing", 0) <= 1
    assert "Not in the recording" not in crawl["log"]
    # A token, 87 listing pages, 3 retries of the 429, and 9 articles with their robots.txt:
    # no robots.txt of a Reddit host is asked for.
    assert stats["downloader/request_count"] == 109
    assert stats["robotstxt/request_count"] == 9 and "robotstxt/forbidden" not in stats
    assert stats[f"{source}/tokens"] == 1 and f"{source}/token_refreshes" not in stats
    assert stats[f"{source}/pages"] == 84
    assert stats[f"{source}/errors/http_403"] == 2, "r/aiengineering's first and one Blocked page"
    assert stats[f"{source}/skipped/subreddit_private"] == 10
    assert stats[f"{source}/errors/http_429"] == 1
    assert stats["storycrawl/retry_after/retried"] == 3
    assert stats[f"{source}/candidates"] == len([m for m in manifest() if m.get("collected", True)])
    assert stats[f"{source}/out_of_range"] == 1
    assert stats[f"{source}/crossposts"] == 1
    assert stats[f"{source}/skipped/seen_in_other_listing"] == 9
    for skipped in ("deleted", "removed", "nsfw"):
        assert stats[f"{source}/skipped/{skipped}"] == 1, skipped
    assert stats[f"{source}/skipped/media"] == 7, "images, videos and a gallery (#13 row 3)"
    assert stats[f"{source}/included"] == len([m for m in manifest() if m["expect"] == "include"])
    log = crawl["log"]
    assert log.count("r/aiengineering cannot be listed (private)") == 1
    assert "(rate limited: 1000 requests used, the window resets in 1s)" in log


@pytest.mark.e2e
def test_the_secret_and_the_token_stay_out_of_the_log_and_the_run(crawl):
    record = json.dumps(crawl["run"], default=str)
    for secret in ("replay-client-secret", token_body()["access_token"]):
        assert secret not in crawl["log"] and secret not in record


@pytest.mark.e2e
@async_test
async def test_without_credentials_one_clear_line_and_no_request(tmp_path):
    crawl = await crawl_async(
        "reddit", tmp_path, settings={"REDDIT_CLIENT_ID": "", "REDDIT_CLIENT_SECRET": ""}
    )
    records = [
        line for line in crawl["log"].splitlines() if " WARNING: " in line or " ERROR: " in line
    ]
    (line,) = records
    assert "Source reddit skipped: Reddit's API needs app credentials" in line
    assert "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET" in line
    assert crawl["stories"] == {} and crawl["rejections"] == []
    stats = crawl["stats"]
    assert "downloader/request_count" not in stats
    assert stats["storycrawl/source/reddit/skipped"] == 1


# --- the recording itself ------------------------------------------------------------------


def test_every_listing_the_spider_asks_for_is_recorded(no_env):
    source = source_of(CREDENTIALS)
    asked = {r.url for r in source.listing_requests()}
    assert asked == recorded_first_pages()


def test_manifest_counts_match_the_readme():
    entries = manifest()
    by_expect: dict[str, int] = {}
    by_type: dict[str | None, int] = {}
    for entry in entries:
        by_expect[entry["expect"]] = by_expect.get(entry["expect"], 0) + 1
        by_type[entry["source_type"]] = by_type.get(entry["source_type"], 0) + 1
    assert len(entries) == 34
    assert len([e for e in entries if e.get("collected", True)]) == 33
    assert by_expect == {
        "include": 18,
        "role": 6,
        "not_first_hand": 4,
        "job_posting": 2,
        "out_of_range": 2,
        "fetch_failed": 1,
        "duplicate": 1,
    }
    assert by_type == {"social": 24, "company": 4, "personal": 5, None: 1}
    assert misses() == set()
    for entry in entries:
        assert entry["source"] == "reddit" and entry["via"].startswith("https://reddit.com/r/")
        assert entry["url"].startswith("https://") and "www." not in entry["url"]
        assert "2025-11-27" <= (entry["published"] or "9999") <= "2026-11-27" or entry[
            "expect"
        ] in ("out_of_range", "fetch_failed"), entry["url"]


# --- #13 rows 3 and 11: media link posts and entity-escaped listings -------------------------------


def t3(post_id: str, **fields) -> dict:
    """A t3 of a /new listing as Reddit sends it (fields as in sources.md §1.5)."""
    data = {
        "id": post_id, "name": f"t3_{post_id}", "subreddit": "LocalLLaMA", "title": f"Post {post_id} title",
        "author": "someone", "is_self": False, "domain": "example.com", "selftext": "", "selftext_html": None,
        "url": f"https://example.com/{post_id}", "permalink": f"/r/LocalLLaMA/comments/{post_id}/post/",
        "created_utc": 1790000000.0, "edited": False, "score": 10, "upvote_ratio": 0.9,
        "num_comments": 2, "over_18": False, "stickied": False, "removed_by_category": None,
        "is_video": False,
    }  # fmt: skip
    data.update(fields)
    return {"kind": "t3", "data": data}


MEDIA_POSTS = {
    "img1": {"post_hint": "image", "domain": "i.imgur.com", "url": "https://i.imgur.com/a1b2c3.png"},
    "img2": {"domain": "imgur.com", "url": "https://imgur.com/gallery/x9y8z7"},
    "yt1": {"post_hint": "rich:video", "domain": "youtu.be", "url": "https://youtu.be/dQw4w9WgXcQ",
            "media": {"type": "youtube.com", "oembed": {"type": "video"}}},
    "yt2": {"domain": "youtube.com", "url": "https://www.youtube.com/watch?v=abc123"},
    "vid1": {"is_video": True, "post_hint": "hosted:video", "domain": "v.redd.it", "url": "https://v.redd.it/q1w2e3"},
    "gal1": {"is_gallery": True, "domain": "reddit.com", "url": "https://www.reddit.com/gallery/gal1",
             "gallery_data": {"items": [{"media_id": "m1", "id": 1}]},
             "media_metadata": {"m1": {"status": "valid", "e": "Image", "m": "image/png"}}},
    "jpg1": {"domain": "cdn.example.org", "url": "https://cdn.example.org/uploads/chart.JPG"},
}  # fmt: skip


def test_media_link_posts_are_not_articles():
    for post_id, fields in MEDIA_POSTS.items():
        data = t3(post_id, **fields)["data"]
        assert is_media(data) and post_from_thing(data) is None, post_id
    article = t3("art1", domain="blog.example.com", url="https://blog.example.com/rag-evals")[
        "data"
    ]
    assert not is_media(article) and post_from_thing(article).link == article["url"]


def test_media_posts_in_a_listing_are_skipped_and_counted():
    source = source_of(CREDENTIALS)
    children = [t3(post_id, **fields) for post_id, fields in MEDIA_POSTS.items()]
    children.append(t3("art1", domain="blog.example.com", url="https://blog.example.com/rag-evals"))
    body = json.dumps({"kind": "Listing", "data": {"after": None, "dist": 8, "children": children}})
    url = f"{API}/r/LocalLLaMA/new?limit=100&raw_json=1"
    response = TextResponse(url, body=body.encode(), headers={"Content-Type": JSON_TYPE})
    out = list(source.parse_listing(response, subreddit="LocalLLaMA", query=None, page=1))
    assert [r.url for r in out if isinstance(r, Request)] == ["https://blog.example.com/rag-evals"]
    assert stat(source, "skipped/media") == len(MEDIA_POSTS)


def test_an_entity_escaped_listing_is_unescaped():
    # A listing fetched without raw_json=1: every string escaped, selftext_html twice over.
    data = t3(
        "esc1",
        is_self=True,
        domain="self.LocalLLaMA",
        url="https://www.reddit.com/r/LocalLLaMA/comments/esc1/post/",
        title="Evals &amp; guardrails for our &lt;agent&gt;",
        selftext="We run evals &amp; guardrails on every deploy of our support agent.",
        selftext_html=(
            '&lt;!-- SC_OFF --&gt;&lt;div class="md"&gt;&lt;p&gt;We run evals &amp;amp; '
            "guardrails on every deploy of our support agent.&lt;/p&gt;\n&lt;/div&gt;&lt;!-- SC_ON --&gt;"
        ),
    )["data"]
    post = post_from_thing(data)
    assert post.title == "Evals & guardrails for our <agent>"
    assert post.text == "We run evals & guardrails on every deploy of our support agent."
    assert "<div" not in selftext_of(data) and "&lt;" not in selftext_of(data)


def test_the_recorded_escaped_listing_reads_like_a_raw_json_one():
    # mcp's /new listing as Reddit answers without raw_json=1: every string entity-escaped.
    (gateway, *_) = things("mcp_new_p1.json")
    assert gateway["selftext_html"].startswith("&lt;!-- SC_OFF --&gt;&lt;div class=")
    post = post_from_thing(gateway)
    assert "<div" not in post.text and "&lt;" not in post.text and "&amp;" not in post.text
    assert post.text.startswith("Hey r/mcp!")


def test_the_recorded_media_posts_are_skipped_as_media():
    data = [
        thing_data(c)
        for c in parse_listing(listing_file("LocalLLaMA_search_in_production_rag_p1.json")).children
    ]
    assert sum(is_media(d) for d in data) == len(data) == 7
    assert sorted(media_kind(d) for d in data) == [
        "gallery", "image", "image", "imgur.com", "video", "video", "video",
    ]  # fmt: skip


def test_a_malformed_link_post_is_a_candidate_not_a_crash():
    # #14 item 2: a bad IPv6 literal in a link post's url must not stop the listing.
    data = t3("bad1", domain="[::1", url="http://[::1/post")["data"]
    assert not is_media(data) and post_from_thing(data).link == "http://[::1/post"
