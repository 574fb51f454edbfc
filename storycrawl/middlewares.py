"""Downloader middlewares: Retry-After and rate-limit pauses; robots.txt read as RFC 9309 says."""

from __future__ import annotations

import asyncio
import logging
import time

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from storycrawl.dates import parse_datetime
from storycrawl.failures import RetryAfterTooLong, RobotsUnreadable, describe

logger = logging.getLogger(__name__)

RETRY_AFTER_CODES = frozenset({429, 503})
# Rate-limit headers as sent by Reddit (X-Ratelimit-*), Mastodon (X-RateLimit-*, reset as an
# ISO time), Lobsters and the IETF draft (RateLimit-*). Header lookup is case-insensitive.
REMAINING_HEADERS = ("X-Ratelimit-Remaining", "RateLimit-Remaining")
RESET_HEADERS = ("X-Ratelimit-Reset", "RateLimit-Reset")


def seconds_until(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After or reset header value, or None if unreadable.

    Accepts delta seconds ("120", "0.5"), epoch seconds ("1767225600"), an HTTP date
    ("Wed, 21 Oct 2026 07:28:00 GMT") or an ISO 8601 time ("2026-10-21T07:28:00.000Z").
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    text = text.strip()
    if not text:
        return None
    now = time.time() if now is None else now
    try:
        number = float(text)
    except ValueError:
        when = parse_datetime(text)
        if when is None:
            return None
        return max(0.0, when.timestamp() - now)
    if number > 1_000_000_000:  # an epoch timestamp, not a delay
        return max(0.0, number - now)
    return max(0.0, number)


class RetryAfterMiddleware:
    """Honour `Retry-After` and rate-limit reset headers (Scrapy's RetryMiddleware ignores them).

    - A 429 or 503 that says how long to wait pauses every request to that download slot for
      that long, then the request is retried (counted against RETRY_TIMES). Without such a
      header the response goes on to RetryMiddleware as usual.
    - A response saying no requests remain (`X-Ratelimit-Remaining: 0`) pauses the slot until
      the reset time it gives, before the next request is sent.
    - A wait longer than STORYCRAWL_RETRY_AFTER_MAX is not honoured and not retried: the request
      fails with RetryAfterTooLong (its errback records why) and the refusal is logged.
    Stats: storycrawl/retry_after/{retried,paused,too_long}, storycrawl/retry_after/wait_seconds.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("STORYCRAWL_RETRY_AFTER_MAX")
        self.max_retry_times = crawler.settings.getint("RETRY_TIMES")
        self._paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def _slot(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    async def process_request(self, request: Request) -> None:
        until = self._paused_until.get(self._slot(request))
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)

    def _pause(self, request: Request, wait: float) -> None:
        slot = self._slot(request)
        until = time.monotonic() + wait
        self._paused_until[slot] = max(until, self._paused_until.get(slot, 0.0))
        stats = self.crawler.stats
        stats.inc_value("storycrawl/retry_after/paused")
        stats.inc_value("storycrawl/retry_after/wait_seconds", round(wait, 3))

    def process_response(self, request: Request, response: Response) -> Request | Response:
        stats = self.crawler.stats
        if response.status in RETRY_AFTER_CODES:
            wait = seconds_until(response.headers.get("Retry-After"))
            if wait is None:
                wait = self._reset_wait(response)
            if wait is None:
                return response
            if wait > self.max_wait:
                stats.inc_value("storycrawl/retry_after/too_long")
                message = (
                    f"HTTP {response.status} asks to wait {wait:.0f} s, more than "
                    f"STORYCRAWL_RETRY_AFTER_MAX={self.max_wait:.0f} s: not retried"
                )
                logger.warning("%s: %s", request.url, message)
                # Raised, not returned: RetryMiddleware would retry a 429 at once otherwise.
                raise RetryAfterTooLong(message)
            self._pause(request, wait)
            retry = get_retry_request(
                request,
                spider=self.crawler.spider,
                reason=f"{response.status} (retry after {wait:.1f}s)",
                max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            )
            if retry is None:
                # Retries are spent: Scrapy's RetryMiddleware must not retry (and give up) again.
                request.meta["dont_retry"] = True
                return response
            stats.inc_value("storycrawl/retry_after/retried")
            logger.info("%s answered %d: retrying after %.1fs", request.url, response.status, wait)
            return retry
        remaining = next(
            (response.headers.get(h) for h in REMAINING_HEADERS if h in response.headers), None
        )
        if remaining is not None:
            try:
                exhausted = float(remaining) <= 0
            except ValueError:
                exhausted = False
            if exhausted:
                wait = self._reset_wait(response)
                if wait and wait <= self.max_wait:
                    self._pause(request, wait)
        return response

    @staticmethod
    def _reset_wait(response: Response) -> float | None:
        for header in RESET_HEADERS:
            if header in response.headers:
                return seconds_until(response.headers.get(header))
        return None


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with RFC 9309's rule for a robots.txt that can't be read.

    Scrapy crawls a host whose robots.txt fails to download as if it allowed everything, and logs
    a traceback. RFC 9309 (2.3.1.3-4): a robots.txt that is unavailable (4xx) allows everything;
    one that is unreachable (5xx, network error) means complete disallow. So a host whose robots.txt
    can't be read is not crawled: each request to it fails with RobotsUnreadable, which says why
    in one line (the request's errback records it), and the host is named once in a warning.
    """

    async def robot_parser(self, request: Request):
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            url = urlparse_cached(request)
            self._parsers[netloc] = Deferred()
            robots = Request(
                f"{url.scheme}://{netloc}/robots.txt",
                priority=self.DOWNLOAD_PRIORITY,
                meta={"dont_obey_robotstxt": True},
                callback=NO_CALLBACK,
            )
            try:
                response = await self.crawler.engine.download_async(robots)
            except Exception as exc:  # noqa: BLE001 - every download failure means "unreachable"
                failure = Failure(exc)
                failure.request = robots
                self._unreachable(netloc, robots.url, describe(failure))
            else:
                if response.status >= 500:
                    self._unreachable(
                        netloc, robots.url, (f"http_{response.status}", f"HTTP {response.status}")
                    )
                else:
                    await self._parse_robots(response, netloc, request)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            parser = await maybe_deferred_to_future(parser)
        if isinstance(parser, RobotsUnreadable):
            raise RobotsUnreadable(str(parser), kind=parser.kind)
        return parser

    def _unreachable(self, netloc: str, url: str, described: tuple[str, str]) -> None:
        kind, message = described
        self._stats.inc_value(f"robotstxt/unreachable/{kind}")
        logger.warning("%s could not be read (%s): %s is not crawled", url, message, netloc)
        waiting = self._parsers[netloc]
        unreadable = RobotsUnreadable(
            f"robots.txt could not be read ({message}): not crawled", kind=kind
        )
        self._parsers[netloc] = unreadable
        if isinstance(waiting, Deferred):
            waiting.callback(unreadable)
