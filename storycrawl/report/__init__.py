"""The report: from the SQLite file alone (opened read-only) to report.md, report.html and
stories.json / .csv.

Two streamed passes over the included stories, without their text: the first counts
(breakdowns, codes, tools) and picks the few stories to quote; the second writes every file row
by row. Full text is read only for the stories quoted and the practices' sample.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storycrawl.classify.llm_config import LlmConfig
from storycrawl.db import StoryStore
from storycrawl.report import html as html_page
from storycrawl.report import markdown
from storycrawl.report.audit import load_audit
from storycrawl.report.context import HTML_ROWS, ReportContext
from storycrawl.report.data import (
    Breakdowns,
    Funnel,
    ReportFilter,
    Tally,
    display_fields,
    load_funnel,
    load_health,
    load_origin,
)
from storycrawl.report.exports import CsvWriter, JsonWriter
from storycrawl.report.llm_synthesis import MAP_STORIES, WrittenSynthesis, synthesize_with_llm
from storycrawl.report.practices import SAMPLE, TEXT_CHARS, find_practices
from storycrawl.report.reader import NotAStorycrawlDB, ReportReader
from storycrawl.report.rows import evidence_of, one_line
from storycrawl.report.safety import clean_story
from storycrawl.report.synthesis import Coder, Synthesis
from storycrawl.report.themes import QuoteCandidates, attach_quotes, time_splits

__all__ = ["DEFAULT_MAX_SHARE", "NotAStorycrawlDB", "ReportResult", "build_report"]

# A site or community holding more than this share of the stories gets a warning.
DEFAULT_MAX_SHARE = 0.25
# How much of a story's text the report reads to choose a summary when none is stored.
SUMMARY_HEAD = 4000


@dataclass
class ReportResult:
    stories: int
    funnel: Funnel
    synthesis: Synthesis
    breakdowns: Breakdowns
    files: list[Path]
    below_minimum: bool
    context: ReportContext


def _stream(reader: ReportReader, where: str, params: list, head_chars: int = 0):
    for number, story in enumerate(reader.stories(where, params, head_chars=head_chars), 1):
        story = display_fields(clean_story(story), number)
        if head_chars:  # the table's columns, computed once for every file
            story["one_line"] = one_line(story)
            story["evidence_parts"] = evidence_of(story)
            story.pop("head", None)
        yield story


def build_report(
    db_path: str | Path,
    out_dir: str | Path,
    *,
    min_stories: int = 100,
    report_filter: ReportFilter | None = None,
    max_share: float = DEFAULT_MAX_SHARE,
    now: datetime | None = None,
    html_rows: int = HTML_ROWS,
    llm: LlmConfig | None = None,
) -> ReportResult:
    """Write report.md, report.html, stories.json and stories.csv into out_dir; with `llm`, add
    the model's written synthesis (its answers cached in the database's llm_cache table)."""
    reader = ReportReader(db_path)  # raises NotAStorycrawlDB before anything is written
    try:
        return _build(reader, Path(out_dir), min_stories, report_filter or ReportFilter(),
                      max_share, now, html_rows, llm)  # fmt: skip
    finally:
        reader.close()


def _written(reader: ReportReader, llm: LlmConfig, numbers: dict[str, int]) -> WrittenSynthesis:
    """The LLM's synthesis over an evenly spread sample of the included stories."""
    ordered = sorted(numbers.items(), key=lambda kv: kv[1])
    step = max(1, len(ordered) // MAP_STORIES)
    chosen = ordered[::step][:MAP_STORIES]
    texts = reader.texts(url for url, _ in chosen)
    titles = dict(reader.execute(
        f"select url, title from stories where url in ({','.join('?' for _ in chosen)})",
        [url for url, _ in chosen],
    )) if chosen else {}  # fmt: skip
    stories = [(n, titles.get(url) or "", texts.get(url, "")) for url, n in chosen]
    store = StoryStore(reader.path)  # the LLM cache is the one write a report makes
    try:
        return synthesize_with_llm(llm, store, [s for s in stories if s[2].strip()])
    finally:
        store.close()


def _build(reader, out, min_stories, report_filter, max_share, now, html_rows, llm) -> ReportResult:
    filter_sql, params = report_filter.where()
    where = f"{reader.included_clause()} and {filter_sql}"
    # Pass 1: count, and remember which stories to quote and to read for practices.
    tally, coder, candidates = Tally(), Coder(), QuoteCandidates()
    classifiers: Counter[str] = Counter()
    numbers: dict[str, int] = {}
    for story in _stream(reader, where, params):
        tally.add(story)
        coder.add(story)
        candidates.add(story)
        classifiers[story.get("classifier") or "unknown"] += 1
        numbers[story["url"]] = story["number"]
    synthesis = coder.synthesis()
    texts = reader.texts(candidates.urls())
    failures = attach_quotes(synthesis.findings(), candidates, texts)
    practices, practices_read = _practices(reader, numbers, filter_sql, params)
    ctx = ReportContext(
        stories=tally.total,
        funnel=load_funnel(reader),
        origin=load_origin(reader),
        synthesis=synthesis,
        parts=tally.breakdowns(max_share),
        audit=load_audit(reader),
        generated=(now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        min_stories=min_stories,
        filters=report_filter.describe(),
        practices=practices,
        practices_read=practices_read,
        time_splits=time_splits(reader, where, params, numbers),
        classifiers=dict(classifiers.most_common()),
        quote_failures=failures,
        html_rows=html_rows,
        health=load_health(reader),
        written=_written(reader, llm, numbers) if llm and numbers else None,
    )
    # Pass 2: every file, row by row.
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "report.md", out / "report.html", out / "stories.json", out / "stories.csv"]
    with (
        files[0].open("w", encoding="utf-8") as md,
        files[1].open("w", encoding="utf-8") as html,
        files[2].open("w", encoding="utf-8") as js,
        files[3].open("w", encoding="utf-8", newline="") as csv_file,
    ):
        json_writer, csv_writer = JsonWriter(js), CsvWriter(csv_file)
        md.write(markdown.head(ctx))
        html.write(html_page.head(ctx))
        for story in _stream(reader, where, params, head_chars=SUMMARY_HEAD):
            md.write(markdown.row(story))
            if story["number"] <= html_rows:
                html.write(html_page.row(story))
            json_writer.write(story)
            csv_writer.write(story)
        html.write(html_page.TAIL)
        json_writer.close()
    return ReportResult(ctx.stories, ctx.funnel, synthesis, ctx.parts, files,
                        ctx.stories < min_stories, ctx)  # fmt: skip


def _practices(reader: ReportReader, numbers: dict[str, int], filter_sql: str, params: list):
    """Recurring practices in a bounded, evenly spread sample of the included stories, measured
    against a sample of the classified stories that were left out."""
    ordered = sorted(numbers.items(), key=lambda kv: kv[1])
    step = max(1, len(ordered) // SAMPLE)
    sample = ordered[::step][:SAMPLE]
    texts = reader.texts(url for url, _ in sample)
    included = [(number, url, texts.get(url, "")[:TEXT_CHARS]) for url, number in sample]
    background = (
        [
            (text or "")[:TEXT_CHARS]
            for (text,) in reader.execute(
                f"select substr(s.text, 1, {TEXT_CHARS}) from {reader.from_clause()} "
                f"where not {reader.included_clause()} and {filter_sql} limit {SAMPLE}",
                params,
            )
        ]
        if "text" in reader.columns["stories"]
        else []
    )
    return find_practices(included, background)
