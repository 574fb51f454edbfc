"""`scrapy review [--db PATH] [-n N] [--seed S] [--rejected] [--export FILE.csv | --import FILE.csv]`

Audit the classifier: a seeded random sample of included stories (with --rejected, of left-out
ones too) gets one verdict each, in the terminal (one key per story) or through a CSV round
trip. Verdicts go into the `reviews` table; `scrapy report` uses them (audited precision, and
labels overridden) and `scrapy evaluate --reviews` scores a classifier against them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from storycrawl.config import configured_db_path
from storycrawl.report.audit import load_audit
from storycrawl.report.reader import NotAStorycrawlDB, ReportReader
from storycrawl.report.review import export_csv, import_csv, sample, store, terminal_review


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, got {value!r}")
    return number


def read_key() -> str:
    """One key from the terminal, without waiting for Enter."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        return os.read(fd, 1).decode("utf-8", "replace")
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--db PATH] [-n N] [--seed S] [--rejected] [--export FILE.csv | --import FILE.csv]"

    def short_desc(self) -> str:
        return "Review a random sample of stories and store the verdicts (audited precision)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--db", help="SQLite file (default: STORYCRAWL_DB, exports/storycrawl.db)"
        )
        parser.add_argument(
            "-n", type=_positive, default=30, metavar="N", help="stories to sample (default: 30)"
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            metavar="S",
            help="random seed: the same seed, the same sample (default: 1)",
        )
        parser.add_argument(
            "--rejected", action="store_true", help="also sample N stories that were left out"
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--export",
            metavar="FILE.csv",
            help="write the sample to a CSV with a verdict column to fill in",
        )
        group.add_argument(
            "--import",
            dest="import_",
            metavar="FILE.csv",
            help="read the verdicts of a filled-in export",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        db_path = Path(opts.db) if opts.db else configured_db_path(self.settings)
        if not db_path.is_file():
            raise UsageError(f"no database at {db_path}: run a crawl first", print_help=False)
        try:
            ReportReader(db_path).close()
        except NotAStorycrawlDB as exc:
            raise UsageError(str(exc), print_help=False) from None
        if opts.import_:
            path = Path(opts.import_)
            if not path.is_file():
                raise UsageError(f"no such file: {path}", print_help=False)
            result = import_csv(db_path, path, opts.seed)
            for error in result.errors:
                print(error, file=sys.stderr)
            print(f"stored {result.stored} verdicts ({result.blank} rows not reviewed yet)")
            if result.errors:
                self.exitcode = 1
        else:
            stories = sample(db_path, opts.n, opts.seed, opts.rejected)
            if not stories:
                raise UsageError("no stories to review in this database", print_help=False)
            if opts.export:
                export_csv(stories, Path(opts.export))
                print(f"wrote {len(stories)} stories to {opts.export}: fill in the verdict column "
                      "(correct, not_ai_engineer, not_first_hand, job_posting, wrong_type, skip), "
                      f"then scrapy review --import {opts.export}")  # fmt: skip
                return
            if not sys.stdin.isatty():
                raise UsageError(
                    "the terminal review needs a terminal: use --export FILE.csv and --import FILE.csv",
                    print_help=False,
                )
            given, quit_early = terminal_review(stories, read_key, sys.stdout)
            stored = store(db_path, given, opts.seed)
            print(f"stored {stored} verdicts" + (" (quit early)" if quit_early else ""))
        reader = ReportReader(db_path)
        try:
            print(load_audit(reader).headline())
        finally:
            reader.close()
