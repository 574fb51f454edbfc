"""What a failed request means, in words: one description for every errback and the crawl summary.

Scrapy's download errors often carry no message (`ResponseDataLossError: `, a `DownloadCancelledError`
with nothing after it) or a long one that names the exception class instead of the fault. `describe`
turns a Failure into a short kind (for stats keys: `http_404`, `dns`, `timeout`...) and a sentence a
user can act on.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure

# Kinds that mean the host could not be talked to at all (the offline summary counts these).
UNREACHABLE = frozenset({"dns", "refused", "timeout", "connection", "cut_short"})


class RetryAfterTooLong(IgnoreRequest):
    """A 429/503 asking for a longer wait than STORYCRAWL_RETRY_AFTER_MAX: not retried."""


class RobotsUnreadable(IgnoreRequest):
    """The host's robots.txt could not be read (5xx, network error): RFC 9309 says do not crawl.
    `kind` is the fault that kept it unread (dns, timeout, http_503...)."""

    def __init__(self, message: str, kind: str = "robots"):
        super().__init__(message)
        self.kind = kind


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return parts.netloc or url
    except ValueError:
        return url


def describe(failure: Failure, maxsize: int | None = None) -> tuple[str, str]:
    """(kind, message) for a failed request's Failure."""
    request = getattr(failure, "request", None)
    url = request.url if request is not None else ""
    host = _host(url)
    text = failure.getErrorMessage().strip()
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}", f"HTTP {status}"
    if failure.check(RetryAfterTooLong):
        return "retry_after_too_long", text
    if failure.check(RobotsUnreadable):
        return failure.value.kind, f"{host}: {text}"
    if failure.check(IgnoreRequest):
        if "robots.txt" in text:
            return "robots", text
        if text.startswith("refused:"):
            return "refused_by_guard", text
        if "max redirections" in text.lower() or "redirect" in text.lower():
            return "redirects", f"redirect loop or too many redirects ({text})"
        if "DOWNLOAD_MAXSIZE" in text or "max size" in text.lower():
            return "too_big", f"larger than DOWNLOAD_MAXSIZE: {text}"
        return "ignored", text or "request ignored"
    if failure.check(CannotResolveHostError, net.DNSLookupError):
        return "dns", f"DNS lookup failed: {urlsplit(url).hostname or host} does not resolve"
    if failure.check(DownloadConnectionRefusedError, net.ConnectionRefusedError):
        return "refused", f"connection refused by {host}"
    if failure.check(DownloadTimeoutError, net.TimeoutError, TimeoutError):
        timeout = request.meta.get("download_timeout") if request is not None else None
        after = f" after {timeout:g} s" if isinstance(timeout, int | float) else ""
        return "timeout", f"timed out{after} waiting for {host}"
    if failure.check(ResponseDataLossError):
        return "cut_short", (
            f"response cut short: {host} closed the connection before the whole body arrived"
        )
    if failure.check(DownloadCancelledError):
        if text:
            return "too_big", f"larger than DOWNLOAD_MAXSIZE, not downloaded: {text}"
        limit = f" ({maxsize} bytes)" if maxsize else ""
        return "too_big", f"body grew past DOWNLOAD_MAXSIZE{limit}: download cut"
    if failure.check(DownloadFailedError, net.ConnectionLost, net.ConnectionDone):
        # Twisted's text is a list of Failure reprs; keep the reasons they carry.
        reasons = re.findall(r"twisted\.\w+\.\w+\.(\w+): ([^>]*)>", text)
        detail = "; ".join(f"{name}: {why.strip()}" for name, why in reasons) or text
        return "connection", (
            f"connection to {host} lost before a whole answer ({detail or 'no detail given'})"
        )
    name = failure.type.__name__ if failure.type else "error"
    return name, f"{name}: {text}" if text else f"{name} (no detail given) fetching {host}"
