"""`scrapy evaluate LABELLED.jsonl | --reviews [DB] [--classifier ...] [--json]`: how good are the labels?

Precision, recall and F1 of `include` and `is_job_posting`, accuracy of first-hand, role and
source type, the role confusion matrix, and every misclassified row with its evidence. The
labelled file uses the fields of the shared guide's dev.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from storycrawl.classify.evaluate import evaluate, read_labelled, render_text
from storycrawl.commands import command_classifier, report_ledger
from storycrawl.config import configured_db_path
from storycrawl.report.reader import NotAStorycrawlDB
from storycrawl.report.review import reviewed_rows


def reviewed_labelled(path: Path) -> list:
    """The rows reviewed with `scrapy review`, labelled by their verdicts."""
    if not path.is_file():
        raise UsageError(f"no database at {path}", print_help=False)
    try:
        return reviewed_rows(path)
    except NotAStorycrawlDB as exc:
        raise UsageError(str(exc), print_help=False) from None


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: no engine, no Scrapy log

    def syntax(self) -> str:
        return "LABELLED.jsonl | --reviews [DB] [--classifier heuristic|llm|auto] [--json]"

    def short_desc(self) -> str:
        return "Score a classifier against labelled pages"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--classifier",
            default=None,
            help="heuristic, llm or auto (default: STORYCRAWL_CLASSIFIER)",
        )
        parser.add_argument("--json", action="store_true", help="print the scores as JSON")
        parser.add_argument(
            "--reviews", metavar="DB", nargs="?", const="",
            help="score against the stories reviewed with scrapy review (in DB, default STORYCRAWL_DB)",
        )  # fmt: skip

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if opts.reviews is not None:
            path = Path(opts.reviews) if opts.reviews else configured_db_path(self.settings)
            rows, errors = reviewed_labelled(path), []
        elif len(args) != 1:
            raise UsageError("give one labelled file (JSON lines), or --reviews")
        else:
            path = Path(args[0])
            if not path.is_file():
                raise UsageError(f"no such file: {path}", print_help=False)
            rows, errors = read_labelled(path)
        classifier, db = command_classifier(self.settings, opts.classifier)
        for error in errors:
            print(f"{path}:{error.line}: skipped: {error.message}", file=sys.stderr)
        if not rows:
            raise UsageError(f"no labelled rows in {path}", print_help=False)
        try:
            result = evaluate(rows, classifier)
        finally:
            if db is not None:
                db.close()
        report_ledger(classifier)
        print(
            json.dumps(result.to_json(), indent=2, ensure_ascii=False)
            if opts.json
            else render_text(result)
        )
