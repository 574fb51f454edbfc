"""`scrapy classify IN.jsonl -o OUT.jsonl [--classifier heuristic|llm|auto]`.

Reads documents (one JSON object a line: url, title, text, optionally published) and writes one
line per good input, in input order, with the url and every label. A bad line is reported with
its number and skipped (not JSON, not UTF-8, no text, a bad field); the rest go on. Exit code 1
when any line was bad. The output is written once complete (never truncated first); `-o` equal
to the input is refused.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

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
        target = None if opts.output == "-" else Path(opts.output)
        if target is not None and target.exists() and target.resolve() == source.resolve():
            raise UsageError(
                f"-o {opts.output} is the input file: give another output file", print_help=False
            )
        classifier, db = command_classifier(self.settings, opts.classifier)
        with contextlib.ExitStack() as stack:
            if db is not None:
                stack.callback(db.close)
            lines = self._classify(source, classifier)
            if target is None:
                sys.stdout.writelines(lines)
            else:
                # Written beside the target and moved over it once complete: a failed run
                # leaves the old file as it was, never a truncated one.
                partial = target.with_name(f".{target.name}.partial")
                partial.write_text("".join(lines), encoding="utf-8")
                partial.replace(target)
        written, bad = self.written, self.bad
        report_ledger(classifier)
        print(
            f"classified {written} documents with {classifier.name}; {bad} bad lines skipped",
            file=sys.stderr,
        )
        if bad:
            self.exitcode = 1

    def _classify(self, source: Path, classifier: Classifier) -> list[str]:
        """The output lines; counts the good and bad input lines on self."""
        with source.open("rb") as handle:  # binary: a line that is not UTF-8 is a bad line
            entries = list(read_documents(handle))
        bad = 0
        for entry in entries:
            if isinstance(entry, LineError):
                bad += 1
                print(f"{source}:{entry.line}: skipped: {entry.message}", file=sys.stderr)
        rows = [entry for entry in entries if not isinstance(entry, LineError)]
        results = classify_all(classifier, [row.document for row in rows])
        lines = []
        for row, result in zip(rows, results, strict=True):
            labels = result.model_dump()
            lines.append(
                json.dumps(
                    {"url": row.document.url, **{k: labels[k] for k in (*LABELS, *EXTRA)}},
                    ensure_ascii=False,
                )
                + "\n"
            )
        self.written, self.bad = len(rows), bad
        return lines
