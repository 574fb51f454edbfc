"""Pages found by hand, from a file of URLs (`scrapy crawl urls -a file=my-urls.txt`).

Each URL is fetched and extracted like a linked article; pages that need JavaScript (a `js`
flag on the line, or a host in `[urls] js_hosts`) are rendered in Chromium through
scrapy-playwright. A line may declare the page's source type (`type=social`). Bad lines are
reported with their number and skipped. `-a query` does not apply to a list of URLs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from storycrawl.args import UrlFileArgs
from storycrawl.browser import PLAYWRIGHT_HANDLER
from storycrawl.parsers import Post
from storycrawl.parsers.urls import decode_url_file, parse_url_file
from storycrawl.spiders.base import Source, StorySpider
from storycrawl.urls import host_matches, host_of

logger = logging.getLogger(__name__)


class UrlsSource(Source):
    name = "urls"

    @property
    def file(self) -> Path | None:
        given = getattr(self.spider.args, "file", None) or self.spider.crawl_config.urls_file
        if given:
            return Path(given)
        return Path(self.config.file) if self.config is not None and self.config.file else None

    def unavailable(self) -> str | None:
        if reason := super().unavailable():
            return reason
        if self.file is None:
            return "no URL file: give -a file=urls.txt (one URL a line) or set file in [urls]"
        if not self.file.is_file():
            return f"URL file {self.file} not found"
        return None

    def start_requests(self) -> Iterable[Any]:
        text, note = decode_url_file(self.file.read_bytes())
        if note:
            self.count("errors/not_utf8")
            logger.warning("%s: %s", self.file, note)
        lines, errors = parse_url_file(text)
        for error in errors:
            self.count("errors/bad_line")
            logger.warning("%s:%d: skipped: %s", self.file, error.line, error.message)
        if self.spider.args.query:
            logger.info("urls: -a query does not apply to a list of URLs; every URL is fetched")
        js_hosts = set(self.config.js_hosts)
        for line in lines:
            if not self.take():
                return
            hints = {}
            if line.source_type:
                hints = {
                    "source_type": line.source_type,
                    "source_type_reason": f"declared in {self.file.name}",
                }
            host = host_of(line.url)
            post = Post(
                source=self.name, id=line.url, url=line.url, title="", author=None, published=None,
                link=line.url, site=host, is_thread=False, article_hints=hints,
                render_js=line.js or host_matches(host, js_hosts),
            )  # fmt: skip
            yield from self.spider.follow_post(post)


class UrlsSpider(StorySpider):
    """Stories from a file of URLs: `scrapy crawl urls -a file=urls.txt`."""

    name = "urls"
    args_model = UrlFileArgs
    source_classes = (UrlsSource,)
    # Rendering needs scrapy-playwright's handler; it sends other requests the usual way.
    custom_settings = {
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}
    }
