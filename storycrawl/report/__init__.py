"""The report: from the SQLite file alone to report.md, report.html and stories.json / .csv."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storycrawl.db import StoryDB
from storycrawl.report.data import (
    Breakdowns,
    Funnel,
    ReportFilter,
    breakdowns,
    load_funnel,
    load_stories,
)
from storycrawl.report.exports import write_csv, write_json
from storycrawl.report.html import render_html
from storycrawl.report.markdown import render_markdown
from storycrawl.report.synthesis import Synthesis, synthesize

# A site or community holding more than this share of the stories gets a warning.
DEFAULT_MAX_SHARE = 0.25


@dataclass
class ReportResult:
    stories: int
    funnel: Funnel
    synthesis: Synthesis
    breakdowns: Breakdowns
    files: list[Path]
    below_minimum: bool


def build_report(
    db_path: str | Path,
    out_dir: str | Path,
    *,
    min_stories: int = 100,
    report_filter: ReportFilter | None = None,
    max_share: float = DEFAULT_MAX_SHARE,
    now: datetime | None = None,
) -> ReportResult:
    """Write report.md, report.html, stories.json and stories.csv into out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report_filter = report_filter or ReportFilter()
    db = StoryDB(db_path)
    try:
        funnel = load_funnel(db)
        stories = load_stories(db, report_filter)
    finally:
        db.close()
    synthesis = synthesize(stories)
    parts = breakdowns(stories, max_share)
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    arguments = {
        "min_stories": min_stories,
        "generated": generated,
        "filters": report_filter.describe(),
    }
    files = [out / "report.md", out / "report.html", out / "stories.json", out / "stories.csv"]
    files[0].write_text(
        render_markdown(stories, funnel, synthesis, parts, **arguments), encoding="utf-8"
    )
    files[1].write_text(
        render_html(stories, funnel, synthesis, parts, **arguments), encoding="utf-8"
    )
    write_json(stories, files[2])
    write_csv(stories, files[3])
    return ReportResult(len(stories), funnel, synthesis, parts, files, len(stories) < min_stories)
