"""Lobsters through its JSON tag listings (sources.md §4).

One listing for all configured tags (`/t/ai,vibecoding.json`, then `/t/ai,vibecoding/page/N.json`),
newest first, 25 stories a page, paged until a page reaches `since`, a short page, `max_pages`,
or `limit`. Link posts are followed to their article with the Lobsters story as its discussion;
text posts are social stories.

lobste.rs asks bots not to crawl it (robots.txt: `User-agent: *` / `Disallow: /`). By default
the listing request goes out, Scrapy's robots.txt middleware refuses it and the source says so
once. `-s STORYCRAWL_LOBSTERS_IGNORE_ROBOTS=True` opts in: the source's own requests then carry
`dont_obey_robotstxt` (the articles they link to still obey their own sites' robots.txt).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from storycrawl.failures import RobotsUnreadable
from storycrawl.parsers import ParseError
from storycrawl.parsers.article import content_type
from storycrawl.parsers.lobsters import STORIES_PER_PAGE, parse_story_list, post_from_story
from storycrawl.spiders.base import Source, StorySpider
from storycrawl.urls import host_of

logger = logging.getLogger(__name__)

IGNORE_ROBOTS_SETTING = "STORYCRAWL_LOBSTERS_IGNORE_ROBOTS"


class LobstersSource(Source):
    name = "lobsters"

    def __init__(self, spider: StorySpider):
        super().__init__(spider)
        self.ignore_robots = spider.settings.getbool(IGNORE_ROBOTS_SETTING)
        self.seen_ids: set[str] = set()
        self.told_robots = False

    def start_requests(self) -> Iterable[scrapy.Request]:
        if self.ignore_robots:
            logger.warning(
                "lobsters: %s is set: crawling %s although its robots.txt asks bots not to "
                "(you opted in); keep it slow",
                IGNORE_ROBOTS_SETTING,
                host_of(self.config.base_url),
            )
        if self.spider.args.query:
            logger.info(
                "lobsters: no search API; -a query is not used, listing the tags %s",
                ",".join(self.config.tags),
            )
        yield self.listing_request(page=1)

    def listing_url(self, page: int) -> str:
        base = self.config.base_url.rstrip("/")
        tags = ",".join(self.config.tags)
        return f"{base}/t/{tags}.json" if page == 1 else f"{base}/t/{tags}/page/{page}.json"

    def listing_request(self, page: int) -> scrapy.Request:
        meta: dict[str, Any] = {"source": self.name}
        if self.ignore_robots:
            meta["dont_obey_robotstxt"] = True
        return scrapy.Request(
            self.listing_url(page),
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"page": page},
            meta=meta,
        )

    def parse_listing(self, response: Response, page: int) -> Iterable[Any]:
        try:
            stories = parse_story_list(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            return
        self.count("pages")
        reached_since = False
        for story in stories:
            post = post_from_story(story, self.config.base_url)
            if post is None:
                self.count("skipped/not_a_story")
                continue
            # Stories submitted between two page loads push older ones onto the next page.
            if post.id in self.seen_ids:
                self.count("skipped/seen_on_previous_page")
                continue
            self.seen_ids.add(post.id)
            if self.too_old(post.published):
                reached_since = True
                continue
            if not self.take():
                return
            yield from self.spider.follow_post(post)
        if (
            len(stories) >= STORIES_PER_PAGE
            and not reached_since
            and page < self.config.max_pages
            and not self.exhausted
        ):
            yield self.listing_request(page + 1)

    def listing_failed(self, failure: Failure) -> None:
        if failure.check(RobotsUnreadable):  # unread is not "disallowed": the summary says why
            self.failed(failure)
            return
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self.count("robots_forbidden")
            if not self.told_robots:
                self.told_robots = True
                logger.warning(
                    "lobsters: %s asks bots not to crawl it (robots.txt: Disallow: /), so "
                    "nothing was fetched from it; to crawl it anyway, slowly, opt in with "
                    "-s %s=True",
                    host_of(self.config.base_url),
                    IGNORE_ROBOTS_SETTING,
                )
            return
        self.failed(failure)


class LobstersSpider(StorySpider):
    """Stories from Lobsters: `scrapy crawl lobsters [-a since=YYYY-MM-DD] [-a limit=N]`
    (`-s STORYCRAWL_LOBSTERS_IGNORE_ROBOTS=True` to crawl it despite its robots.txt)."""

    name = "lobsters"
    source_classes = (LobstersSource,)
