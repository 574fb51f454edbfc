"""`scrapy report`: the report from the SQLite file alone (read-only; no crawl, no network)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from storycrawl.classify.llm_config import LlmConfig, LlmConfigError
from storycrawl.config import configured_db_path
from storycrawl.items import SOURCE_TYPES
from storycrawl.report import DEFAULT_MAX_SHARE, NotAStorycrawlDB, build_report
from storycrawl.report.data import ReportFilter


def _date(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None
    return day.replace(tzinfo=UTC)


def _share(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {value!r}")
    return number


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: no engine, no Scrapy log

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Write report.md, report.html, stories.json and stories.csv from the database"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--db", help="SQLite file to read (default: STORYCRAWL_DB, exports/storycrawl.db)"
        )
        parser.add_argument(
            "--out", default="exports", help="folder to write into (default: exports)"
        )
        parser.add_argument(
            "--since", type=_date, metavar="YYYY-MM-DD", help="only stories published on or after"
        )
        parser.add_argument(
            "--until", type=_date, metavar="YYYY-MM-DD", help="only stories published before"
        )
        parser.add_argument("--type", choices=SOURCE_TYPES, help="only stories of this source type")
        parser.add_argument(
            "--source", help="only stories reached from this source (hackernews, reddit, feeds...)"
        )
        parser.add_argument(
            "--min-confidence", type=_share, metavar="F",
            help="only stories whose labels have at least this confidence (0-1): higher precision, "
            "fewer stories; scrapy evaluate shows the trade",
        )  # fmt: skip
        parser.add_argument(
            "--min-stories", type=int, default=100, metavar="N",
            help="warn when fewer stories than this are included (default: 100)",
        )  # fmt: skip
        parser.add_argument(
            "--strict", action="store_true", help="exit with code 1 when below --min-stories"
        )
        parser.add_argument(
            "--no-llm", action="store_true",
            help="no written synthesis even when an LLM is configured (OPENAI_API_KEY / OPENAI_BASE_URL)",
        )  # fmt: skip
        parser.add_argument(
            "--max-share", type=float, default=DEFAULT_MAX_SHARE, metavar="F",
            help=f"warn when one site or community holds more than this share (default: {DEFAULT_MAX_SHARE})",
        )  # fmt: skip

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        db_path = Path(opts.db) if opts.db else configured_db_path(self.settings)
        if not db_path.is_file():
            raise UsageError(
                f"no database at {db_path}: run a crawl first (scrapy crawl all)", print_help=False
            )
        if opts.since and opts.until and opts.since >= opts.until:
            raise UsageError("--since must be before --until", print_help=False)
        report_filter = ReportFilter(
            since=opts.since,
            until=opts.until,
            source_type=opts.type,
            source=opts.source,
            min_confidence=opts.min_confidence,
        )
        llm = None
        if not opts.no_llm and LlmConfig.configured(self.settings):
            try:
                llm = LlmConfig.from_settings(self.settings)
            except LlmConfigError as exc:
                raise UsageError(str(exc), print_help=False) from None
        try:
            result = build_report(
                db_path,
                opts.out,
                min_stories=opts.min_stories,
                report_filter=report_filter,
                max_share=opts.max_share,
                llm=llm,
            )
        except NotAStorycrawlDB as exc:
            raise UsageError(str(exc), print_help=False) from None
        for path in result.files:
            print(f"wrote {path}")
        if result.context.written:
            print(f"written synthesis by {llm.model}: {result.context.written.account()}")
        funnel = result.funnel
        print(
            f"{result.stories} stories in the report ({funnel.candidates} candidates, {funnel.rejected_total} rejected)"
        )
        for place, count, share in result.breakdowns.concentrated:
            print(
                f"warning: {place} holds {count} stories ({share:.0%} of the report)",
                file=sys.stderr,
            )
        if result.below_minimum:
            print(
                f"warning: only {result.stories} stories included, fewer than --min-stories {opts.min_stories}",
                file=sys.stderr,
            )
            if opts.strict:
                self.exitcode = 1
