"""A source defined outside the package, to show that registering it is the only step:
`scrapy list -s SPIDER_MODULES=storycrawl.spiders,tests.dummy_source` lists it, `all` runs it,
the report names its platform (tests/test_registry.py).

A message board with a JSON API: `GET {api_url}/posts.json` answers a list of
`{"id", "title", "author", "created", "body"}` posts, the newest first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import scrapy
from pydantic import BaseModel, ConfigDict
from scrapy.http import Response

from storycrawl.dates import parse_datetime
from storycrawl.parsers import Post
from storycrawl.registry import SourceInfo, register
from storycrawl.spiders.base import Source, StorySpider

INFO = SourceInfo(
    name="dummy",
    display_name="Dummy Board",
    source="tests.dummy_source.DummySource",
    config="tests.dummy_source.DummyConfig",
    social_text_posts=True,
)


class DummyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    api_url: str


class DummySource(Source):
    name = "dummy"

    def start_requests(self) -> Iterable[scrapy.Request]:
        yield scrapy.Request(
            f"{self.config.api_url}/posts.json",
            callback=self.parse_posts,
            errback=self.failed,
            meta={"source": self.name},
        )

    def parse_posts(self, response: Response) -> Iterable[Any]:
        self.count("pages")
        for raw in json.loads(response.body):
            post = Post(
                source=self.name, id=str(raw["id"]), url=f"{self.config.api_url}/p/{raw['id']}",
                title=raw["title"], author=raw["author"], published=parse_datetime(raw["created"]),
                text=raw["body"], site=self.name, hints={"post_type": "text"},
            )  # fmt: skip
            if self.too_old(post.published) or not self.take():
                continue
            yield from self.spider.follow_post(post)


class DummySpider(StorySpider):
    name = "dummy"
    source_classes = (DummySource,)


register(INFO)
