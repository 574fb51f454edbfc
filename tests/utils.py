"""Helpers shared by the tests: project settings, crawlers, responses from files, a loopback server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.test import get_crawler

import storycrawl.settings as project_settings

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "tests" / "fixtures" / "web"


def project_settings_dict(**overrides: Any) -> dict[str, Any]:
    settings = {
        name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()
    }
    settings.update(overrides)
    return settings


def make_crawler(spidercls, settings: dict[str, Any] | None = None, **spider_kwargs: Any):
    """A configured crawler with its spider created, for calling pipelines and sources directly."""
    crawler = get_crawler(spidercls, project_settings_dict(**(settings or {})))
    crawler.spider = crawler._create_spider(**spider_kwargs)
    return crawler


def first_source(spidercls, now: str, settings: dict[str, Any] | None = None, **spider_kwargs: Any):
    """The first source of a spider made with the project's settings, its clock set to `now`."""
    crawler = make_crawler(spidercls, {"STORYCRAWL_NOW": now, **(settings or {})}, **spider_kwargs)
    return crawler.spider.sources[0]


def source_stat(source, name: str):
    """A source's own stat, `storycrawl/source/<source>/<name>`."""
    return source.spider.crawler.stats.get_value(f"storycrawl/source/{source.name}/{name}")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """A recording's JSON-lines file (routes, manifest), blank lines skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def rejections_of(crawl: dict[str, Any], url: str) -> list[dict[str, Any]]:
    """The rejection rows a replayed crawl recorded for one URL."""
    return [r for r in crawl["rejections"] if r["url"] == url]


def response_from_file(
    path: Path, url: str, content_type: str = "text/html; charset=utf-8", status: int = 200
) -> Response:
    body = path.read_bytes()
    cls = (
        HtmlResponse
        if "html" in content_type
        else TextResponse
        if content_type.startswith(("text/", "application/json"))
        else Response
    )
    return cls(
        url=url,
        body=body,
        headers={"Content-Type": content_type},
        status=status,
        request=Request(url),
    )


def html_response(
    html: str, url: str = "https://blog.example.com/post", headers: dict[str, str] | None = None
) -> HtmlResponse:
    return HtmlResponse(
        url=url,
        body=html.encode("utf-8"),
        headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})},
        request=Request(url),
    )


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 (port chosen by the OS) answering scripted replies.

    `routes` maps a path to one reply or a list of replies served in turn (the last one
    repeats). A route with a `?` must match the query too; one without matches any query.
    Every request is logged with its time and headers.
    """

    def __init__(self, routes: dict[str, Reply | Iterable[Reply]]):
        self.routes = {
            path: list(r) if not isinstance(r, Reply) else [r] for path, r in routes.items()
        }
        self.log: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.log.append(
                    {"path": self.path, "time": time.monotonic(), "headers": dict(self.headers)}
                )
                replies = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if not replies:
                    reply = Reply(404, {"Content-Type": "text/plain"}, b"not found")
                else:
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def requests_to(self, path_prefix: str) -> list[dict[str, Any]]:
        return [entry for entry in self.log if entry["path"].startswith(path_prefix)]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def async_test(fn):
    """Run an `async def` test on the asyncio loop under Twisted's reactor (as Scrapy does), so
    asyncio libraries (httpx in the openai client) work inside it."""
    import functools

    import pytest_twisted
    from scrapy.utils.defer import deferred_from_coro

    @functools.wraps(fn)
    @pytest_twisted.inlineCallbacks
    def wrapper(*args, **kwargs):
        return (yield deferred_from_coro(fn(*args, **kwargs)))

    return wrapper


SHIPPED_SOURCES = ROOT / "storycrawl" / "sources.toml"


def only_feeds_of_type(kind: str) -> str:
    """The shipped sources file with every [[feeds.sites]] entry not of `kind` (personal or
    company) disabled: the crawl of one recorded blog group."""
    head, *blocks = SHIPPED_SOURCES.read_text(encoding="utf-8").split("\n[[feeds.sites]]\n")
    out = [head]
    for block in blocks:
        lines = block.split("\n")
        # A site's table ends where the next table of the file starts.
        end = next((i for i, line in enumerate(lines) if line.startswith("[")), len(lines))
        site, rest = lines[:end], lines[end:]
        if f'type = "{kind}"' not in site:
            site = [line for line in site if not line.startswith("enabled =")]
            site.insert(1, "enabled = false")
        out.append("\n".join(site + rest))
    return "\n[[feeds.sites]]\n".join(out)
