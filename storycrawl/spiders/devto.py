"""DEV Community through the Forem API v1 (sources.md §3).

`{api_url}/articles/latest?per_page=N&page=P` lists every new article, newest first, whatever
its tags (`?tag=` would sort by hotness, not date). Pages are read until one reaches `since`,
a short page, `max_pages`, or `limit`; the articles whose tags meet the configured ones are
kept and each is fetched from `{api_url}/articles/{id}` for its body. Each becomes a text post
(the story is the DEV article itself): an organisation's article is `company`, an
individual's `personal`, and a cross-post keeps its off-DEV `canonical_url` for dedup.

DEV's v1 API has no search for this (`/api/articles/search` was the ChatGPT plugin's, and the
site search is disallowed to robots), so `-a query` filters the same latest pages: the articles
whose title, description or tags hold every word of the query.

Every request sends `Accept: application/vnd.forem.api-v1+json`; DEV's edge refuses generic
User-Agents ("Forbidden Bots"), and the project's is descriptive. No credentials: reads are
public.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl.parsers import ParseError, Post
from storycrawl.parsers.article import content_type
from storycrawl.parsers.devto import (
    API_ACCEPT,
    has_any_tag,
    matches_query,
    parse_article,
    parse_article_list,
    post_from_article,
    published_of,
)
from storycrawl.spiders.base import Source, StorySpider

logger = logging.getLogger(__name__)


class DevtoSource(Source):
    name = "devto"

    def __init__(self, spider: StorySpider):
        super().__init__(spider)
        # New articles push older ones onto the next page between two page loads.
        self.seen_ids: set[str] = set()

    @property
    def api_url(self) -> str:
        return self.config.api_url.rstrip("/")

    def start_requests(self) -> Iterable[scrapy.Request]:
        if self.spider.args.query:
            logger.info(
                "devto: the API cannot search; keeping the latest articles whose title, "
                "description or tags hold %r",
                self.spider.args.query,
            )
        yield self.latest_request(page=1)

    def api_request(
        self, url: str, callback: Any, errback: Any, **cb_kwargs: Any
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            headers={"Accept": API_ACCEPT},
            callback=callback,
            errback=errback,
            cb_kwargs=cb_kwargs,
            meta={"source": self.name},
        )

    def latest_url(self, page: int) -> str:
        query = urlencode({"per_page": self.config.per_page, "page": page})
        return f"{self.api_url}/articles/latest?{query}"

    def article_url(self, article_id: str) -> str:
        return f"{self.api_url}/articles/{article_id}"

    def latest_request(self, page: int) -> scrapy.Request:
        return self.api_request(
            self.latest_url(page), self.parse_latest, self.latest_failed, page=page
        )

    def article_request(self, listed: Post) -> scrapy.Request:
        return self.api_request(
            self.article_url(listed.id), self.parse_article, self.article_failed, listed=listed
        )

    def wanted(self, article: dict[str, Any]) -> bool:
        """Kept by the query when there is one, else by the configured tags (counted)."""
        if self.spider.args.query:
            if matches_query(article, self.spider.args.query):
                return True
            self.count("skipped/query_not_matched")
            return False
        if has_any_tag(article, self.config.tags):
            return True
        self.count("skipped/other_tags")
        return False

    # --- the latest articles -------------------------------------------------------------
    def parse_latest(self, response: Response, page: int) -> Iterable[Any]:
        try:
            articles = parse_article_list(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            yield from self.next_page_after_failure(page)
            return
        self.count("pages")
        reached_since = False
        for article in articles:
            published = published_of(article)
            # Newest first: past `since` here, every later page is older still.
            if published is not None and published < self.since:
                reached_since = True
            listed = post_from_article(article)
            if listed is None:
                self.count("skipped/not_an_article")
                continue
            if listed.id in self.seen_ids:
                self.count("skipped/seen_on_previous_page")
                continue
            self.seen_ids.add(listed.id)
            if not self.wanted(article):
                continue
            if self.too_old(published):
                continue
            if not self.take():
                return
            yield self.article_request(listed)
        if (
            len(articles) >= self.config.per_page
            and not reached_since
            and page < self.config.max_pages
            and not self.exhausted
        ):
            yield self.latest_request(page + 1)

    def latest_failed(self, failure: Failure) -> Iterable[scrapy.Request]:
        self.failed(failure)
        yield from self.next_page_after_failure(failure.request.cb_kwargs["page"])

    def next_page_after_failure(self, page: int) -> Iterable[scrapy.Request]:
        """A page we could not read says nothing of where `since` is: go on to the next one
        (max_pages still bounds the paging)."""
        if page < self.config.max_pages and not self.exhausted:
            yield self.latest_request(page + 1)

    # --- one article ---------------------------------------------------------------------
    def parse_article(self, response: Response, listed: Post) -> Iterable[Any]:
        try:
            article = parse_article(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            yield self.spider.failed_item(listed, f"not an article: {exc}")
            return
        post = post_from_article(article)
        if post is None:
            self.count("skipped/not_an_article")
            yield self.spider.failed_item(listed, "the article has no id, URL or title")
            return
        self.count("articles")
        yield from self.spider.follow_post(post)

    def article_failed(self, failure: Failure) -> Iterable[Any]:
        """Counted and logged; the article is recorded as fetch_failed, not lost."""
        self.failed(failure)
        listed: Post = failure.request.cb_kwargs["listed"]
        if failure.check(HttpError):
            error = f"HTTP {failure.value.response.status}"
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        yield self.spider.failed_item(listed, error)


class DevtoSpider(StorySpider):
    """Stories from DEV: `scrapy crawl devto [-a since=YYYY-MM-DD] [-a limit=N] [-a query=...]`."""

    name = "devto"
    source_classes = (DevtoSource,)
