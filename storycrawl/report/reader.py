"""The report's only way into the database: read-only, checked, streamed.

`scrapy report` must never change the file it is given (not even the schema), so the file is
opened with SQLite's `mode=ro` and checked to be a storycrawl database before anything else.
Stories are streamed row by row with only the columns the report shows: their full text is read
only for the few rows that need it (quotes, summaries), never all at once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

# What makes a file a storycrawl database: these tables with at least these columns.
REQUIRED = {
    "stories": {"url", "title", "published", "source", "source_type", "role", "include"},
    "rejections": {"url", "stage", "reason"},
    "runs": {"id", "stats"},
}
# The columns the report shows, in the order it reads them (the text is not one of them).
SHOWN = (
    "url", "title", "author", "published", "date_source", "source", "sources", "site",
    "source_type", "source_type_evidence", "role", "is_first_hand", "is_job_posting", "include",
    "confidence", "evidence", "classifier", "summary", "responsibilities", "tools", "activities",
    "discussions",
)  # fmt: skip
JSON_COLUMNS = ("sources", "responsibilities", "tools", "activities", "discussions")
BOOL_COLUMNS = ("is_first_hand", "is_job_posting", "include")
# A review verdict that takes an included story out, or puts a left-out one in.
VERDICTS_OUT = ("not_ai_engineer", "not_first_hand", "job_posting")
VERDICTS_IN = ("correct", "wrong_type")


class NotAStorycrawlDB(ValueError):
    """The file is not SQLite, or not a database that storycrawl wrote."""


class ReportReader:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            names = {r[0] for r in self.conn.execute("select name from sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise NotAStorycrawlDB(
                f"{self.path} is not a storycrawl database: SQLite cannot read it ({exc})"
            ) from None
        self.columns: dict[str, set[str]] = {}
        for table in names & {*REQUIRED, "reviews", "stories_fts"}:
            self.columns[table] = {r[1] for r in self.conn.execute(f"pragma table_info({table})")}
        missing = [
            f"{table} ({', '.join(sorted(cols - self.columns.get(table, set())))})"
            if table in self.columns
            else table
            for table, cols in REQUIRED.items()
            if not cols <= self.columns.get(table, set())
        ]
        if missing:
            self.conn.close()
            raise NotAStorycrawlDB(
                f"{self.path} is not a storycrawl database: it lacks {'; '.join(missing)}. "
                "Give the file a crawl wrote (scrapy crawl ... -s STORYCRAWL_DB=PATH)."
            )

    def close(self) -> None:
        self.conn.close()

    def has(self, table: str) -> bool:
        return table in self.columns

    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, list(params))

    # stories ---------------------------------------------------------------------------------
    def select_clause(self, extra: str = "") -> str:
        have = self.columns["stories"]
        columns = [f"s.{c}" if c in have else f"null as {c}" for c in SHOWN]
        if self.has("reviews"):
            columns.append("r.verdict as review")
        else:
            columns.append("null as review")
        return ", ".join(columns) + extra

    def from_clause(self) -> str:
        if self.has("reviews"):
            return "stories s left join reviews r on r.url = s.url"
        return "stories s"

    def included_clause(self) -> str:
        """Included stories, with review verdicts overriding the classifier's decision."""
        if not self.has("reviews"):
            return "s.include = 1"
        out = ", ".join(f"'{v}'" for v in VERDICTS_OUT)
        into = ", ".join(f"'{v}'" for v in VERDICTS_IN)
        return (
            f"((s.include = 1 and coalesce(r.verdict, '') not in ({out}))"
            f" or (s.include = 0 and r.verdict in ({into})))"
        )

    def stories(
        self, where: str, params: Iterable[Any] = (), *, head_chars: int = 0
    ) -> Iterator[dict[str, Any]]:
        """Stories matching `where` (over alias `s`), newest first, undated last. With
        head_chars, a story without a stored summary also carries the start of its text
        (`head`) to choose one from."""
        extra = ""
        if head_chars and "text" in self.columns["stories"]:
            extra = (
                ", case when coalesce(s.summary, '') = '' "
                f"then substr(s.text, 1, {int(head_chars)}) end as head"
            )
        sql = (
            f"select {self.select_clause(extra)} from {self.from_clause()} where {where} "
            "order by s.published is null, s.published desc, s.url"
        )
        cursor = self.conn.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield decode(dict(zip(names, row, strict=True)))

    def texts(self, urls: Iterable[str]) -> dict[str, str]:
        """The stored text of a few stories, by URL."""
        urls = list(dict.fromkeys(urls))
        found: dict[str, str] = {}
        if "text" not in self.columns["stories"]:
            return found
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            for url, text in self.conn.execute(
                f"select url, text from stories where url in ({marks})", chunk
            ):
                found[url] = text or ""
        return found


def decode(row: dict[str, Any]) -> dict[str, Any]:
    for name in JSON_COLUMNS:
        value = row.get(name)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                value = []
        row[name] = value if isinstance(value, list) else []
    for name in BOOL_COLUMNS:
        if row.get(name) is not None:
            row[name] = bool(row[name])
    return row
