"""CrawlHealth: at the end of a crawl, what each source reached, what failed and why.

Offline, a crawl used to end in thousands of log lines and exit 0 as if all went well. This
extension closes every crawl with one line per source (reached or not, how many answers, the
failures by kind with one example message, candidates and what became of them) and a verdict:

- `ok`: every source that ran got at least one successful answer;
- `partial`: some did, some did not;
- `unreachable`: sources ran and none got a successful answer (no network, every host down):
  `scrapy crawl` then exits with status 1 and says so in its last line.

The verdict and the per-source table are in the stats (`storycrawl/health/status`,
`storycrawl/health/sources`), hence in the `runs` table for the report.

Spidermon was evaluated for this and not used: its close monitors are unittest test cases whose
failures are logged as assertion tracebacks (the opposite of a clear last line), it has no hook for
the exit status, and its item validation would repeat the pydantic validation that the normalize
pipeline already turns into `invalid` rejections. What is needed is the count below.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

STATUS = "storycrawl/health/status"
SOURCES = "storycrawl/health/sources"


def source_prefix(name: str) -> str:
    return f"storycrawl/source/{name}/"


def _scope(prefix: str, stats: dict[str, Any]) -> dict[str, Any]:
    """Answers and failures under one prefix (a source's `api/` or `articles/`)."""
    failed: dict[str, int] = {}
    examples: dict[str, str] = {}
    for key, value in stats.items():
        if not key.startswith(f"{prefix}failed/"):
            continue
        kind = key[len(f"{prefix}failed/") :]
        if kind.endswith("/example"):
            examples[kind.removesuffix("/example")] = str(value)
        else:
            failed[kind] = int(value)
    return {
        "responses": int(stats.get(f"{prefix}responses", 0)),
        "ok": int(stats.get(f"{prefix}responses/ok", 0)),
        "failed": failed,
        "examples": {kind: examples[kind] for kind in failed if kind in examples},
    }


def source_health(name: str, stats: dict[str, Any]) -> dict[str, Any]:
    """One source's row of the table, from the crawl's stats. Whether a source was reached is
    judged by its own requests (the API, the feeds); a source that has none (a URL file) by the
    pages it fetched."""
    prefix = source_prefix(name)
    api = _scope(f"{prefix}api/", stats)
    articles = _scope(f"{prefix}articles/", stats)
    judged = api if api["responses"] or api["failed"] else articles
    skipped = stats.get(f"{prefix}skipped_reason")
    if skipped:
        status = "skipped"
    elif judged["ok"]:
        status = "reached"
    elif judged["responses"]:
        status = "failed"  # the hosts answered, never successfully
    elif judged["failed"]:
        status = "unreachable"
    else:
        status = "idle"  # nothing to ask (an empty URL file, a limit of 0)
    depth = prefix.count("/") + 1
    rejected = sum(
        int(v)
        for k, v in stats.items()
        if k.startswith(f"{prefix}rejected/") and k.count("/") == depth
    )
    return {
        "status": status,
        "reason": skipped,
        "api": api,
        "articles": articles,
        "candidates": int(stats.get(f"{prefix}candidates", 0)),
        "included": int(stats.get(f"{prefix}included", 0)),
        "rejected": rejected,
    }


def verdict(table: dict[str, dict[str, Any]]) -> str:
    ran = [row for row in table.values() if row["status"] not in ("skipped", "idle")]
    if not ran:
        return "ok"
    reached = [row for row in ran if row["status"] == "reached"]
    if not reached:
        return "unreachable"
    return "ok" if len(reached) == len(ran) else "partial"


def _failures(scope: dict[str, Any], shown: int = 4) -> str:
    """The most frequent kinds with an example each; the rest by name only."""
    ranked = sorted(scope["failed"].items(), key=lambda kv: (-kv[1], kv[0]))
    said = []
    for number, (kind, count) in enumerate(ranked):
        example = scope["examples"].get(kind, "")
        if number < shown and example:
            cut = example if len(example) <= 120 else example[:119] + "…"
            said.append(f"{kind} ×{count} ({cut})")
        else:
            said.append(f"{kind} ×{count}")
    return ", ".join(said)


def summary_line(name: str, row: dict[str, Any]) -> str:
    if row["status"] == "skipped":
        return f"{name}: skipped: {row['reason']}"
    said = {
        "reached": "reached",
        "failed": "answered, never successfully",
        "unreachable": "NOT reached",
        "idle": "nothing to fetch",
    }[row["status"]]
    parts = [f"{name}: {said}"]
    for label, scope in (("requests", row["api"]), ("articles", row["articles"])):
        if not scope["responses"] and not scope["failed"]:
            continue
        answered = (
            f"{scope['ok']} of {scope['responses']} answers OK"
            if scope["responses"]
            else "no answer"
        )
        failures = _failures(scope)
        parts.append(f"{label}: {answered}" + (f", failed: {failures}" if failures else ""))
    parts.append(
        f"{row['candidates']} candidates, {row['included']} included, {row['rejected']} rejected"
    )
    return "; ".join(parts)


class CrawlHealth:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlHealth:
        health = cls(crawler)
        crawler.signals.connect(health.response_received, signal=signals.response_received)
        crawler.signals.connect(health.spider_closed, signal=signals.spider_closed)
        return health

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        source = request.meta.get("source")
        if not source:
            return  # robots.txt and the like
        # A source's own requests are routed through the spider (storycrawl_callback).
        scope = "api" if "storycrawl_callback" in request.meta else "articles"
        prefix = f"{source_prefix(source)}{scope}/"
        stats = self.crawler.stats
        stats.inc_value(f"{prefix}responses")
        if 200 <= response.status < 300:
            stats.inc_value(f"{prefix}responses/ok")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        sources = [source.name for source in getattr(spider, "sources", [])]
        stats = self.crawler.stats.get_stats()
        table = {name: source_health(name, stats) for name in sources}
        status = verdict(table)
        self.crawler.stats.set_value(SOURCES, table)
        self.crawler.stats.set_value(STATUS, status)
        for name, row in table.items():
            level = logging.WARNING if row["status"] in ("unreachable", "failed") else logging.INFO
            logger.log(level, "Source %s", summary_line(name, row))
        if status == "unreachable":
            logger.error(
                "No source could be reached: every request failed (see the lines above). "
                "Check the network connection and the sources file; nothing was crawled."
            )
        elif status == "partial":
            failed = [n for n, row in table.items() if row["status"] in ("unreachable", "failed")]
            logger.warning("Sources not reached: %s", ", ".join(failed))


def crawl_unreachable(stats: dict[str, Any]) -> bool:
    """True when the crawl's verdict is that no source could be reached."""
    return stats.get(STATUS) == "unreachable"
