"""Hacker News through the Algolia HN Search API (sources.md §2.1).

`search_by_date` per configured query (or `-a query`), newest first, from `since`
(`numericFilters=created_at_i>...`), paged until the hits run out, `max_pages`, or `limit`.
Ask/Show HN text posts are social stories; link posts are followed to their article and the
HN thread is kept as a discussion of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from storycrawl.parsers import ParseError
from storycrawl.parsers.hackernews import parse_search_page, post_from_hit
from storycrawl.spiders.base import Source, StorySpider


class HackerNewsSource(Source):
    name = "hackernews"

    def __init__(self, spider: StorySpider):
        super().__init__(spider)
        self.seen_ids: set[str] = set()

    def start_requests(self) -> Iterable[scrapy.Request]:
        queries = [self.spider.args.query] if self.spider.args.query else self.config.queries
        for query in queries:
            yield self.search_request(query, page=0)

    def search_request(self, query: str, page: int) -> scrapy.Request:
        params = {
            "query": query,
            "tags": self.config.tags,
            "hitsPerPage": self.config.hits_per_page,
            "page": page,
            "numericFilters": f"created_at_i>{int(self.since.timestamp())}",
        }
        return scrapy.Request(
            f"{self.config.api_url.rstrip('/')}/search_by_date?{urlencode(params)}",
            callback=self.parse_search,
            errback=self.failed,
            cb_kwargs={"query": query, "page": page},
            meta={"source": self.name},
        )

    def parse_search(self, response: Response, query: str, page: int) -> Iterable[Any]:
        try:
            result = parse_search_page(response.body)
        except ParseError as exc:
            self.bad_response(response, exc)
            return
        self.count("pages")
        for hit in result.hits:
            post = post_from_hit(hit)
            if post is None:
                self.count("skipped/not_a_story")
                continue
            if post.id in self.seen_ids:
                self.count("skipped/seen_in_other_query")
                continue
            self.seen_ids.add(post.id)
            if self.too_old(post.published):
                continue
            if post.points is not None and post.points < self.config.min_points:
                self.count("skipped/few_points")
                continue
            if not self.take():
                return
            yield from self.spider.follow_post(post)
        last_page = min(result.nb_pages, self.config.max_pages) - 1
        if result.hits and page < last_page and not self.exhausted:
            yield self.search_request(query, page + 1)


class HackerNewsSpider(StorySpider):
    """Stories from Hacker News: `scrapy crawl hackernews [-a since=YYYY-MM-DD] [-a limit=N] [-a query=...]`."""

    name = "hackernews"
    source_classes = (HackerNewsSource,)
