"""`scrapy reclassify [--classifier ...] [--db PATH] [--dry-run]`: re-label stored stories.

After a model or prompt change (or a better heuristic), the stored text of every classified
story is labelled again without a crawl. The LLM path is cache-aware: pages whose model, prompt
version and text are unchanged cost no call. Stories whose include decision changes get their
`include`-stage rejection added or removed, so the report's numbers stay true.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from storycrawl.classify.base import Classification, Document, classify_all
from storycrawl.commands import command_classifier, report_ledger
from storycrawl.config import configured_db_path
from storycrawl.db import StoryDB
from storycrawl.exceptions import NotAIEngineer, NotFirstHand, exclusion

LABEL_FIELDS = (
    "role", "is_first_hand", "is_job_posting", "include", "confidence", "evidence", "classifier",
    "summary", "responsibilities", "tools", "activities", "suspicious_instructions",
)  # fmt: skip


def document_of_row(story: dict) -> Document:
    hints = dict(story.get("hints") or {})
    if story.get("author"):
        hints.setdefault("author", story["author"])
    return Document(
        url=story["url"], title=story.get("title") or "", text=story.get("text") or "",
        published=story.get("published"), source=story.get("source"), site=story.get("site"),
        author=story.get("author"), hints=hints,
    )  # fmt: skip


def labels_of(result: Classification) -> dict:
    data = result.model_dump()
    return {name: data[name] for name in LABEL_FIELDS}


def update_rejection(db: StoryDB, story: dict, result: Classification) -> None:
    """Keep the include-stage rejection row in step with the new decision."""
    db.clear_rejection(story["url"], [NotAIEngineer.reason, NotFirstHand.reason])
    if result.include:
        return
    reason = exclusion(result.role, result.is_first_hand)
    discussions = story.get("discussions") or []
    db.record_rejection(
        url=story["url"], source=story.get("source") or "", via=discussions[0]["url"] if discussions else None,
        stage=reason.stage, reason=reason.reason, detail=result.role if reason is NotAIEngineer else None,
        evidence=result.evidence, message=f"{story['url']}: reclassified", title=story.get("title"),
        role=result.role, confidence=result.confidence,
    )  # fmt: skip


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: no engine, no Scrapy log

    def syntax(self) -> str:
        return "[--classifier heuristic|llm|auto] [--db PATH] [--dry-run]"

    def short_desc(self) -> str:
        return "Label the stored stories again (after a model, prompt or heuristic change)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--classifier",
            default=None,
            help="heuristic, llm or auto (default: STORYCRAWL_CLASSIFIER)",
        )
        parser.add_argument(
            "--db", help="SQLite file (default: STORYCRAWL_DB, exports/storycrawl.db)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would change, change nothing"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        path = Path(opts.db) if opts.db else configured_db_path(self.settings)
        if not path.is_file():
            raise UsageError(f"no database at {path}: run a crawl first", print_help=False)
        if opts.db:
            self.settings.set("STORYCRAWL_DB", str(path), priority="cmdline")
        classifier, cache_db = command_classifier(self.settings, opts.classifier)
        db = StoryDB(path)
        try:
            stories = list(db.iter_stories())
            results = classify_all(classifier, [document_of_row(s) for s in stories])
            changes: Counter[str] = Counter()
            for story, result in zip(stories, results, strict=True):
                new = labels_of(result)
                changed = [
                    k for k in ("role", "is_first_hand", "include") if story.get(k) != new[k]
                ]
                for name in changed:
                    changes[name] += 1
                if changed:
                    was = "in" if story.get("include") else "out"
                    now = "in" if new["include"] else "out"
                    print(
                        f"{story['url']}: {was} → {now} ({', '.join(changed)} changed)",
                        file=sys.stderr,
                    )
                if not opts.dry_run:
                    db.update_labels(story["url"], new)
                    update_rejection(db, story, result)
        finally:
            db.close()
            if cache_db is not None:
                cache_db.close()
        report_ledger(classifier)
        verb = "would change" if opts.dry_run else "changed"
        print(
            f"reclassified {len(stories)} stories with {classifier.name}: include {verb} for "
            f"{changes['include']}, role for {changes['role']}, first-hand for {changes['is_first_hand']}"
        )
