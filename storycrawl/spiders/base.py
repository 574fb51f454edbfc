"""StorySpider and Source: what every storycrawl spider shares.

A *Source* knows one platform (its requests, its paging, its parse functions); a *spider* runs
one or more sources (`hackernews` runs one, `all` runs every enabled one). The spider owns what
sources share: validated arguments, the sources file, the clock, and following link posts to
their articles so that the same article reached twice, from anywhere, is fetched once.

Pause and resume (`-s JOBDIR=dir`): Scrapy stores pending requests on disk by the *spider's*
method names, so a source's callbacks are routed through `source_callback`/`source_errback` with
the source and method named in the request's meta; what resumed requests need of the crawl's
memory (the articles being fetched and the posts waiting for them, each source's count) is kept
in `spider.state`, which Scrapy saves in the job directory.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import scrapy
from pydantic import BaseModel
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from storycrawl.args import StorySpiderArgs, parse_spider_args
from storycrawl.browser import render_meta
from storycrawl.config import StorycrawlConfig, crawl_config
from storycrawl.dates import pick_date
from storycrawl.failures import describe
from storycrawl.items import StoryItem
from storycrawl.loaders import StoryLoader
from storycrawl.netguard import origin
from storycrawl.parsers import ParseError, Post
from storycrawl.parsers.article import Article, extract_article
from storycrawl.sources import load_sources
from storycrawl.urls import canonical_url, host_matches, host_of, url_problem

logger = logging.getLogger(__name__)


class Source:
    """One platform's crawling logic, run by a StorySpider."""

    name: ClassVar[str] = ""

    def __init__(self, spider: StorySpider):
        self.spider = spider
        self.config: Any = getattr(spider.sources_file, self.name, None)

    @property
    def taken(self) -> int:
        """Candidates taken so far (kept by the spider, so a resumed crawl goes on counting)."""
        return self.spider.taken.get(self.name, 0)

    @taken.setter
    def taken(self, value: int) -> None:
        self.spider.taken[self.name] = value

    # What the spider asks of every source.
    def unavailable(self) -> str | None:
        """Why this source cannot run now (disabled, not configured, no credentials), or None."""
        if self.config is None:
            return f"no [{self.name}] section in the sources file"
        if not self.config.enabled:
            return f"disabled in the sources file ([{self.name}] enabled = false)"
        return None

    def start_requests(self) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    # Helpers for subclasses.
    @property
    def since(self) -> datetime:
        return self.spider.since

    def take(self) -> bool:
        """Count one candidate; False once the spider's `limit` is reached."""
        limit = self.spider.args.limit
        if limit is not None and self.taken >= limit:
            self.count("limit_reached")
            return False
        self.taken += 1
        self.count("candidates")
        return True

    @property
    def exhausted(self) -> bool:
        limit = self.spider.args.limit
        return limit is not None and self.taken >= limit

    def count(self, what: str, value: int = 1) -> None:
        self.spider.crawler.stats.inc_value(f"storycrawl/source/{self.name}/{what}", value)

    def too_old(self, published: datetime | None) -> bool:
        """True (and counted) when a post is older than `since`; undated posts are kept."""
        if published is not None and published < self.since:
            self.count("out_of_range")
            return True
        return False

    def failed(self, failure: Failure) -> None:
        """Errback for the source's own API requests: counted and logged, the crawl goes on."""
        kind, message = describe(failure, self.spider.settings.getint("DOWNLOAD_MAXSIZE"))
        self.count(f"errors/{kind}")
        logger.warning("%s: %s failed: %s", self.name, failure.request.url, message)

    def bad_response(self, response: Response, error: ParseError) -> None:
        self.count("errors/bad_response")
        logger.warning(
            "%s: %s is not a valid response (%s); skipped", self.name, response.url, error
        )


@dataclass
class ArticleReach:
    """Every post that links to one article, and what became of fetching it."""

    posts: list[Post] = field(default_factory=list)
    state: str = "pending"  # pending | done | failed
    item: StoryItem | None = None
    error: str | None = None


class StorySpider(scrapy.Spider):
    """Base of every storycrawl spider: `-a since`, `-a limit`, `-a query`, sources, articles."""

    args_model: ClassVar[type[StorySpiderArgs]] = StorySpiderArgs
    source_classes: ClassVar[tuple[type[Source], ...]] = ()

    crawl_config: StorycrawlConfig  # storycrawl.config; `Source.config` is its sources-file section
    args: StorySpiderArgs
    sources_file: BaseModel  # storycrawl.sources.sources_file_model()
    now: datetime
    since: datetime

    @classmethod
    def validate_arguments(
        cls, settings: BaseSettings, raw: dict[str, Any], config: StorycrawlConfig | None = None
    ) -> tuple[StorySpiderArgs, BaseModel, datetime]:
        """Check `-a` arguments, the configuration and the sources file; raise ArgumentError,
        ConfigError or SourcesError."""
        config = config or StorycrawlConfig.from_settings(settings)
        now = config.clock.now
        args = parse_spider_args(cls.args_model, raw, now)
        sources_file = load_sources(config.sources_file)
        return args, sources_file, now

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> StorySpider:
        config = crawl_config(crawler)
        parsed, sources_file, now = cls.validate_arguments(crawler.settings, kwargs, config)
        spider = super().from_crawler(crawler)
        spider.crawl_config = config
        spider.args = parsed
        spider.sources_file = sources_file
        spider.now = now
        since = parsed.since_or_default(now)
        spider.since = datetime(since.year, since.month, since.day, tzinfo=UTC)
        spider.articles: dict[str, ArticleReach] = {}
        spider.taken: dict[str, int] = {}

        spider.named_origins: set[tuple[str, str, int]] = set()
        return spider

    @functools.cached_property
    def sources(self) -> list[Source]:
        """The spider's sources, made on first use: Scrapy creates a spider before its addons
        finish the settings (replay credentials, for one), and sources read settings."""
        return [source_cls(self) for source_cls in self.source_classes]

    async def start(self) -> AsyncIterator[Any]:
        logger.info("Collecting stories published since %s", self.since.date().isoformat())
        self.restore_state()
        for source in self.sources:
            reason = source.unavailable()
            if reason:
                source.count("skipped")
                self.crawler.stats.set_value(
                    f"storycrawl/source/{source.name}/skipped_reason", reason
                )
                logger.warning("Source %s skipped: %s", source.name, reason)
                continue
            for request in self.routed(source, source.start_requests()):
                if isinstance(request, scrapy.Request) and (found := origin(request.url)):
                    # The user named this origin (sources file, URL file): the private-network
                    # guard lets it through even on loopback or a private address.
                    self.named_origins.add(found)
                yield request

    # --- pause and resume (JOBDIR) -----------------------------------------------------------
    def restore_state(self) -> None:
        """Articles and counts saved by a paused crawl (`spider.state`, set by Scrapy's
        SpiderState extension when JOBDIR is given; a plain dict otherwise)."""
        state = getattr(self, "state", None)
        if state is None:
            self.state = state = {}
        saved = state.get("storycrawl")
        if saved:
            self.articles.update(saved.get("articles", {}))
            self.taken.update(saved.get("taken", {}))
            logger.info("Resuming: %d articles known from the paused crawl", len(self.articles))
        # The same objects, so Scrapy saves their latest contents when the spider closes.
        state["storycrawl"] = {"articles": self.articles, "taken": self.taken}

    def source_named(self, name: str) -> Source:
        return next(source for source in self.sources if source.name == name)

    def routed(self, source: Source, outputs: Iterable[Any] | None) -> Iterable[Any]:
        """The source's requests with their callbacks named through the spider, so that Scrapy
        can store them on disk (it serialises a callback as a method name of the spider)."""
        for output in outputs or ():
            if isinstance(output, scrapy.Request):
                self._route(source, output)
            yield output

    def _route(self, source: Source, request: scrapy.Request) -> None:
        for kind, dispatcher in (
            ("callback", self.source_callback),
            ("errback", self.source_errback),
        ):
            function = getattr(request, kind)
            if inspect.ismethod(function) and function.__self__ is source:
                request.meta[f"storycrawl_{kind}"] = [source.name, function.__name__]
                setattr(request, kind, dispatcher)

    def source_callback(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        name, method = response.meta["storycrawl_callback"]
        source = self.source_named(name)
        return self.routed(source, getattr(source, method)(response, **kwargs))

    def source_errback(self, failure: Failure) -> Iterable[Any]:
        name, method = failure.request.meta["storycrawl_errback"]
        self.record_failure(name, failure, "api")
        source = self.source_named(name)
        return self.routed(source, getattr(source, method)(failure))

    def record_failure(self, source: str, failure: Failure, scope: str) -> tuple[str, str]:
        """Count a failed request by kind for the source's closing summary (CrawlHealth);
        scope is `api` (the source's own requests) or `articles` (the pages its posts link to)."""
        kind, message = describe(failure, self.settings.getint("DOWNLOAD_MAXSIZE"))
        stats = self.crawler.stats
        key = f"storycrawl/source/{source}/{scope}/failed/{kind}"
        stats.inc_value(key)
        if stats.get_value(f"{key}/example") is None:
            stats.set_value(f"{key}/example", message[:300])
        return kind, message

    # --- posts and articles ------------------------------------------------------------------
    def follow_post(self, post: Post) -> Iterable[Any]:
        """A text post is a story; a link post is followed to its article (once per article)."""
        if not post.is_link:
            yield self.story_from_post(post)
            return
        if url_problem(post.link):
            # A malformed link (bad port, bad IPv6, `javascript:`): this candidate is rejected
            # by normalize (invalid, with the problem); the rest of its page goes on.
            self.crawler.stats.inc_value("storycrawl/articles/bad_link")
            yield self.failed_item(post, "", url=post.link)
            return
        key = canonical_url(post.link)
        reach = self.articles.get(key)
        if reach is None:
            self.articles[key] = ArticleReach(posts=[post])
            yield self.article_request(post, key)
            return
        reach.posts.append(post)
        self.crawler.stats.inc_value("storycrawl/articles/reached_again")
        if reach.state == "done":
            yield self.repeat_reach(reach, post)
        elif reach.state == "failed":
            yield self.failed_item(post, reach.error or "fetch failed")

    def article_request(self, post: Post, key: str) -> scrapy.Request | StoryItem:
        """The request for a post's article; a link Scrapy refuses is the post's rejection."""
        try:
            return scrapy.Request(
                post.link,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"key": key},
                meta={"source": post.source, **(render_meta() if post.render_js else {})},
                # Each article is asked for once (self.articles): a redirect loop must end in
                # the errback (max redirections), not vanish in Scrapy's duplicate filter.
                dont_filter=True,
            )
        except ValueError as exc:
            self.articles[key].state, self.articles[key].error = "failed", str(exc)
            return self.failed_item(post, f"bad link: {exc}")

    def story_from_post(self, post: Post) -> StoryItem:
        loader = StoryLoader()
        loader.add_value("url", post.url)
        loader.add_value("title", post.title)
        loader.add_value("author", post.author)
        date = pick_date([("api", post.published)], now=self.now)
        loader.add_value("published", date.when)
        loader.add_value("date_source", date.source)
        loader.add_value("source", post.source)
        loader.add_value("site", post.site or post.source)
        loader.add_value("text", post.text)
        loader.add_value("discussions", post.discussion())
        loader.add_value("hints", {"post_type": "text", **post.hints})
        loader.add_value("fetched_at", self.fetched_at())
        return loader.load_item()

    def parse_article(self, response: Response, key: str) -> Iterable[StoryItem]:
        reach = self.articles[key]
        try:
            article = extract_article(response)
        except ParseError as exc:
            reach.state, reach.error = "failed", str(exc)
            self.crawler.stats.inc_value("storycrawl/articles/unreadable")
            for post in reach.posts:
                yield self.failed_item(post, str(exc), url=response.url)
            return
        reach.state = "done"
        self.crawler.stats.inc_value("storycrawl/articles/extracted")
        first, *others = reach.posts
        reach.item = self.story_from_article(article, first)
        yield reach.item
        for post in others:
            yield self.repeat_reach(reach, post)

    def article_failed(self, failure: Failure) -> Iterable[StoryItem]:
        key = failure.request.cb_kwargs["key"]
        reach = self.articles[key]
        kind, error = self.record_failure(
            failure.request.meta.get("source", "unknown"), failure, "articles"
        )
        reach.state, reach.error = "failed", error
        self.crawler.stats.inc_value("storycrawl/articles/failed")
        self.crawler.stats.inc_value(f"storycrawl/articles/failed/{kind}")
        for post in reach.posts:
            yield self.failed_item(post, error)

    def story_from_article(self, article: Article, post: Post) -> StoryItem:
        loader = StoryLoader()
        loader.add_value("url", article.url)
        loader.add_value("title", [article.title, post.title])
        loader.add_value("author", article.author)
        date = pick_date(self.article_dates(article, post), now=self.now)
        loader.add_value("published", date.when)
        loader.add_value("date_source", date.source)
        loader.add_value("source", post.source)
        loader.add_value("site", host_of(article.url))
        loader.add_value("text", article.text)
        loader.add_value("lang", article.lang)
        if post.is_thread:
            loader.add_value("discussions", post.discussion())
        loader.add_value(
            "hints", {**article.hints, **declared_hints(post, article.url), "post_type": "link"}
        )
        loader.add_value("fetched_at", self.fetched_at())
        return loader.load_item()

    @staticmethod
    def article_dates(article: Article, post: Post) -> list[tuple[str, object]]:
        """The article's date candidates, most trusted first (storycrawl.dates.pick_date): the
        page's own metadata; a feed entry's date (it dates the page itself); the page's date
        as trafilatura guesses it; the date of the post or thread that shared it."""
        own = [(post.date_source, post.published)] if post.date_source else []
        shared = [] if post.date_source else [(f"{post.source} post", post.published)]
        return [*article.page_dates, *own, *article.guessed_dates, *shared]

    def repeat_reach(self, reach: ArticleReach, post: Post) -> StoryItem:
        """The article again, as shared by another post: dedup merges its thread into the story."""
        assert reach.item is not None
        discussions = [post.discussion()] if post.is_thread else []
        return reach.item.model_copy(
            update={"source": post.source, "discussions": discussions}, deep=True
        )

    def failed_item(self, post: Post, error: str, url: str | None = None) -> StoryItem:
        return StoryItem(
            url=url or post.link or post.url,
            title=post.title,
            source=post.source,
            published=pick_date([("api", post.published)], now=self.now).when,
            discussions=[post.discussion()] if post.is_thread else [],
            fetch_error=error or None,
        )

    def fetched_at(self) -> datetime:
        """Replayed pages were fetched when they were recorded."""
        return self.crawl_config.clock.fetch_time()


def declared_hints(post: Post, article_url: str) -> dict[str, str]:
    """The post's hints for its article. A source type declared for a site (a feed's) applies
    only to pages on that site: a link blog's entry pointing at another site's article does
    not give that article the blog's type."""
    hints = dict(post.article_hints)
    hosts = [h for h in hints.get("source_type_hosts", "").split(",") if h]
    if hosts and "source_type" in hints and not host_matches(host_of(article_url), hosts):
        declared = hints.pop("source_type")
        hints.pop("source_type_reason", None)
        hints["declared_type_not_applied"] = f"{declared} declared for {', '.join(hosts)}"
    return hints
