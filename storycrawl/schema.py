"""The database's schema, in one place: every table storycrawl writes, its columns, key and indexes.

To add a table, add a `Table` to TABLES; to add a column, add it to the table's columns. Opening a
database (`storycrawl.db.StoryStore`) creates what is missing and adds new columns to old files,
so a database written by an older version keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

STORY_COLUMNS: dict[str, type] = {
    "url": str,
    "title": str,
    "author": str,
    "published": str,
    "date_source": str,
    "source": str,
    "sources": str,
    "site": str,
    "source_type": str,
    "source_type_evidence": str,
    "role": str,
    "is_first_hand": int,
    "is_job_posting": int,
    "include": int,
    "confidence": float,
    "evidence": str,
    "classifier": str,
    "summary": str,
    "responsibilities": str,
    "tools": str,
    "activities": str,
    "suspicious_instructions": int,
    "discussions": str,
    "text": str,
    "text_hash": str,
    "fingerprint": str,
    "lang": str,
    "hints": str,
    "fetched_at": str,
    "updated_at": str,
}
REJECTION_COLUMNS: dict[str, type] = {
    "id": str,
    "url": str,
    "title": str,
    "source": str,
    "via": str,
    "stage": str,
    "reason": str,
    "detail": str,
    "evidence": str,
    "message": str,
    "published": str,
    "role": str,
    "confidence": float,
    "rejected_at": str,
}
RUN_COLUMNS: dict[str, type] = {
    "id": str,
    "spider": str,
    "args": str,
    "started_at": str,
    "finished_at": str,
    "finish_reason": str,
    "stats": str,
}
JSON_FIELDS = ("sources", "responsibilities", "tools", "activities", "discussions", "hints")
BOOL_FIELDS = ("is_first_hand", "is_job_posting", "include", "suspicious_instructions")


@dataclass(frozen=True)
class Table:
    columns: dict[str, type]
    pk: str | tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    #: Columns of a full-text index kept in step by triggers (Datasette shows a search box).
    full_text: tuple[str, ...] = ()


TABLES: dict[str, Table] = {
    "stories": Table(
        STORY_COLUMNS,
        pk="url",
        indexes=(("include", "published"), ("text_hash",)),
        full_text=("title", "summary", "evidence", "text"),
    ),
    "rejections": Table(REJECTION_COLUMNS, pk="id", indexes=(("reason",), ("url",))),
    "runs": Table(RUN_COLUMNS, pk="id"),
    # `scrapy review`'s verdicts (storycrawl/report/review.py); the report lets them override
    # the labels. The was_* columns keep the labels the story had when it was reviewed.
    "reviews": Table(
        {
            "url": str,
            "verdict": str,
            "note": str,
            "reviewed_at": str,
            "seed": int,
            "was_include": int,
            "was_role": str,
            "was_source_type": str,
            "was_classifier": str,
        },
        pk="url",
    ),
    # A story's 64-bit text fingerprint in four 16-bit bands: two fingerprints at most 3 bits
    # apart share a band, so near-duplicates are found by an indexed lookup, not a scan.
    "story_prints": Table(
        {"band": int, "value": int, "url": str}, pk=("band", "value", "url"), indexes=(("url",),)
    ),
    # HTTP validators of fetched articles, for conditional requests on a revisit.
    "fetches": Table({"url": str, "etag": str, "last_modified": str, "checked_at": str}, pk="url"),
    # The LLM classifier's validated answers, keyed by model + prompt version + text.
    "llm_cache": Table(
        {
            "key": str,
            "model": str,
            "prompt_version": str,
            "labels": str,
            "prompt_tokens": int,
            "completion_tokens": int,
            "created_at": str,
        },
        pk="key",
    ),
    # One row per site host: what its home page says about who runs it (source type), read
    # once and reused by later crawls (storycrawl.pipelines.source_type).
    "host_profiles": Table(
        {
            "host": str,
            "home_url": str,
            "status": str,
            "source_type": str,
            "confidence": float,
            "evidence": str,
            "signals": str,
            "fetched_at": str,
        },
        pk="host",
    ),
    # One row per crawl and model: calls, cache hits, tokens and the estimated cost.
    "llm_usage": Table(
        {
            "run_id": str,
            "model": str,
            "base_url": str,
            "calls": int,
            "cache_hits": int,
            "prompt_tokens": int,
            "completion_tokens": int,
            "estimated_cost": float,
            "skipped": str,
            "failures": str,
            "fallbacks": str,
            "recorded_at": str,
        },
        pk=("run_id", "model"),
    ),
}


def ensure_schema(db: sqlite_utils.Database) -> list[str]:
    """Create missing tables, indexes and columns (call inside a write transaction, so that
    crawls opening one new file at once do not race). Returns the tables it created."""
    created = []
    for name, spec in TABLES.items():
        table = db.table(name)
        if not table.exists():
            table.create(spec.columns, pk=spec.pk)
            created.append(name)
        else:
            existing = table.columns_dict
            for column, col_type in spec.columns.items():
                if column not in existing:
                    table.add_column(column, col_type)
        for columns in spec.indexes:
            table.create_index(list(columns), if_not_exists=True)
        if spec.full_text and not table.detect_fts():
            table.enable_fts(list(spec.full_text), create_triggers=True)
    return created
