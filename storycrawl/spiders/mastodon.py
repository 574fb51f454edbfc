"""Mastodon hashtag timelines on each enabled instance (sources.md §5).

`https://{host}/api/v1/timelines/tag/{hashtag}?limit={limit}` for every instance and hashtag,
paged by the `Link` header's `rel="next"` URL until a page reaches `since`, a page without a
next link, `max_pages`, or `limit`. A reblog counts as the status it reblogs; the same status
reached from several hashtags or instances is one candidate (by its ActivityPub `uri`); bot
accounts are skipped. Link posts and social stories: see storycrawl.parsers.mastodon.

Hashtag timelines are public on most servers. MASTODON_ACCESS_TOKEN (setting, then
environment) is sent as a bearer token: one token for every instance, or `host=token` pairs
separated by commas so that each server only sees its own token. An instance answering 401 is
reported once with what to set; an unknown hashtag (404 "Record not found") is skipped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl.dates import first_date
from storycrawl.parsers import ParseError
from storycrawl.parsers.article import content_type
from storycrawl.parsers.mastodon import (
    error_message,
    is_bot,
    next_page_url,
    original_status,
    parse_timeline,
    post_from_status,
)
from storycrawl.spiders.base import Source, StorySpider

logger = logging.getLogger(__name__)

TOKEN_SETTING = "MASTODON_ACCESS_TOKEN"
ANY_HOST = "*"


def access_tokens(value: str | None) -> dict[str, str]:
    """MASTODON_ACCESS_TOKEN as {host: token}: a bare token is for every host (`*`),
    `host=token,host2=token2` gives each host its own."""
    tokens: dict[str, str] = {}
    for part in re.split(r"[,\s]+", (value or "").strip()):
        if not part:
            continue
        host, sep, token = part.partition("=")
        if sep and host and token:
            tokens[host.strip().lower()] = token.strip()
        else:
            tokens[ANY_HOST] = part
    return tokens


def hashtag_from_query(query: str) -> str:
    """`-a query` as a hashtag: timelines are by hashtag, so "#RAG" and "context engineering"
    become `RAG` and `contextengineering`, as hashtags are written."""
    return re.sub(r"[^\w]", "", query)


class MastodonSource(Source):
    name = "mastodon"

    def __init__(self, spider: StorySpider):
        super().__init__(spider)
        self.tokens = access_tokens(spider.crawl_config.credential(TOKEN_SETTING))
        self.seen_uris: set[str] = set()
        self.unauthorized_hosts: set[str] = set()

    def unavailable(self) -> str | None:
        reason = super().unavailable()
        if reason is None and not self.hosts:
            return "no enabled instance in [[mastodon.instances]]"
        return reason

    @property
    def hosts(self) -> list[str]:
        return [instance.host for instance in self.config.instances if instance.enabled]

    def hashtags(self) -> list[str]:
        if self.spider.args.query:
            hashtag = hashtag_from_query(self.spider.args.query)
            logger.info("mastodon: following #%s for -a query", hashtag)
            return [hashtag] if hashtag else []
        return list(self.config.hashtags)

    def start_requests(self) -> Iterable[scrapy.Request]:
        hashtags = self.hashtags()
        for host in self.hosts:
            for hashtag in hashtags:
                url = (
                    f"https://{host}/api/v1/timelines/tag/{quote(hashtag, safe='')}"
                    f"?limit={self.config.limit}"
                )
                yield self.timeline_request(url, host, hashtag, page=1)

    def token_for(self, host: str) -> str | None:
        return self.tokens.get(host.lower()) or self.tokens.get(ANY_HOST)

    def timeline_request(self, url: str, host: str, hashtag: str, page: int) -> scrapy.Request:
        token = self.token_for(host)
        return scrapy.Request(
            url,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            callback=self.parse_page,
            errback=self.timeline_failed,
            cb_kwargs={"host": host, "hashtag": hashtag, "page": page},
            meta={"source": self.name},
        )

    def parse_page(self, response: Response, host: str, hashtag: str, page: int) -> Iterable[Any]:
        try:
            statuses = parse_timeline(response.body, content_type(response))
        except ParseError as exc:
            self.bad_response(response, exc)
            return
        self.count("pages")
        oldest: datetime | None = None
        for entry in statuses:
            # The timeline is ordered by the entries (a reblog by when it was reblogged).
            when = first_date(entry.get("created_at"))
            if when is not None and (oldest is None or when < oldest):
                oldest = when
            status = original_status(entry)
            if status is not entry:
                self.count("reblogs_unwrapped")
            if is_bot(status):
                self.count("skipped/bot")
                continue
            post = post_from_status(status, host)
            if post is None:
                self.count("skipped/not_a_status")
                continue
            if post.id in self.seen_uris:
                self.count("skipped/seen_elsewhere")  # another hashtag, instance or a reblog
                continue
            self.seen_uris.add(post.id)
            if self.too_old(post.published):
                continue
            if not self.take():
                return
            yield from self.spider.follow_post(post)
        next_url = next_page_url(response.headers.get("Link"))
        if (
            next_url
            and statuses
            and not (oldest is not None and oldest < self.since)
            and page < self.config.max_pages
            and not self.exhausted
        ):
            yield self.timeline_request(next_url, host, hashtag, page + 1)

    def timeline_failed(self, failure: Failure) -> None:
        if failure.check(HttpError):
            response = failure.value.response
            host = failure.request.cb_kwargs["host"]
            hashtag = failure.request.cb_kwargs["hashtag"]
            error = error_message(response.body)
            if response.status == 401:
                self.unauthorized(host, error)
                return
            if response.status == 404 and error == "Record not found":
                self.count("skipped/unknown_hashtag")
                logger.info(
                    "mastodon: #%s does not exist on %s (404 %r); skipped", hashtag, host, error
                )
                return
        self.failed(failure)

    def unauthorized(self, host: str, error: str | None) -> None:
        """Counted every time, said once per instance."""
        self.count("errors/unauthorized")
        if host in self.unauthorized_hosts:
            return
        self.unauthorized_hosts.add(host)
        if self.token_for(host):
            advice = (
                f"the {TOKEN_SETTING} sent to it was refused: set a valid token from {host} "
                f"with the read:statuses scope (`{host}=TOKEN` when instances need different ones)"
            )
        else:
            advice = (
                f"its hashtag timelines need an access token: set {TOKEN_SETTING} (-s or the "
                f"environment) to a token from {host} with the read:statuses scope"
            )
        logger.warning(
            "mastodon: %s answered 401 (%s); %s. Its timelines are skipped, other instances go on",
            host,
            error or "no error message",
            advice,
        )


class MastodonSpider(StorySpider):
    """Stories from Mastodon hashtags: `scrapy crawl mastodon [-a since=YYYY-MM-DD] [-a limit=N]
    [-a query=HASHTAG]`."""

    name = "mastodon"
    source_classes = (MastodonSource,)
