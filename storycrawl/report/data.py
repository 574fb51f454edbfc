"""What the report shows, read from SQLite only: the funnel and the included stories."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from storycrawl.dates import parse_datetime
from storycrawl.db import StoryDB


@dataclass
class Funnel:
    """Every count of the report's headline, each a query on the DB (see `load_funnel`)."""

    runs: int = 0
    pages_fetched: int = 0
    candidates: int = 0
    classified: int = 0
    included: int = 0
    rejected: dict[str, int] = field(default_factory=dict)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@dataclass
class ReportFilter:
    since: datetime | None = None
    until: datetime | None = None
    source_type: str | None = None
    source: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = ["include = 1"], []
        if self.since:
            clauses.append("published >= ?")
            params.append(self.since.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if self.until:
            clauses.append("published < ?")
            params.append(self.until.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if self.source_type:
            clauses.append("source_type = ?")
            params.append(self.source_type)
        if self.source:
            clauses.append("(source = ? or sources like ?)")
            params.extend([self.source, f'%"{self.source}"%'])
        return " and ".join(clauses), params


def load_funnel(db: StoryDB) -> Funnel:
    funnel = Funnel()
    conn = db.db.conn
    for (stats_json,) in conn.execute("select stats from runs where stats is not null"):
        funnel.runs += 1
        try:
            stats = json.loads(stats_json)
        except json.JSONDecodeError:
            continue
        funnel.pages_fetched += int(stats.get("downloader/response_count", 0) or 0)
    funnel.classified = conn.execute("select count(*) from stories").fetchone()[0]
    funnel.included = conn.execute("select count(*) from stories where include = 1").fetchone()[0]
    reasons: Counter[str] = Counter()
    for reason, detail, count in conn.execute(
        "select reason, detail, count(*) from rejections group by reason, detail"
    ):
        reasons[f"{reason}:{detail}" if detail else reason] += count
    funnel.rejected = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    # Classified stories that were not included are also rejection rows (stage include).
    pre_classification = conn.execute(
        "select count(*) from rejections where stage != 'include'"
    ).fetchone()[0]
    funnel.candidates = funnel.classified + pre_classification
    return funnel


def load_stories(db: StoryDB, report_filter: ReportFilter | None = None) -> list[dict[str, Any]]:
    """Included stories, newest first (undated last), numbered from 1."""
    where, params = (report_filter or ReportFilter()).where()
    stories = list(db.iter_stories(where, params))
    stories.sort(key=lambda s: (s.get("published") is None, _sort_key(s)), reverse=False)
    for number, story in enumerate(stories, start=1):
        story["number"] = number
    return stories


def _sort_key(story: dict[str, Any]) -> tuple[float, str]:
    when = parse_datetime(story.get("published"))
    return (-(when.timestamp() if when else 0.0), story["url"])


def database_exists(path: str | Path) -> bool:
    return Path(path).is_file()
