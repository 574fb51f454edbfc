"""`scrapy classify IN.jsonl -o OUT.jsonl [--classifier heuristic|llm|auto]`.

Reads documents (one JSON object a line: url, title, text, optionally published) and writes one
line per good input, in input order, with the url and every label. A bad line is reported with
its number and skipped; the rest go on. Exit code 1 when any line was bad.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import TextIO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from storycrawl.classify.base import Classifier, classify_all
from storycrawl.classify.evaluate import LineError, read_documents
from storycrawl.commands import command_classifier, report_ledger

LABELS = (
    "role", "is_first_hand", "is_job_posting", "source_type", "include", "confidence", "evidence", "classifier",
)  # fmt: skip
EXTRA = (
    "summary",
    "responsibilities",
    "tools",
    "activities",
    "suspicious_instructions",
    "source_type_evidence",
)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: no engine, no Scrapy log

    def syntax(self) -> str:
        return "IN.jsonl -o OUT.jsonl [--classifier heuristic|llm|auto]"

    def short_desc(self) -> str:
        return (
            "Label documents (JSON lines) with role, first-hand, job posting, source type, include"
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="OUT.jsonl",
            help="where to write the labels ('-' for stdout)",
        )
        parser.add_argument(
            "--classifier",
            default=None,
            help="heuristic, llm or auto (default: STORYCRAWL_CLASSIFIER)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one input file (JSON lines)")
        source = Path(args[0])
        if not source.is_file():
            raise UsageError(f"no such file: {source}", print_help=False)
        classifier, db = command_classifier(self.settings, opts.classifier)
        with contextlib.ExitStack() as stack:
            if db is not None:
                stack.callback(db.close)
            out = sys.stdout
            if opts.output != "-":
                out = stack.enter_context(Path(opts.output).open("w", encoding="utf-8"))
            written, bad = self._classify(source, classifier, out)
        report_ledger(classifier)
        print(
            f"classified {written} documents with {classifier.name}; {bad} bad lines skipped",
            file=sys.stderr,
        )
        if bad:
            self.exitcode = 1

    @staticmethod
    def _classify(source: Path, classifier: Classifier, out: TextIO) -> tuple[int, int]:
        with source.open(encoding="utf-8") as handle:
            entries = list(read_documents(handle))
        bad = 0
        for entry in entries:
            if isinstance(entry, LineError):
                bad += 1
                print(f"{source}:{entry.line}: skipped: {entry.message}", file=sys.stderr)
        rows = [entry for entry in entries if not isinstance(entry, LineError)]
        results = classify_all(classifier, [row.document for row in rows])
        for row, result in zip(rows, results, strict=True):
            labels = result.model_dump()
            out.write(
                json.dumps(
                    {"url": row.document.url, **{k: labels[k] for k in (*LABELS, *EXTRA)}},
                    ensure_ascii=False,
                )
                + "\n"
            )
        return len(rows), bad
