"""Chromium for pages that build their content with JavaScript.

Live crawls render them through scrapy-playwright (its download handler, enabled on the spiders
that may need it); replayed crawls render them here, with every request the page makes answered
from the recording, so JavaScript pages are tested offline too. Always Debian's Chromium
(`STORYCRAWL_CHROMIUM`, default /usr/bin/chromium): never a browser download.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse

logger = logging.getLogger(__name__)

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Headless as root on a closed network: no sandbox, no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})


def launch_options(settings: Any) -> dict[str, Any]:
    options = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    options.setdefault("headless", True)
    options.setdefault("args", CHROMIUM_ARGS)
    options["executable_path"] = (
        settings.get("STORYCRAWL_CHROMIUM") or options.get("executable_path") or "/usr/bin/chromium"
    )
    return options


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, media and fonts are not needed to read a page."""
    return request.resource_type in SKIPPED_RESOURCES


def render_meta() -> dict[str, Any]:
    """Request meta that asks for a rendered page: wait until the page's own fetches are done."""
    return {"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "networkidle"}}


class ReplayBrowser:
    """Renders a page in Chromium with every request it makes answered from a recording."""

    def __init__(self, recording: Any, options: dict[str, Any], stats: Any):
        self.recording = recording
        self.options = options
        self.stats = stats
        self._playwright = None
        self._browser = None
        self._lock = asyncio.Lock()

    async def _ensure_browser(self) -> Any:
        async with self._lock:
            if self._browser is None:
                from playwright.async_api import async_playwright

                self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(**self.options)
                self.stats.inc_value("storycrawl/replay/browser_launched")
        return self._browser

    async def render(self, request: Request) -> HtmlResponse:
        browser = await self._ensure_browser()
        user_agent = (request.headers.get("User-Agent") or b"").decode("latin-1") or None
        context = await browser.new_context(user_agent=user_agent, java_script_enabled=True)
        try:
            page = await context.new_page()
            await page.route("**/*", self._answer)
            goto = dict(
                request.meta.get("playwright_page_goto_kwargs") or {"wait_until": "networkidle"}
            )
            response = await page.goto(request.url, **goto)
            html = await page.content()
            status = response.status if response is not None else 200
            self.stats.inc_value("storycrawl/replay/rendered")
            return HtmlResponse(
                url=page.url,
                status=status,
                body=html.encode("utf-8"),
                encoding="utf-8",
                request=request,
            )
        finally:
            await context.close()

    async def _answer(self, route: Any) -> None:
        request = route.request
        if request.resource_type in SKIPPED_RESOURCES:
            await route.abort()
            return
        recorded = self.recording.find(request.method, request.url)
        if recorded is None:
            self.stats.inc_value("storycrawl/replay/missing")
            logger.warning(
                "Not in the recording, answered 404 to the browser: %s %s",
                request.method,
                request.url,
            )
            await route.fulfill(status=404, body="not recorded")
            return
        self.stats.inc_value("storycrawl/replay/served")
        await route.fulfill(status=recorded.status, headers=recorded.headers, body=recorded.body())

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
