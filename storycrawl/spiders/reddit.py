"""Reddit through its OAuth API, app-only (sources.md §1).

1. `POST {token_url}` with HTTP Basic auth `REDDIT_CLIENT_ID:REDDIT_CLIENT_SECRET` (settings,
   then the environment) and `grant_type=client_credentials`: a bearer token good for
   `expires_in` seconds. Without credentials the source does not run and says what to set; a
   refused token request is said once and the source stops (listings without a token only
   collect 401s and 403s).
2. Per enabled subreddit, its configured listings on `{api_url}` (oauth.reddit.com) with
   `Authorization: bearer <token>`: `new` (`/r/{sub}/new`) and `search` (`/r/{sub}/search`,
   newest first, once per configured query or for `-a query` alone), paged by `after` until it
   is null, a post older than `since` (both listings are newest first), `max_pages`, or `limit`.
   A subreddit's first listing goes first; its other listings follow once it answers, unless
   it said the subreddit is private, banned, quarantined or gone (then they are skipped).
   The same post from several listings, or a crosspost of one already taken, is one candidate
   (by fullname). Deleted, removed and NSFW posts (unless `include_nsfw`) and image/video
   posts without text are skipped and counted.
3. The token is fetched again when it expires, and once when a listing answers 401; the
   requests waiting for it go out with the new token.

Every Reddit request carries the User-Agent Reddit asks for,
`<platform>:<app ID>:<version> (by /u/<username>)` (REDDIT_USERNAME, else STORYCRAWL_CONTACT).
The secret and the token never go to the log or the stats.

robots.txt: www.reddit.com answers `User-agent: *` / `Disallow: /` since mid-2024 (what
oauth.reddit.com serves was not found; the spider does not depend on it). Reddit's API rules (the
API wiki, "Rules") say "Our robots.txt is for search engines, not API clients. Obey these rules
for API clients instead": the rate limits, a descriptive User-Agent, OAuth. So the source's own
API requests (the token and the listings) carry `dont_obey_robotstxt`; the articles link posts
point to still obey their own sites' robots.txt.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl import __version__
from storycrawl.parsers import ParseError
from storycrawl.parsers.article import content_type
from storycrawl.parsers.reddit import (
    closed_subreddit,
    created,
    describe_error_body,
    gone,
    is_media,
    original_of,
    parse_listing,
    post_from_thing,
    thing_data,
)
from storycrawl.spiders.base import Source, StorySpider
from storycrawl.spiders.reddit_token import (
    APPS_URL,
    CLIENT_ID_SETTING,
    CLIENT_SECRET_SETTING,
    RedditToken,
)

logger = logging.getLogger(__name__)

USERNAME_SETTING = "REDDIT_USERNAME"
# Search's time filter: `year` covers the default window (365 days); an older `since` needs `all`.
YEAR = timedelta(days=366)


class RedditSource(RedditToken, Source):
    name = "reddit"

    def __init__(self, spider: StorySpider):
        super().__init__(spider)
        config = spider.crawl_config
        self.client_id = config.credential(CLIENT_ID_SETTING)
        self.client_secret = config.credential(CLIENT_SECRET_SETTING)
        username = config.credential(USERNAME_SETTING)
        by = f"/u/{username.removeprefix('/u/').removeprefix('u/')}" if username else None
        self.user_agent = (
            f"python:storycrawl:{__version__} (by {by or spider.crawl_config.contact})"
        )
        self.seen: set[str] = set()
        # Per subreddit, the listings sent once its first listing has answered.
        self.later: dict[str, list[scrapy.Request]] = {}

    def unavailable(self) -> str | None:
        reason = super().unavailable()
        if reason is None and not (self.client_id and self.client_secret):
            return (
                f"Reddit's API needs app credentials: set {CLIENT_ID_SETTING} and "
                f"{CLIENT_SECRET_SETTING} in the environment or with -s (the id and secret of a "
                f'"script" app created at {APPS_URL}; new apps need Reddit\'s approval since '
                "November 2025)"
            )
        return reason

    # --- requests ------------------------------------------------------------------------
    def start_requests(self) -> Iterable[scrapy.Request]:
        by_subreddit = groupby(self.listing_requests(), key=lambda r: r.cb_kwargs["subreddit"])
        for subreddit, requests in by_subreddit:
            first, *self.later[subreddit] = requests
            yield from self.send(first)

    def release(self, subreddit: str) -> Iterable[scrapy.Request]:
        """The subreddit's other listings, once its first one has answered (none once `limit`
        candidates are taken)."""
        later = self.later.pop(subreddit, [])
        if self.exhausted:
            self.count("skipped/limit_reached", len(later))
            return
        for request in later:
            yield from self.send(request)

    def queries(self) -> list[str]:
        return [self.spider.args.query] if self.spider.args.query else list(self.config.queries)

    def listing_requests(self) -> Iterable[scrapy.Request]:
        """The first page of every configured listing of every enabled subreddit."""
        for subreddit in self.config.subreddits:
            if not subreddit.enabled:
                continue
            if "new" in subreddit.listings:
                yield self.listing_request(subreddit.name)
            if "search" in subreddit.listings:
                for query in self.queries():
                    yield self.listing_request(subreddit.name, query)

    def listing_url(self, subreddit: str, query: str | None, after: str | None = None) -> str:
        base = f"{self.config.api_url.rstrip('/')}/r/{subreddit}"
        params: dict[str, Any]
        if query is None:
            path = "new"
            params = {"limit": self.config.page_size, "raw_json": 1}
        else:
            path = "search"
            params = {
                "q": query,
                "restrict_sr": 1,
                "sort": "new",
                "t": "year" if self.spider.now - self.since <= YEAR else "all",
                "limit": self.config.page_size,
                "raw_json": 1,
            }
        if after:
            params["after"] = after
        return f"{base}/{path}?{urlencode(params)}"

    def listing_request(
        self, subreddit: str, query: str | None = None, after: str | None = None, page: int = 1
    ) -> scrapy.Request:
        """A listing request without its token (send() adds it)."""
        return scrapy.Request(
            self.listing_url(subreddit, query, after),
            headers={"User-Agent": self.user_agent},
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"subreddit": subreddit, "query": query, "page": page},
            # oauth.reddit.com's robots.txt disallows every path; it is for search engines,
            # not API clients (see the module docstring).
            meta={"source": self.name, "dont_obey_robotstxt": True},
        )

    # --- listings ------------------------------------------------------------------------
    def parse_listing(
        self, response: Response, subreddit: str, query: str | None, page: int
    ) -> Iterable[Any]:
        try:
            listing = parse_listing(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            yield from self.release(subreddit)
            return
        self.count("pages")
        reached_since = False
        for child in listing.children:
            data = thing_data(child)
            if data is None:
                self.count("skipped/not_a_post")
                continue
            # Both listings are newest first; a pinned post may be older than those below it.
            when = created(data)
            if when is not None and when < self.since and not data.get("stickied"):
                reached_since = True
            original = original_of(data)
            if original is not data:
                self.count("crossposts")
            fullname = str(original.get("name") or data.get("name") or "")
            if fullname in self.seen:
                self.count("skipped/seen_in_other_listing")
                continue
            self.seen.add(fullname)
            if removal := gone(original):
                self.count(f"skipped/{removal}")
                continue
            if original.get("over_18") and not self.config.include_nsfw:
                self.count("skipped/nsfw")
                continue
            post = post_from_thing(original)
            if post is None:
                self.count("skipped/media" if is_media(original) else "skipped/not_a_post")
                continue
            if self.too_old(post.published):
                continue
            if not self.take():
                break
            yield from self.spider.follow_post(post)
        # The subreddit's other listings, after this page's posts so a reached limit stops them.
        yield from self.release(subreddit)
        if (
            listing.after
            and listing.children
            and not reached_since
            and page < self.config.max_pages
            and not self.exhausted
        ):
            yield from self.send(self.listing_request(subreddit, query, listing.after, page + 1))

    def listing_failed(self, failure: Failure) -> Iterable[scrapy.Request]:
        request = failure.request
        kwargs = request.cb_kwargs
        subreddit = kwargs.get("subreddit", "")
        if not failure.check(HttpError):
            self.failed(failure)
            yield from self.release(subreddit)
            return
        response = failure.value.response
        if response.status == 401:
            yield from self.unauthorized(request)
            return
        self.count(f"errors/http_{response.status}")
        listing = f"search {kwargs['query']!r}" if kwargs.get("query") else "new"
        closed = closed_subreddit(response.status, response.body, content_type(response))
        if closed:
            skipped = len(self.later.pop(subreddit, []))
            self.count(f"skipped/subreddit_{closed}", skipped)
            consequence = f"r/{subreddit} cannot be listed ({closed}): its {skipped} other listings are skipped"
        else:
            consequence = "this listing stops, the others go on"
        logger.warning(
            "reddit: r/%s %s (page %d) answered HTTP %d (%s)%s; %s",
            subreddit,
            listing,
            kwargs.get("page", 1),
            response.status,
            describe_error_body(response.body, content_type(response)),
            rate_limit_note(response),
            consequence,
        )
        if not closed:
            yield from self.release(subreddit)


def rate_limit_note(response: Response) -> str:
    """How much of the rate limit was used, for a 429's log line (`x-ratelimit-*`)."""
    if response.status != 429:
        return ""
    headers = response.headers
    used = (headers.get("x-ratelimit-used") or b"").decode("latin-1").strip()
    reset = (headers.get("x-ratelimit-reset") or b"").decode("latin-1").strip()
    if used and reset:
        return f" (rate limited: {used} requests used, the window resets in {reset}s)"
    return " (rate limited)"


class RedditSpider(StorySpider):
    """Stories from Reddit: `scrapy crawl reddit [-a since=YYYY-MM-DD] [-a limit=N]
    [-a query=...]` with REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET set."""

    name = "reddit"
    source_classes = (RedditSource,)
