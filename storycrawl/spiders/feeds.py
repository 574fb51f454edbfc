"""Personal and company blogs through their feeds (sources.md §7-8): `scrapy crawl feeds`.

Each enabled `[[feeds.sites]]` entry is tried in a fixed order until one attempt works
(`attempt_plan`):

- `discover = true`: the `site` page first, for its `<link rel="alternate">` feed; then the
  `feed` guess, then each of `alt_feeds`.
- with a `feed`: `feed`, then each of `alt_feeds`, then discovery on `site`.
- then, for every site, the `sitemap` and the `listing` page if given.

An attempt fails when the answer is not 2xx or is not what was asked for (an HTML page where
a feed should be, a page without a feed link, a listing without post links); the next one is
tried. A site whose every attempt fails is counted (`sites_failed`) and logged once with every
reason. A URL is requested at most once per site; a listing page already fetched for
discovery is read again from memory.

Feed entries are followed to their articles (newest first, at most `max_entries` per feed;
entries older than `since` skipped before any fetch; undated ones followed, their page dates
them), each entry once per crawl. Sitemap URLs matching `post_pattern` with a `<lastmod>` not
before `since` (undated ones kept), and the listing page's matching links in page order, are
followed the same way; they carry no date, the page gives it.

`-a query` keeps only entries whose title or summary contains every word of the query (a
listing link's text, a sitemap URL's words). `-a limit` counts followed entries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl.parsers import ParseError
from storycrawl.parsers.article import HTML_TYPES, content_type
from storycrawl.parsers.feeds import (
    FeedEntry,
    ParsedFeed,
    matches_query,
    newest_first,
    parse_feed,
    post_from_entry,
)
from storycrawl.parsers.sites import SitemapUrl, alternate_feeds, listing_links, parse_sitemap
from storycrawl.sources import FeedSite
from storycrawl.spiders.base import Source, StorySpider
from storycrawl.urls import canonical_url, host_of

logger = logging.getLogger(__name__)

FEED, DISCOVER, SITEMAP, LISTING = "feed", "discover", "sitemap", "listing"


@dataclass(frozen=True)
class Attempt:
    kind: str  # feed | discover | sitemap | listing
    url: str


def attempt_plan(site: FeedSite) -> list[Attempt]:
    """Where to look for a site's posts, in the order tried (see the module docstring)."""
    feeds = [Attempt(FEED, url) for url in [site.feed, *site.alt_feeds] if url]
    fallbacks = [Attempt(SITEMAP, site.sitemap)] if site.sitemap else []
    if site.listing:
        fallbacks.append(Attempt(LISTING, site.listing))
    if site.discover:
        return [Attempt(DISCOVER, site.site), *feeds, *fallbacks]
    if feeds:
        return [*feeds, Attempt(DISCOVER, site.site), *fallbacks]
    return fallbacks or [Attempt(DISCOVER, site.site)]


@dataclass
class SiteCrawl:
    """One site's remaining attempts and what became of the others."""

    site: FeedSite
    attempts: list[Attempt]
    requested: set[str] = field(default_factory=set)
    # HTML pages fetched for discovery, by URL: a listing of the same URL reuses them.
    pages: dict[str, TextResponse] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    # The host of the feed that worked (a blog's feed may live on another host).
    feed_host: str = ""

    @property
    def host(self) -> str:
        return host_of(self.site.site)


class FeedsSource(Source):
    name = "feeds"

    def __init__(self, spider: StorySpider):
        super().__init__(spider)
        self.sites: dict[str, SiteCrawl] = {}
        # Entry ids and canonical links already followed in this crawl.
        self.seen: set[str] = set()

    def start_requests(self) -> Iterable[Any]:
        for site in self.config.sites:
            if not site.enabled:
                self.count("sites_disabled")
                continue
            crawl = SiteCrawl(site, attempt_plan(site))
            self.sites[site.name] = crawl
            yield from self.next_attempt(crawl)

    # --- the attempts -----------------------------------------------------------------------
    def next_attempt(self, crawl: SiteCrawl) -> Iterator[Any]:
        """The next attempt's request; when none is left, the site has failed."""
        while crawl.attempts:
            attempt = crawl.attempts.pop(0)
            if attempt.kind == LISTING and attempt.url in crawl.pages:
                yield from self.read_listing(crawl, crawl.pages[attempt.url])
                return
            if attempt.url in crawl.requested:
                continue
            crawl.requested.add(attempt.url)
            yield self.attempt_request(crawl, attempt)
            return
        self.count("sites_failed")
        logger.warning(
            "feeds: %s: nothing worked, the site is skipped: %s",
            crawl.site.name,
            "; ".join(crawl.failures) or "nothing to try",
        )

    def attempt_request(self, crawl: SiteCrawl, attempt: Attempt) -> scrapy.Request:
        return scrapy.Request(
            attempt.url,
            callback=self.parse_attempt,
            errback=self.attempt_failed,
            cb_kwargs={"site": crawl.site.name, "kind": attempt.kind},
            meta={"source": self.name},
            # Two sites may share a page (a company blog and its tag feed): never filtered.
            dont_filter=True,
        )

    def give_up(self, crawl: SiteCrawl, url: str, reason: str) -> Iterator[Any]:
        """This attempt failed: note why and go on with the next one."""
        self.count("attempts_failed")
        crawl.failures.append(f"{url}: {reason}")
        logger.debug("feeds: %s: %s: %s", crawl.site.name, url, reason)
        yield from self.next_attempt(crawl)

    def attempt_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        crawl = self.sites[request.cb_kwargs["site"]]
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        yield from self.give_up(crawl, request.url, reason)

    def parse_attempt(self, response: Response, site: str, kind: str) -> Iterator[Any]:
        crawl = self.sites[site]
        if kind == FEED:
            yield from self.read_feed(crawl, response)
        elif kind == SITEMAP:
            yield from self.read_sitemap(crawl, response)
        elif not isinstance(response, TextResponse) or content_type(response) not in HTML_TYPES:
            reason = f"not an HTML page ({content_type(response) or 'no content type'})"
            yield from self.give_up(crawl, response.url, reason)
        elif kind == DISCOVER:
            yield from self.read_site_page(crawl, response)
        else:
            yield from self.read_listing(crawl, response)

    def worked(self, crawl: SiteCrawl, url: str, what: str) -> None:
        self.count(what)
        if crawl.failures:
            logger.info(
                "feeds: %s: %s worked after %d failed attempt(s): %s",
                crawl.site.name,
                url,
                len(crawl.failures),
                "; ".join(crawl.failures),
            )

    # --- feeds ------------------------------------------------------------------------------
    def read_feed(self, crawl: SiteCrawl, response: Response) -> Iterator[Any]:
        try:
            feed = parse_feed(response.body, response.url, content_type(response))
        except ParseError as exc:
            yield from self.give_up(crawl, response.url, f"not a feed: {exc}")
            return
        self.worked(crawl, response.url, "feeds_read")
        crawl.feed_host = host_of(response.url)
        if feed.malformed:
            self.count("malformed_feeds")
            logger.info(
                "feeds: %s: %s is malformed (%s); read leniently, %d entries",
                crawl.site.name,
                response.url,
                feed.malformed,
                len(feed.entries),
            )
        if feed.without_link:
            self.count("skipped/no_link", feed.without_link)
        yield from self.follow_entries(crawl, feed)

    def follow_entries(self, crawl: SiteCrawl, feed: ParsedFeed) -> Iterator[Any]:
        self.count("entries", len(feed.entries))
        followed = 0
        query = self.spider.args.query
        for entry in newest_first(feed.entries):
            if self.too_old(entry.published):
                continue
            keys = self.entry_keys(crawl, entry)
            if keys & self.seen:
                self.count("skipped/seen")
                continue
            if query and not matches_query(query, entry.title, entry.summary):
                self.count("skipped/not_matching_query")
                continue
            if followed >= self.config.max_entries:
                self.count("skipped/beyond_max_entries")
                continue
            if not self.take():
                return
            followed += 1
            self.seen.update(keys)
            hosts = [crawl.host, crawl.feed_host]
            post = post_from_entry(entry, crawl.site.name, crawl.site.type, hosts)
            yield from self.spider.follow_post(post)

    @staticmethod
    def entry_keys(crawl: SiteCrawl, entry: FeedEntry) -> set[str]:
        """What makes an entry the same as one followed before: its id or its link."""
        # Ids such as "1" or a slug are unique within one feed only.
        entry_id = entry.id if ":" in entry.id else f"{crawl.site.name}#{entry.id}"
        return {entry_id, canonical_url(entry.link)}

    # --- discovery, sitemaps, listings --------------------------------------------------------
    def read_site_page(self, crawl: SiteCrawl, response: TextResponse) -> Iterator[Any]:
        # Under the URL asked for and the one answering (after redirects).
        for url in [response.url, *response.meta.get("redirect_urls", [])]:
            crawl.pages[url] = response
        feeds = alternate_feeds(response.text, response.url)
        if not feeds:
            reason = 'no <link rel="alternate"> feed on the page'
            yield from self.give_up(crawl, response.url, reason)
            return
        self.count("feeds_discovered")
        if feeds[0] in crawl.requested:
            reason = f"its feed link {feeds[0]} was tried already"
            yield from self.give_up(crawl, response.url, reason)
            return
        crawl.attempts.insert(0, Attempt(FEED, feeds[0]))
        yield from self.next_attempt(crawl)

    def read_sitemap(self, crawl: SiteCrawl, response: Response) -> Iterator[Any]:
        try:
            sitemap = parse_sitemap(response.body)
        except ParseError as exc:
            yield from self.give_up(crawl, response.url, f"not a sitemap: {exc}")
            return
        self.worked(crawl, response.url, "sitemaps_read")
        if sitemap.kind == "sitemapindex":
            children = [u.loc for u in sitemap.urls if host_of(u.loc) == crawl.host]
            self.count("skipped/other_host_sitemaps", len(sitemap.urls) - len(children))
            for url in children:
                if url not in crawl.requested:
                    crawl.requested.add(url)
                    yield scrapy.Request(
                        url,
                        callback=self.read_child_sitemap,
                        errback=self.failed,
                        cb_kwargs={"site": crawl.site.name},
                        meta={"source": self.name},
                        dont_filter=True,
                    )
            return
        yield from self.follow_sitemap_urls(crawl, sitemap.urls)

    def read_child_sitemap(self, response: Response, site: str) -> Iterator[Any]:
        """A sitemap of a sitemap index: its failures are errors, not fallbacks."""
        crawl = self.sites[site]
        try:
            sitemap = parse_sitemap(response.body)
        except ParseError as exc:
            self.bad_response(response, exc)
            return
        if sitemap.kind == "sitemapindex":
            yield from self.read_sitemap(crawl, response)
            return
        yield from self.follow_sitemap_urls(crawl, sitemap.urls)

    def follow_sitemap_urls(self, crawl: SiteCrawl, urls: list[SitemapUrl]) -> Iterator[Any]:
        pattern = re.compile(crawl.site.post_pattern)
        # A URL's words stand in for a summary when matching `-a query`.
        entries = [
            FeedEntry(id=u.loc, link=u.loc, title="", published=u.lastmod, summary=_words(u.loc))
            for u in urls
            if pattern.search(u.loc)
        ]
        yield from self.follow_undated(crawl, newest_first(entries))

    def read_listing(self, crawl: SiteCrawl, response: TextResponse) -> Iterator[Any]:
        pattern = crawl.site.post_pattern or "."
        links = listing_links(response.text, response.url, pattern)
        if not links:
            yield from self.give_up(crawl, response.url, f"no links matching {pattern!r}")
            return
        self.worked(crawl, response.url, "listings_read")
        entries = [FeedEntry(id=link.url, link=link.url, title=link.text) for link in links]
        yield from self.follow_undated(crawl, entries)

    def follow_undated(self, crawl: SiteCrawl, entries: list[FeedEntry]) -> Iterator[Any]:
        """Sitemap and listing links, in the order given. A sitemap's lastmod skips old URLs
        but is no publication date: the page gives that."""
        feed = ParsedFeed(kind="links", title="", entries=[])
        for entry in entries:
            if not self.too_old(entry.published):
                feed.entries.append(
                    FeedEntry(entry.id, entry.link, entry.title, summary=entry.summary)
                )
        yield from self.follow_entries(crawl, feed)


def _words(url: str) -> str:
    """The words of a URL's last path segment: `/blog/rag-evals-at-scale` → `rag evals at scale`."""
    slug = urlsplit(url).path.strip("/").rsplit("/", 1)[-1]
    return re.sub(r"[-_.]+", " ", slug)


class FeedsSpider(StorySpider):
    """Stories from blogs' feeds: `scrapy crawl feeds [-a since=...] [-a limit=N] [-a query=...]`."""

    name = "feeds"
    source_classes = (FeedsSource,)
