"""`scrapy report`: the report from the SQLite file alone (no crawl, no network)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from storycrawl.db import configured_db_path
from storycrawl.report import build_report


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: no engine, no Scrapy log

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Write exports/report.md, stories.json and stories.csv from the database"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--db", help="SQLite file to read (default: STORYCRAWL_DB, exports/storycrawl.db)"
        )
        parser.add_argument(
            "--out", default="exports", help="folder to write into (default: exports)"
        )
        parser.add_argument(
            "--min-stories",
            type=int,
            default=100,
            metavar="N",
            help="warn when fewer stories than this are included (default: 100)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        db_path = Path(opts.db) if opts.db else configured_db_path(self.settings)
        if not db_path.is_file():
            raise UsageError(
                f"no database at {db_path}: run a crawl first (scrapy crawl hackernews)",
                print_help=False,
            )
        result = build_report(db_path, opts.out, min_stories=opts.min_stories)
        for path in result.files:
            print(f"wrote {path}")
        print(
            f"{result.stories} stories included ({result.funnel.candidates} candidates, "
            f"{result.funnel.rejected_total} rejected)"
        )
        if result.below_minimum:
            print(
                f"warning: only {result.stories} stories included, fewer than --min-stories {opts.min_stories}",
                file=sys.stderr,
            )
