"""The recorded web: answer every request from a folder of recorded responses.

`-s STORYCRAWL_REPLAY=tests/fixtures/web` makes the addon install `ReplayDownloadHandler` for
http and https, so a whole crawl (robots.txt, redirects, retries, pipelines) runs as it would
live while nothing goes to the network. The folder format is described in
`tests/fixtures/web/README.md`: `<group>/routes.jsonl` lines point at body files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from storycrawl.browser import ReplayBrowser, launch_options
from storycrawl.config import crawl_config

logger = logging.getLogger(__name__)


class RecordingError(ValueError):
    """A routes file is malformed; the message names the file and line."""


def _query(url: str, ignore: Iterable[str] = ()) -> tuple[tuple[str, str], ...]:
    skip = set(ignore)
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return tuple(sorted((k, v) for k, v in pairs if k not in skip))


def _place(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return (parts.scheme.lower(), (parts.netloc or "").lower(), parts.path or "/")


@dataclass(frozen=True)
class Route:
    """One recorded response."""

    method: str
    url: str
    status: int
    headers: dict[str, str]
    body_path: Path | None
    ignore_params: tuple[str, ...] = ()

    def matches(self, method: str, url: str) -> bool:
        return (
            self.method == method
            and _place(self.url) == _place(url)
            and _query(self.url, self.ignore_params) == _query(url, self.ignore_params)
        )

    def body(self) -> bytes:
        return self.body_path.read_bytes() if self.body_path else b""


@dataclass
class Recording:
    """All routes of a recording folder, indexed by method and place (scheme, host, path)."""

    folder: Path
    routes: dict[tuple[str, tuple[str, str, str]], list[Route]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: str | Path) -> Recording:
        folder = Path(folder)
        if not folder.is_dir():
            raise RecordingError(f"replay folder {folder} does not exist")
        recording = cls(folder)
        for routes_file in sorted(folder.glob("**/routes.jsonl")):
            for route in _read_routes(routes_file):
                recording.routes.setdefault((route.method, _place(route.url)), []).append(route)
        return recording

    def __len__(self) -> int:
        return sum(len(routes) for routes in self.routes.values())

    def find(self, method: str, url: str) -> Route | None:
        """The exact match if there is one, else a match that leaves out ignored parameters."""
        candidates = self.routes.get((method.upper(), _place(url)), [])
        exact = [r for r in candidates if _query(r.url) == _query(url)]
        if exact:
            return exact[0]
        return next(
            (r for r in candidates if r.ignore_params and r.matches(method.upper(), url)), None
        )


def _read_routes(path: Path) -> Iterable[Route]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            body = entry.get("body")
            body_path = path.parent / body if body else None
            if body_path and not body_path.is_file():
                raise RecordingError(f"{path}:{number}: body file {body} not found")
            yield Route(
                method=entry.get("method", "GET").upper(),
                url=entry["url"],
                status=int(entry.get("status", 200)),
                headers={str(k): str(v) for k, v in entry.get("headers", {}).items()},
                body_path=body_path,
                ignore_params=tuple(entry.get("ignore_params", ())),
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, RecordingError):
                raise
            raise RecordingError(f"{path}:{number}: not a valid route ({exc})") from None


def _shared_recording(crawler: Crawler) -> Recording:
    """One Recording per crawl, shared by the http and https handlers."""
    recording = getattr(crawler, "_storycrawl_recording", None)
    if recording is None:
        recording = Recording.load(crawl_config(crawler).replay)
        crawler._storycrawl_recording = recording  # type: ignore[attr-defined]
        logger.info("Replaying %d recorded responses from %s", len(recording), recording.folder)
    return recording


class ReplayDownloadHandler(BaseDownloadHandler):
    """Download handler that serves the recording instead of the network.

    Requests that ask for a rendered page (`playwright` in meta) are rendered in Chromium with
    every request the page makes answered from the recording (storycrawl.browser.ReplayBrowser).
    Unrecorded URLs get a 404 (logged once per URL, counted in `storycrawl/replay/missing`);
    a missing robots.txt or site home page is an ordinary 404 and counted apart
    (`storycrawl/replay/robots_missing`, `storycrawl/replay/home_page_missing`).
    """

    lazy = False

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.recording = _shared_recording(crawler)
        self._reported: set[str] = set()
        self.browser = ReplayBrowser(
            self.recording, launch_options(crawler.settings), crawler.stats
        )

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("playwright"):
            # A page that needs JavaScript: rendered in Chromium, its requests answered from here.
            return await self.browser.render(request)
        stats = self.crawler.stats
        route = self.recording.find(request.method, request.url)
        if route is None:
            if urlsplit(request.url).path == "/robots.txt":
                stats.inc_value("storycrawl/replay/robots_missing")
            elif request.meta.get("storycrawl_home_page"):
                # Optional: the source-type stage falls back to URL and text cues.
                stats.inc_value("storycrawl/replay/home_page_missing")
            else:
                stats.inc_value("storycrawl/replay/missing")
                if request.url not in self._reported:
                    self._reported.add(request.url)
                    logger.warning(
                        "Not in the recording, answered 404: %s %s", request.method, request.url
                    )
            return Response(request.url, status=404, body=b"not recorded", request=request)
        stats.inc_value("storycrawl/replay/served")
        body = route.body()
        headers = Headers(route.headers)
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return respcls(
            url=request.url, status=route.status, headers=headers, body=body, request=request
        )
