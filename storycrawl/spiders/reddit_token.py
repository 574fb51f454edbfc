"""The Reddit source's app-only OAuth token (sources.md §1.2): fetched once for every request
waiting for it, fetched again when it expires or when a listing answers 401, and the source
stopped, said once, when the token endpoint refuses.

The secret and the token never go to the log or the stats. The token request carries
`dont_obey_robotstxt`: www.reddit.com's robots.txt disallows every path, the token endpoint
included, and this is the API's authentication call, not crawling.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterable

import scrapy
from scrapy.http import FormRequest, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl.parsers import ParseError
from storycrawl.parsers.article import content_type
from storycrawl.parsers.reddit import Token, describe_error_body, parse_token

# The Reddit source logs under one name, whichever of its modules speaks.
logger = logging.getLogger("storycrawl.spiders.reddit")

CLIENT_ID_SETTING = "REDDIT_CLIENT_ID"
CLIENT_SECRET_SETTING = "REDDIT_CLIENT_SECRET"
APPS_URL = "https://www.reddit.com/prefs/apps"
# Fetch a new token this long before the old one expires, so no request meets the expiry.
EXPIRY_MARGIN = 60.0


class RedditToken:
    """Mixed into RedditSource: the token and the requests waiting for it. Expects the
    source's `config`, `name`, `count`, `client_id`, `client_secret`, `user_agent` and
    `later` (the listings each subreddit sends once its first has answered)."""

    token: Token | None = None
    expires_at = 0.0  # time.monotonic() after which the token is not used
    # Bumped by each new token: a request that carried an older one is resent, not refreshed.
    generation = 0
    # Requests waiting for a token while one is being fetched (None: no fetch in flight).
    waiting: list[scrapy.Request] | None = None
    # Set when the token endpoint refused us: nothing more is sent.
    stopped = False

    def token_valid(self) -> bool:
        return self.token is not None and time.monotonic() < self.expires_at

    def send(self, request: scrapy.Request) -> Iterable[scrapy.Request]:
        """The request with the current token; or, without a valid one, the request waits and
        a token is fetched (once for all waiting requests)."""
        if self.stopped:
            self.count("skipped/no_token")
            return
        if self.token_valid():
            yield self.with_token(request)
            return
        if self.waiting is not None:
            self.waiting.append(request)
            return
        self.waiting = [request]
        yield self.token_request()

    def with_token(self, request: scrapy.Request) -> scrapy.Request:
        assert self.token is not None
        authorized = request.replace(
            dont_filter=True,  # a listing resent after a 401 has the same URL
            meta={**request.meta, "reddit_generation": self.generation},
        )
        authorized.headers["Authorization"] = f"bearer {self.token.access_token}"
        return authorized

    def token_request(self) -> scrapy.Request:
        credentials = f"{self.client_id}:{self.client_secret}".encode()
        return FormRequest(
            self.config.token_url,
            formdata={"grant_type": "client_credentials"},
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
                "User-Agent": self.user_agent,
            },
            callback=self.token_received,
            errback=self.token_failed,
            dont_filter=True,  # each refresh posts the same form to the same URL
            # www.reddit.com's robots.txt disallows every path, the token endpoint included. This
            # is the API's authentication call, not crawling (see the module docstring).
            meta={"source": self.name, "dont_obey_robotstxt": True},
        )

    def token_received(self, response: Response) -> Iterable[scrapy.Request]:
        waiting, self.waiting = self.waiting or [], None
        try:
            token = parse_token(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            self.stop(waiting, str(exc))
            return
        self.token = token
        self.expires_at = time.monotonic() + max(token.expires_in - EXPIRY_MARGIN, 1.0)
        self.generation += 1
        self.count("tokens")
        logger.info(
            "reddit: got an app-only token (expires in %ds) for %d waiting requests",
            token.expires_in,
            len(waiting),
        )
        for request in waiting:
            yield self.with_token(request)

    def token_failed(self, failure: Failure) -> None:
        waiting, self.waiting = self.waiting or [], None
        if failure.check(HttpError):
            response = failure.value.response
            self.count(f"errors/http_{response.status}")
            what = describe_error_body(response.body, content_type(response))
            reason = f"HTTP {response.status}, {what}"
            if response.status in (400, 401, 403):
                reason += f"; check {CLIENT_ID_SETTING} and {CLIENT_SECRET_SETTING} ({APPS_URL})"
        else:
            self.count(f"errors/{failure.type.__name__}")
            reason = failure.getErrorMessage()
        self.stop(waiting, reason)

    def stop(self, waiting: list[scrapy.Request], reason: str) -> None:
        """No token: said once, and no Reddit request is sent any more."""
        self.stopped = True
        self.token = None
        skipped = len(waiting) + sum(len(later) for later in self.later.values())
        self.later.clear()
        self.count("errors/token_failed")
        self.count("skipped/no_token", skipped)
        logger.error(
            "reddit: no access token (%s); %d listings and the rest of this crawl's Reddit "
            "requests are skipped",
            reason,
            skipped,
        )

    def unauthorized(self, request: scrapy.Request) -> Iterable[scrapy.Request]:
        """A 401: the token expired early or was revoked. Fetched again once; a request that
        meets a 401 again right after is given up."""
        if request.meta.get("reddit_generation", 0) < self.generation:
            yield from self.send(request)  # sent before the last new token
            return
        if request.meta.get("reddit_retried"):
            # Its subreddit's other listings would meet the same: skipped too, and counted.
            skipped = len(self.later.pop(request.cb_kwargs.get("subreddit", ""), []))
            self.count("errors/http_401")
            self.count("skipped/unauthorized", skipped)
            logger.warning(
                "reddit: %s answered 401 again with a new token; skipped, with %d other listings "
                "of its subreddit",
                request.url,
                skipped,
            )
            return
        retry = request.replace(meta={**request.meta, "reddit_retried": True})
        if self.waiting is not None:  # a new token is on its way
            self.waiting.append(retry)
            return
        self.count("token_refreshes")
        logger.info("reddit: %s answered 401; fetching a new token", request.url)
        self.token = None
        yield from self.send(retry)
