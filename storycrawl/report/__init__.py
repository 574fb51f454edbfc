"""The report: from the SQLite file alone to report.md and stories.json / stories.csv."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storycrawl.db import StoryDB
from storycrawl.report.data import Funnel, ReportFilter, load_funnel, load_stories
from storycrawl.report.exports import write_csv, write_json
from storycrawl.report.markdown import render_markdown

logger = logging.getLogger(__name__)


@dataclass
class ReportResult:
    stories: int
    funnel: Funnel
    files: list[Path]
    below_minimum: bool


def build_report(
    db_path: str | Path,
    out_dir: str | Path,
    *,
    min_stories: int = 100,
    report_filter: ReportFilter | None = None,
    now: datetime | None = None,
) -> ReportResult:
    """Write report.md, stories.json and stories.csv into out_dir from the database."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = StoryDB(db_path)
    try:
        funnel = load_funnel(db)
        stories = load_stories(db, report_filter)
    finally:
        db.close()
    generated = now or datetime.now(UTC)
    markdown = render_markdown(stories, funnel, min_stories=min_stories, generated=generated)
    files = [out / "report.md", out / "stories.json", out / "stories.csv"]
    files[0].write_text(markdown, encoding="utf-8")
    write_json(stories, files[1])
    write_csv(stories, files[2])
    return ReportResult(len(stories), funnel, files, len(stories) < min_stories)
