"""source_type: social, personal or company (labels.md), with the evidence for it.

A source's declaration wins (a feed's declared type, a dev.to organisation), then known
platforms and the page's metadata (storycrawl.classify.source_type). When those leave it
open, the site's home page is read once per host: fetched through the crawl's own engine (so
robots.txt, the download middlewares, throttling and the replay apply), judged by
storycrawl.classify.home_page, and kept in the `host_profiles` table, so later pages and
later crawls of the host reuse it. A home page that cannot be had (robots.txt, an error, not
in the recording) leaves the URL and text cues to decide.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import TextResponse
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost

from storycrawl.classify.home_page import home_page_type, read_home_page
from storycrawl.classify.rules import Decision
from storycrawl.classify.source_type import known_platform, page_metadata, source_type
from storycrawl.dates import parse_datetime
from storycrawl.db import utcnow_iso
from storycrawl.items import StoryItem
from storycrawl.pipelines import StoreStage, document_of
from storycrawl.urls import host_of

logger = logging.getLogger(__name__)

# What a download can fail with (Scrapy's retryable errors and robots.txt's IgnoreRequest).
UNAVAILABLE = (
    IgnoreRequest,
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
    ConnectError,
    ConnectionDone,
    ConnectionLost,
    OSError,
)
# Marks the home-page requests (the replay counts a missing one apart: it is optional).
HOME_PAGE_META = "storycrawl_home_page"


class SourceTypePipeline(StoreStage):
    stage = "source_type"

    def __init__(self, crawler, store):
        super().__init__(crawler, store)
        settings = crawler.settings
        self.fetch_home_pages = settings.getbool("STORYCRAWL_HOME_PAGES")
        self.max_age = timedelta(days=settings.getint("STORYCRAWL_HOME_PAGE_MAX_AGE_DAYS"))
        # One lookup per host per crawl, shared by the items of that host that wait on it.
        self._profiles: dict[str, asyncio.Future[Decision | None]] = {}

    async def process_item(self, item: StoryItem) -> StoryItem:
        if item.source_type is not None and item.source_type_evidence:
            self.count(item.source_type, item)
            return item
        doc = document_of(item)
        home = None
        settled = doc.hints.get("source_type") or known_platform(doc) or page_metadata(doc)
        # (No engine outside a running crawl, e.g. a pipeline driven by hand: the cues decide.)
        if not settled and self.fetch_home_pages and self.crawler.crawling:
            home = await self._home_page(item.url)
        decision = source_type(doc, home)
        item.source_type = str(decision.value)
        item.source_type_evidence = decision.evidence
        self.count(item.source_type, item)
        return item

    async def _home_page(self, url: str) -> Decision | None:
        host = host_of(url)
        if host not in self._profiles:
            future = asyncio.get_running_loop().create_future()
            self._profiles[host] = future
            try:
                future.set_result(await self._profile(host, url))
            finally:
                if not future.done():  # cancelled or failed: the waiting items use the cues
                    future.set_result(None)
        return await asyncio.shield(self._profiles[host])

    async def _profile(self, host: str, url: str) -> Decision | None:
        row = self.store.host_profile(host)
        if row is not None and self._fresh(row):
            self.count("home_page/cached")
            return _decision(row)
        home_url = home_page_url(url)
        profile = {"host": host, "home_url": home_url, "fetched_at": utcnow_iso()}
        try:
            response = await self._download(home_url)
        except UNAVAILABLE as exc:  # robots.txt (IgnoreRequest), DNS, refused, timeouts
            self.count("home_page/unavailable")
            logger.info(
                "Home page %s not fetched (%s): source type from URL and text", home_url, exc
            )
            return None
        if response.status != 200 or not isinstance(response, TextResponse):
            self.count("home_page/unavailable")
            logger.info(
                "Home page %s answered %s: source type from URL and text", home_url, response.status
            )
            return None
        signals = read_home_page(response.text, response.url)
        decision = home_page_type(signals, host)
        profile.update(
            status="decided" if decision else "undecided",
            source_type=str(decision.value) if decision else None,
            confidence=decision.confidence if decision else None,
            evidence=decision.evidence if decision else signals.describe(),
            signals=json.dumps({"organisation": signals.organisation, "person": signals.person}),
        )
        self.store.save_host_profile(profile)
        self.count(f"home_page/{profile['status']}")
        return decision

    async def _download(self, home_url: str):
        """The home page through the crawl's engine. Story URLs are canonical (https): a site
        that only speaks http gets a second try over http."""
        request = Request(home_url, meta={HOME_PAGE_META: True}, dont_filter=True)
        try:
            return await self.crawler.engine.download_async(request)
        except IgnoreRequest:
            raise
        except UNAVAILABLE:
            if not home_url.startswith("https://"):
                raise
            plain = "http://" + home_url.removeprefix("https://")
            return await self.crawler.engine.download_async(request.replace(url=plain))

    def _fresh(self, row: dict) -> bool:
        fetched = parse_datetime(row.get("fetched_at"))
        now = parse_datetime(utcnow_iso())
        return fetched is not None and now is not None and now - fetched <= self.max_age


# The blog of an organisation lives on a subdomain (blog.acme.com, engineering.acme.com):
# the organisation's own home page is the parent domain's.
BLOG_SUBDOMAIN = ("blog", "blogs", "engineering", "eng", "tech", "techblog", "news", "dev")


def home_page_url(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    labels = netloc.split(".")
    if len(labels) > 2 and labels[0].lower() in BLOG_SUBDOMAIN:
        netloc = ".".join(labels[1:])
    return f"{parts.scheme}://{netloc}/"


def _decision(row: dict) -> Decision | None:
    if row.get("status") != "decided" or not row.get("source_type"):
        return None
    return Decision(row["source_type"], float(row["confidence"] or 0.7), row["evidence"])
