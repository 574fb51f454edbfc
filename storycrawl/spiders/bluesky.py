"""Bluesky post search through an app-password session (sources.md §6).

1. `POST {pds_url}/xrpc/com.atproto.server.createSession` with `{"identifier": BSKY_HANDLE,
   "password": BSKY_APP_PASSWORD}` (settings, then the environment): the access and refresh
   JWTs. Without credentials the source does not run and says what to set; a refused login is
   said once and the source stops (searchPosts without a session only collects 403s).
2. `GET {pds_url}/xrpc/app.bsky.feed.searchPosts?q=...&sort=latest&limit=...&since=...` with
   `Authorization: Bearer <accessJwt>` per configured query (or `-a query`), paged by `cursor`
   until there is none, a page reaches `since`, `max_pages`, or `limit`. The same post found by
   several queries is one candidate (by its at:// URI); labelled posts (porn, !hide) are
   skipped. Link posts and social stories: see storycrawl.parsers.bluesky.
3. An access token that expired (`ExpiredToken`, ~2 hours) is refreshed once with
   `com.atproto.server.refreshSession` (Bearer refreshJwt), and the requests that met it are
   retried with the new token; one that meets it again right after is given up.

The password and the tokens never go to the log or the stats.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import JsonRequest, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl.dates import isoformat, parse_datetime
from storycrawl.parsers import ParseError
from storycrawl.parsers.article import content_type
from storycrawl.parsers.bluesky import (
    Session,
    describe_error_body,
    hidden_label,
    parse_search_page,
    parse_session,
    post_from_view,
    sort_time,
    xrpc_error,
)
from storycrawl.spiders.base import Source, StorySpider

logger = logging.getLogger(__name__)

HANDLE_SETTING = "BSKY_HANDLE"
PASSWORD_SETTING = "BSKY_APP_PASSWORD"
APP_PASSWORD_HELP = "an app password from Settings → Privacy and security → App passwords"
CREATE_SESSION = "com.atproto.server.createSession"
REFRESH_SESSION = "com.atproto.server.refreshSession"
SEARCH_POSTS = "app.bsky.feed.searchPosts"


class BlueskySource(Source):
    name = "bluesky"

    def __init__(self, spider: StorySpider):
        super().__init__(spider)
        self.handle = spider.crawl_config.credential(HANDLE_SETTING)
        self.password = spider.crawl_config.credential(PASSWORD_SETTING)
        self.session: Session | None = None
        # Bumped by each refresh: a request that carried an older token is retried, not refreshed.
        self.generation = 0
        # Requests that met an expired token while a refresh is in flight.
        self.waiting: list[scrapy.Request] | None = None
        self.seen_uris: set[str] = set()

    def unavailable(self) -> str | None:
        reason = super().unavailable()
        if reason is None and not (self.handle and self.password):
            return (
                f"post search needs a Bluesky login: set {HANDLE_SETTING} (your handle, e.g. "
                f"you.bsky.social) and {PASSWORD_SETTING} ({APP_PASSWORD_HELP}), with -s or in "
                "the environment"
            )
        return reason

    def xrpc_url(self, method: str) -> str:
        return f"{self.config.pds_url.rstrip('/')}/xrpc/{method}"

    def queries(self) -> list[str]:
        return [self.spider.args.query] if self.spider.args.query else list(self.config.queries)

    # --- session ---------------------------------------------------------------------------
    def start_requests(self) -> Iterable[scrapy.Request]:
        yield JsonRequest(
            self.xrpc_url(CREATE_SESSION),
            data={"identifier": self.handle, "password": self.password},
            callback=self.session_created,
            errback=self.session_failed,
            dont_filter=True,
            meta={"source": self.name},
        )

    def session_created(self, response: Response) -> Iterable[scrapy.Request]:
        try:
            self.session = parse_session(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            logger.error("bluesky: createSession gave no session; no search is made")
            return
        self.count("sessions")
        logger.info("bluesky: logged in as %s", self.session.handle)
        for query in self.queries():
            yield self.search_request(query)

    def session_failed(self, failure: Failure) -> None:
        """Said once, with what to do; the source stops (no session, no search)."""
        if not failure.check(HttpError):
            self.failed(failure)
            logger.error("bluesky: could not log in; no search is made")
            return
        response = failure.value.response
        self.count(f"errors/http_{response.status}")
        self.count("errors/login_failed")
        error = xrpc_error(response.body, content_type(response))
        if error == "AuthFactorTokenRequired":
            advice = f"the account asks for a sign-in code: set {PASSWORD_SETTING} to {APP_PASSWORD_HELP}"
        elif response.status in (400, 401):
            advice = f"check {HANDLE_SETTING} and {PASSWORD_SETTING} ({APP_PASSWORD_HELP})"
        else:
            advice = "the server is down or rate-limiting logins (30 per 5 minutes); try later"
        logger.error(
            "bluesky: the login of %s failed (HTTP %d, %s): %s. No search is made.",
            self.handle,
            response.status,
            describe_error_body(response.body, content_type(response)),
            advice,
        )

    def auth_headers(self) -> dict[str, str]:
        if self.session is None:
            raise RuntimeError("bluesky: a search request was built before logging in")
        return {"Authorization": f"Bearer {self.session.access_jwt}"}

    # --- search ----------------------------------------------------------------------------
    def search_request(
        self, query: str, cursor: str | None = None, page: int = 1
    ) -> scrapy.Request:
        params: dict[str, Any] = {
            "q": query,
            "sort": "latest",
            "limit": self.config.limit,
            "since": isoformat(self.since),
        }
        if cursor:
            params["cursor"] = cursor
        return scrapy.Request(
            f"{self.xrpc_url(SEARCH_POSTS)}?{urlencode(params)}",
            headers=self.auth_headers(),
            callback=self.parse_search,
            errback=self.search_failed,
            cb_kwargs={"query": query, "page": page},
            meta={"source": self.name, "bsky_generation": self.generation},
        )

    def parse_search(self, response: Response, query: str, page: int) -> Iterable[Any]:
        try:
            result = parse_search_page(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            return
        self.count("pages")
        reached_since = False
        for view in result.posts:
            # Results come newest first by sortAt; one older than `since` ends the query.
            when = sort_time(view)
            reached_since = reached_since or (when is not None and when < self.since)
            uri = str(view.get("uri") or "")
            if uri in self.seen_uris:
                self.count("skipped/seen_in_other_query")
                continue
            self.seen_uris.add(uri)
            if label := hidden_label(view):
                self.count("skipped/labelled")
                logger.debug("bluesky: %s is labelled %r; skipped", uri, label)
                continue
            post = post_from_view(view)
            if post is None:
                self.count("skipped/not_a_post")
                continue
            if self.too_old(post.published):
                continue
            if not self.take():
                return
            yield from self.spider.follow_post(post)
        if (
            result.cursor
            and result.posts
            and not reached_since
            and page < self.config.max_pages
            and not self.exhausted
            and self.session is not None  # None once a refresh failed
        ):
            yield self.search_request(query, result.cursor, page + 1)

    def search_failed(self, failure: Failure) -> Iterable[scrapy.Request]:
        if not failure.check(HttpError):
            self.failed(failure)
            return
        response = failure.value.response
        kind = content_type(response)
        if response.status in (400, 401) and xrpc_error(response.body, kind) == "ExpiredToken":
            yield from self.token_expired(failure.request)
            return
        self.count(f"errors/http_{response.status}")
        kwargs = failure.request.cb_kwargs
        logger.warning(
            "bluesky: search %r (page %d) answered HTTP %d (%s)%s; this query stops, the others go on",
            kwargs.get("query"),
            kwargs.get("page", 1),
            response.status,
            describe_error_body(response.body, kind),
            rate_limit_note(response),
        )

    # --- expired tokens --------------------------------------------------------------------
    def token_expired(self, request: scrapy.Request) -> Iterable[scrapy.Request]:
        if self.session is None:  # a refresh failed: nothing to retry with
            self.count("skipped/no_session")
            return
        if request.meta.get("bsky_generation", 0) < self.generation:
            yield self.with_current_token(request)  # sent before the last refresh
            return
        if request.meta.get("bsky_refreshed"):
            self.count("errors/expired_token")
            logger.warning(
                "bluesky: %s: the token expired again right after a refresh; skipped", request.url
            )
            return
        if self.waiting is not None:
            self.waiting.append(request)
            return
        self.waiting = [request]
        self.count("session_refreshes")
        logger.info("bluesky: the access token expired; refreshing the session")
        yield scrapy.Request(
            self.xrpc_url(REFRESH_SESSION),
            method="POST",
            headers={"Authorization": f"Bearer {self.session.refresh_jwt}"},
            callback=self.session_refreshed,
            errback=self.refresh_failed,
            dont_filter=True,
            meta={"source": self.name},
        )

    def with_current_token(self, request: scrapy.Request) -> scrapy.Request:
        return request.replace(
            headers=self.auth_headers(),
            dont_filter=True,
            meta={**request.meta, "bsky_generation": self.generation, "bsky_refreshed": True},
        )

    def session_refreshed(self, response: Response) -> Iterable[scrapy.Request]:
        waiting, self.waiting = self.waiting or [], None
        try:
            session = parse_session(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            self.stop_after_refresh(waiting, str(exc))
            return
        self.session = session
        self.generation += 1
        for request in waiting:
            yield self.with_current_token(request)

    def refresh_failed(self, failure: Failure) -> None:
        waiting, self.waiting = self.waiting or [], None
        if failure.check(HttpError):
            response = failure.value.response
            self.count(f"errors/http_{response.status}")
            reason = f"HTTP {response.status}, {describe_error_body(response.body, content_type(response))}"
        else:
            self.count(f"errors/{failure.type.__name__}")
            reason = failure.getErrorMessage()
        self.stop_after_refresh(waiting, reason)

    def stop_after_refresh(self, waiting: list[scrapy.Request], reason: str) -> None:
        self.session = None
        self.count("errors/refresh_failed")
        self.count("skipped/no_session", len(waiting))
        logger.error(
            "bluesky: could not refresh the session (%s); %d waiting searches and the rest of "
            "this crawl's Bluesky searches are skipped",
            reason,
            len(waiting),
        )


def rate_limit_note(response: Response) -> str:
    """When the rate limit resets, for a 429's log line (`ratelimit-reset`: epoch seconds)."""
    if response.status != 429:
        return ""
    reset = parse_datetime(
        (response.headers.get("ratelimit-reset") or b"").decode("latin-1").strip()
    )
    return f" (rate limit resets at {isoformat(reset)})" if reset else " (rate limited)"


class BlueskySpider(StorySpider):
    """Stories from Bluesky post search: `scrapy crawl bluesky [-a since=YYYY-MM-DD]
    [-a limit=N] [-a query=...]` with BSKY_HANDLE and BSKY_APP_PASSWORD set."""

    name = "bluesky"
    source_classes = (BlueskySource,)
