"""StoryStore: the one owner of the SQLite database (sqlite-utils), its schema in storycrawl.schema.

Rows are keyed so that running the same crawl twice changes nothing: stories by canonical URL,
rejections by (url, source, via, reason). The report and the commands read only this file.

Several crawls may write one file at once: WAL mode (readers never wait for the writer), a busy
timeout, and every write (the read-then-write merges included) in one `BEGIN IMMEDIATE`
transaction, retried while another process holds the lock, so no update is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from scrapy import signals

from storycrawl.config import crawl_config
from storycrawl.dates import isoformat, parse_datetime
from storycrawl.items import Discussion, StoryItem
from storycrawl.schema import BOOL_FIELDS, JSON_FIELDS, STORY_COLUMNS, TABLES, ensure_schema
from storycrawl.text import fingerprint_bands, same_text

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: How long one statement waits for another process's lock before SQLite gives up.
BUSY_TIMEOUT_S = 30.0
#: Whole transactions retried after that, with a doubling pause.
WRITE_ATTEMPTS = 6


def utcnow_iso() -> str:
    return isoformat(datetime.now(UTC))


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


def _locked(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class StoryStore:
    """Reads and writes of one crawl or command against one database file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S)
        self.db = sqlite_utils.Database(conn)
        self.closed = False
        self._retry(self.db.enable_wal)
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL, far fewer fsyncs
        created = self.write(lambda: ensure_schema(self.db))
        if "story_prints" in created:
            self.write(self._index_stored_prints)
        self.stories = self.db.table("stories")
        self.rejections = self.db.table("rejections")
        self.runs = self.db.table("runs")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.db.close()

    # transactions --------------------------------------------------------------------------
    def _retry(self, work: Callable[[], T]) -> T:
        pause = 0.05
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if not _locked(exc) or attempt == WRITE_ATTEMPTS - 1:
                    raise
                logger.info("%s is busy (%s); retrying in %.2f s", self.path, exc, pause)
                time.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")

    def write(self, work: Callable[[], T]) -> T:
        """Run `work` in one write transaction, taken before it reads (BEGIN IMMEDIATE), so a
        read-then-write is atomic against other crawls; retried while the file is locked."""
        conn = self.db.conn

        def attempt() -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work()
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        return self._retry(attempt)

    # stories -------------------------------------------------------------------------------
    def get_story(self, url: str) -> dict[str, Any] | None:
        rows = list(self.stories.rows_where("url = ?", [url], limit=1))
        return row_to_story(rows[0]) if rows else None

    def has_story(self, url: str) -> bool:
        return self.db.execute("select 1 from stories where url = ?", [url]).fetchone() is not None

    def near_duplicate(self, value: int, url: str) -> str | None:
        """A stored story other than `url` whose text fingerprint is within a few bits of
        `value`: candidates share one of its bands (indexed), then the whole print is compared."""
        bands = fingerprint_bands(value)
        where = " or ".join("(band = ? and value = ?)" for _ in bands)
        params = [p for pair in enumerate(bands) for p in pair]
        rows = self.db.execute(
            f"select distinct p.url, s.fingerprint from story_prints p join stories s "
            f"on s.url = p.url where ({where}) and p.url != ? order by p.url",
            [*params, url],
        ).fetchall()
        for other, print_ in rows:
            if print_ and same_text(value, int(print_, 16)):
                return other
        return None

    def _index_prints(self, url: str, fingerprint: str | None) -> None:
        self.db.execute("delete from story_prints where url = ?", [url])
        if fingerprint:
            self.db.conn.executemany(
                "insert or ignore into story_prints (band, value, url) values (?, ?, ?)",
                [(band, value, url) for band, value in enumerate(fingerprint_bands(int(fingerprint, 16)))],
            )  # fmt: skip

    def _index_stored_prints(self) -> None:
        """Bands of the stories a database held before it had the story_prints table."""
        rows = self.db.execute(
            "select url, fingerprint from stories where fingerprint is not null"
        ).fetchall()
        for url, print_ in rows:
            self._index_prints(url, print_)

    def upsert_story(self, item: StoryItem) -> dict[str, Any]:
        """Insert or update a story; an existing row keeps its discussions, sources and the
        earliest date and first fetch time. Returns the row as stored."""

        def work() -> dict[str, Any]:
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
            self.stories.upsert(row, pk="url", alter=True)
            if old is None or old.get("fingerprint") != row.get("fingerprint"):
                self._index_prints(row["url"], row.get("fingerprint"))
            return row_to_story(row)

        return self.write(work)

    def add_discussions(
        self, url: str, discussions: list[Discussion], source: str, published: datetime | None
    ) -> bool:
        """Merge threads (and an earlier date) into a stored story; False if it is not stored."""
        new = [d.model_dump(mode="json") for d in discussions]

        def work() -> bool:
            old = self.get_story(url)
            if old is None:
                return False
            merged = merge_discussions(old["discussions"], new)
            sources = sorted({*old["sources"], source})
            earliest = _earliest(old.get("published"), isoformat(published))
            if (
                merged == old["discussions"]
                and sources == old["sources"]
                and earliest == old.get("published")
            ):
                return True
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

        return self.write(work)

    def update_labels(self, url: str, labels: dict[str, Any]) -> None:
        values = {
            k: (int(v) if k in BOOL_FIELDS and v is not None else v) for k, v in labels.items()
        }
        values["updated_at"] = utcnow_iso()
        self.write(lambda: self.stories.update(url, values))

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

        def work() -> None:
            old = list(self.rejections.rows_where("id = ?", [row["id"]], limit=1))
            if old and all(old[0].get(k) == v for k, v in row.items()):
                return
            stamped = {**row, "rejected_at": old[0]["rejected_at"] if old else utcnow_iso()}
            self.rejections.upsert(stamped, pk="id", alter=True)

        self.write(work)

    def clear_rejection(self, url: str, reasons: Iterable[str]) -> None:
        reasons = list(reasons)
        marks = ",".join("?" for _ in reasons)
        self.write(
            lambda: self.db.execute(
                f"delete from rejections where url = ? and reason in ({marks})", [url, *reasons]
            )
        )

    # runs ----------------------------------------------------------------------------------
    def start_run(self, run_id: str, spider: str, args: dict[str, Any]) -> None:
        row = {"id": run_id, "spider": spider, "args": args, "started_at": utcnow_iso()}
        self.write(lambda: self.runs.upsert(row, pk="id", alter=True))

    def finish_run(self, run_id: str, finish_reason: str, stats: dict[str, Any]) -> None:
        clean = {k: (isoformat(v) if isinstance(v, datetime) else v) for k, v in stats.items()}
        values = {"finished_at": utcnow_iso(), "finish_reason": finish_reason, "stats": clean}
        self.write(lambda: self.runs.update(run_id, values))

    # LLM answers and usage -----------------------------------------------------------------
    def llm_answer(self, key: str) -> str | None:
        """The cached labels (JSON) of one LLM call, or None."""
        row = self.db.execute("select labels from llm_cache where key = ?", [key]).fetchone()
        return row[0] if row else None

    def save_llm_answer(self, row: dict[str, Any]) -> None:
        self.write(lambda: self.db.table("llm_cache").upsert(row, pk=TABLES["llm_cache"].pk))

    def record_llm_usage(self, row: dict[str, Any]) -> None:
        self.write(lambda: self.db.table("llm_usage").upsert(row, pk=TABLES["llm_usage"].pk))

    # host profiles (source type from a site's home page) -----------------------------------
    def host_profile(self, host: str) -> dict[str, Any] | None:
        rows = list(self.db.table("host_profiles").rows_where("host = ?", [host], limit=1))
        return rows[0] if rows else None

    def save_host_profile(self, row: dict[str, Any]) -> None:
        self.write(lambda: self.db.table("host_profiles").upsert(row, pk="host"))

    # HTTP validators -----------------------------------------------------------------------
    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the article at `url` when it was last fetched."""
        row = self.db.execute(
            "select etag, last_modified from fetches where url = ?", [url]
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        row = {"url": url, "etag": etag, "last_modified": last_modified, "checked_at": utcnow_iso()}
        self.write(lambda: self.db.table("fetches").upsert(row, pk="url"))


#: The name commands and tests knew the store by.
StoryDB = StoryStore

_STORES: weakref.WeakKeyDictionary[Any, StoryStore] = weakref.WeakKeyDictionary()


def story_store(crawler: Any) -> StoryStore:
    """The crawl's store: opened by the first component that asks for it (in `from_crawler`,
    as the crawl starts) on the configured file, closed when the engine stops."""
    store = _STORES.get(crawler)
    if store is None or store.closed:
        store = _STORES[crawler] = StoryStore(crawl_config(crawler).db_path)
        crawler.signals.connect(store.close, signal=signals.engine_stopped, weak=False)
    return store
