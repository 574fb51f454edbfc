"""The SQLite store (sqlite-utils): stories, rejections, runs.

One file, WAL mode, one writer (the crawl). Rows are keyed so that running the same crawl twice
changes nothing: stories by canonical URL, rejections by (url, source, via, reason).
The report and the commands read only this file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from storycrawl.dates import isoformat, parse_datetime
from storycrawl.items import Discussion, StoryItem

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


def configured_db_path(settings: Any) -> Path:
    """The database file: `-s STORYCRAWL_DB=...`, else the STORYCRAWL_DB environment variable,
    else the project setting (exports/storycrawl.db)."""
    env = os.environ.get("STORYCRAWL_DB")
    if env and settings.getpriority("STORYCRAWL_DB") < 40:  # 40: the command line
        return Path(env)
    return Path(settings.get("STORYCRAWL_DB"))


def utcnow_iso() -> str:
    return isoformat(datetime.now(UTC))


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a storycrawl database with its tables."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables and add columns that newer versions introduced."""
    for name, columns, pk in (
        ("stories", STORY_COLUMNS, "url"),
        ("rejections", REJECTION_COLUMNS, "id"),
        ("runs", RUN_COLUMNS, "id"),
    ):
        table = db.table(name)
        if not table.exists():
            table.create(columns, pk=pk)
        else:
            missing = {c: t for c, t in columns.items() if c not in table.columns_dict}
            for column, col_type in missing.items():
                table.add_column(column, col_type)
    stories = db.table("stories")
    if not stories.detect_fts():
        # Full-text search over what a reader looks for (Datasette shows a search box for it);
        # triggers keep it in step with every upsert.
        stories.enable_fts(["title", "summary", "evidence", "text"], create_triggers=True)
    db.table("stories").create_index(["include", "published"], if_not_exists=True)
    db.table("stories").create_index(["text_hash"], if_not_exists=True)
    db.table("rejections").create_index(["reason"], if_not_exists=True)


def story_to_row(item: StoryItem) -> dict[str, Any]:
    """A StoryItem as a `stories` row: dates as ISO UTC text, lists and dicts as JSON."""
    data = item.model_dump(mode="python", exclude={"fetch_error"})
    row: dict[str, Any] = {k: v for k, v in data.items() if k in STORY_COLUMNS}
    row["published"] = isoformat(item.published)
    row["fetched_at"] = isoformat(item.fetched_at)
    row["discussions"] = merge_discussions(
        [], [d.model_dump(mode="json") for d in item.discussions]
    )
    row["sources"] = [item.source]
    for name in BOOL_FIELDS:
        if row.get(name) is not None:
            row[name] = int(row[name])
    return row


def row_to_story(row: dict[str, Any]) -> dict[str, Any]:
    """A `stories` row back to plain Python values (JSON decoded, booleans as bool)."""
    story = dict(row)
    for name in JSON_FIELDS:
        value = story.get(name)
        if isinstance(value, str):
            try:
                story[name] = json.loads(value)
            except json.JSONDecodeError:
                story[name] = []
        elif value is None:
            story[name] = {} if name == "hints" else []
    for name in BOOL_FIELDS:
        if story.get(name) is not None:
            story[name] = bool(story[name])
    return story


def merge_discussions(old: Iterable[dict], new: Iterable[dict]) -> list[dict]:
    """Union by thread URL; the latest counts win; ordered by thread date, then URL."""
    merged: dict[str, dict] = {}
    for discussion in [*old, *new]:
        current = merged.get(discussion["url"], {})
        merged[discussion["url"]] = {
            **current,
            **{k: v for k, v in discussion.items() if v is not None},
        }
    return sorted(merged.values(), key=lambda d: (d.get("published") or "", d["url"]))


def _earliest(a: str | None, b: str | None) -> str | None:
    dates = [d for d in (a, b) if d]
    if not dates:
        return None
    return min(dates, key=lambda d: parse_datetime(d) or datetime.max.replace(tzinfo=UTC))


def _same_story(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, default=str)

    return all(dump(old.get(k)) == dump(v) for k, v in new.items() if k != "updated_at")


class StoryDB:
    """Reads and writes of one crawl or command against one database file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = open_db(self.path)
        self.stories = self.db.table("stories")
        self.rejections = self.db.table("rejections")
        self.runs = self.db.table("runs")

    def close(self) -> None:
        self.db.close()

    # stories -------------------------------------------------------------------------------
    def get_story(self, url: str) -> dict[str, Any] | None:
        rows = list(self.stories.rows_where("url = ?", [url], limit=1))
        return row_to_story(rows[0]) if rows else None

    def fingerprints(self) -> list[tuple[str, str]]:
        """(url, fingerprint) of every stored story that has one."""
        return list(
            self.db.execute(
                "select url, fingerprint from stories where fingerprint is not null"
            ).fetchall()
        )

    def upsert_story(self, item: StoryItem) -> dict[str, Any]:
        """Insert or update a story; an existing row keeps its discussions, sources and the
        earliest date and first fetch time. Returns the row as stored."""
        row = story_to_row(item)
        old = self.get_story(row["url"])
        if old is not None:
            row["discussions"] = merge_discussions(old["discussions"], row["discussions"])
            row["sources"] = sorted({*old["sources"], *row["sources"]})
            row["published"] = _earliest(old.get("published"), row["published"])
            row["fetched_at"] = _earliest(old.get("fetched_at"), row["fetched_at"])
            if _same_story(old, row_to_story(row)):
                return old
        row["updated_at"] = utcnow_iso()
        with self.db.conn:
            self.stories.upsert(row, pk="url", alter=True)
        return row_to_story(row)

    def add_discussions(
        self, url: str, discussions: list[Discussion], source: str, published: datetime | None
    ) -> bool:
        """Merge threads (and an earlier date) into a stored story; False if it is not stored."""
        old = self.get_story(url)
        if old is None:
            return False
        new = [d.model_dump(mode="json") for d in discussions]
        merged = merge_discussions(old["discussions"], new)
        sources = sorted({*old["sources"], source})
        earliest = _earliest(old.get("published"), isoformat(published))
        if (
            merged == old["discussions"]
            and sources == old["sources"]
            and earliest == old.get("published")
        ):
            return True
        with self.db.conn:
            self.stories.update(
                url,
                {
                    "discussions": merged,
                    "sources": sources,
                    "published": earliest,
                    "updated_at": utcnow_iso(),
                },
            )
        return True

    def update_labels(self, url: str, labels: dict[str, Any]) -> None:
        values = {
            k: (int(v) if k in BOOL_FIELDS and v is not None else v) for k, v in labels.items()
        }
        values["updated_at"] = utcnow_iso()
        with self.db.conn:
            self.stories.update(url, values)

    def iter_stories(
        self, where: str | None = None, params: Iterable[Any] = ()
    ) -> Iterable[dict[str, Any]]:
        for row in self.stories.rows_where(where, list(params), order_by="published desc, url"):
            yield row_to_story(row)

    # rejections ----------------------------------------------------------------------------
    def record_rejection(
        self,
        *,
        url: str,
        source: str,
        via: str | None,
        stage: str,
        reason: str,
        detail: str | None,
        evidence: str,
        message: str,
        title: str | None = None,
        published: datetime | None = None,
        role: str | None = None,
        confidence: float | None = None,
    ) -> None:
        key = "\n".join([url, source, via or "", reason])
        row = {
            "id": hashlib.sha256(key.encode("utf-8")).hexdigest()[:24],
            "url": url,
            "title": title,
            "source": source,
            "via": via,
            "stage": stage,
            "reason": reason,
            "detail": detail,
            "evidence": evidence,
            "message": message,
            "published": isoformat(published),
            "role": role,
            "confidence": confidence,
        }
        old = list(self.rejections.rows_where("id = ?", [row["id"]], limit=1))
        if old and all(old[0].get(k) == v for k, v in row.items()):
            return
        row["rejected_at"] = old[0]["rejected_at"] if old else utcnow_iso()
        with self.db.conn:
            self.rejections.upsert(row, pk="id", alter=True)

    def clear_rejection(self, url: str, reasons: Iterable[str]) -> None:
        reasons = list(reasons)
        marks = ",".join("?" for _ in reasons)
        with self.db.conn:
            self.db.execute(
                f"delete from rejections where url = ? and reason in ({marks})", [url, *reasons]
            )

    # runs ----------------------------------------------------------------------------------
    def start_run(self, run_id: str, spider: str, args: dict[str, Any]) -> None:
        with self.db.conn:
            self.runs.upsert(
                {"id": run_id, "spider": spider, "args": args, "started_at": utcnow_iso()},
                pk="id",
                alter=True,
            )

    def finish_run(self, run_id: str, finish_reason: str, stats: dict[str, Any]) -> None:
        clean = {k: (isoformat(v) if isinstance(v, datetime) else v) for k, v in stats.items()}
        with self.db.conn:
            self.runs.update(
                run_id,
                {"finished_at": utcnow_iso(), "finish_reason": finish_reason, "stats": clean},
            )
