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

from storycrawl.classify.base import Classifier, ClassifierError, get_classifier
from storycrawl.classify.evaluate import LineError, read_documents

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
        name = opts.classifier or self.settings.get("STORYCRAWL_CLASSIFIER", "heuristic")
        try:
            classifier = get_classifier(name, self.settings)
        except ClassifierError as exc:
            raise UsageError(str(exc), print_help=False) from None
        with contextlib.ExitStack() as stack:
            out = sys.stdout
            if opts.output != "-":
                out = stack.enter_context(Path(opts.output).open("w", encoding="utf-8"))
            written, bad = self._classify(source, classifier, out)
        print(
            f"classified {written} documents with {classifier.name}; {bad} bad lines skipped",
            file=sys.stderr,
        )
        if bad:
            self.exitcode = 1

    @staticmethod
    def _classify(source: Path, classifier: Classifier, out: TextIO) -> tuple[int, int]:
        written = bad = 0
        with source.open(encoding="utf-8") as handle:
            for entry in read_documents(handle):
                if isinstance(entry, LineError):
                    bad += 1
                    print(f"{source}:{entry.line}: skipped: {entry.message}", file=sys.stderr)
                    continue
                result = classifier.classify(entry.document).model_dump()
                row = {"url": entry.document.url, **{k: result[k] for k in (*LABELS, *EXTRA)}}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                out.flush()
                written += 1
        return written, bad
