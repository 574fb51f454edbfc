"""`scrapy review`: a seeded random sample of stories, a verdict per story, stored in `reviews`.

A verdict says what the story truly is (see storycrawl/report/audit.py): the report then
overrides the classifier's decision with it and states the audited precision. Two ways to give
verdicts: one key per story in a terminal, or a CSV round trip (export, fill the `verdict`
column in a spreadsheet, import).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from storycrawl.db import StoryStore, utcnow_iso
from storycrawl.report.audit import VERDICTS
from storycrawl.report.reader import ReportReader
from storycrawl.report.rows import evidence_of, one_line
from storycrawl.report.safety import clean, csv_cell

# One key per verdict in the terminal.
KEYS = {
    "c": "correct",
    "a": "not_ai_engineer",
    "f": "not_first_hand",
    "j": "job_posting",
    "t": "wrong_type",
    "s": "skip",
}
PROMPT = (
    "[c] correct  [a] not an AI engineer  [f] not first-hand  [j] job posting  "
    "[t] wrong type  [s] skip  [q] quit"
)
CSV_COLUMNS = [
    "url", "title", "published", "source", "source_type", "role", "confidence", "included",
    "quote", "summary", "verdict", "note",
]  # fmt: skip
SHOWN = {
    "url": "url", "title": "title", "published": "published", "source": "source",
    "source_type": "source_type", "role": "role", "confidence": "confidence", "include": "include",
    "evidence": "evidence", "summary": "summary", "classifier": "classifier",
    "is_first_hand": "is_first_hand", "head": "substr(text, 1, 4000)",
}  # fmt: skip


@dataclass
class ImportResult:
    stored: int
    blank: int
    errors: list[str]


def sample(db_path: Path, n: int, seed: int, rejected: bool = False) -> list[dict[str, Any]]:
    """n included stories drawn at random with the seed (the same seed, the same sample), and
    with `rejected` n classified stories that were left out too; previous verdicts attached."""
    reader = ReportReader(db_path)
    try:
        groups = [1, 0] if rejected else [1]
        chosen: list[str] = []
        for include in groups:
            urls = [u for (u,) in reader.execute(
                "select url from stories where include = ? order by url", [include]
            )]  # fmt: skip
            rng = random.Random(f"{seed}:{include}")
            chosen += rng.sample(urls, min(n, len(urls)))
        stories = []
        for url in chosen:
            columns = ", ".join(f"{sql} as {name}" for name, sql in SHOWN.items())
            row = reader.execute(f"select {columns} from stories where url = ?", [url]).fetchone()
            story = dict(zip(SHOWN, row, strict=True))
            story["verdict"], story["note"] = "", ""
            if reader.has("reviews"):
                old = reader.execute(
                    "select verdict, note from reviews where url = ?", [url]
                ).fetchone()
                if old:
                    story["verdict"], story["note"] = old[0] or "", old[1] or ""
            stories.append(story)
        return stories
    finally:
        reader.close()


def store(db_path: Path, verdicts: Iterable[tuple[dict[str, Any], str, str]], seed: int) -> int:
    """Write (story, verdict, note) rows into `reviews`, one per URL (the latest wins)."""
    rows = [
        {
            "url": story["url"], "verdict": verdict, "note": note or None,
            "reviewed_at": utcnow_iso(), "seed": seed,
            "was_include": int(bool(story.get("include"))),
            "was_role": story.get("role"), "was_source_type": story.get("source_type"),
            "was_classifier": story.get("classifier"),
        }
        for story, verdict, note in verdicts
    ]  # fmt: skip
    db = StoryStore(db_path)
    try:
        if rows:
            db.write(lambda: db.db.table("reviews").upsert_all(rows, pk="url"))
    finally:
        db.close()
    return len(rows)


def card(story: dict[str, Any], index: int, total: int) -> str:
    """What the reviewer sees of one story."""
    evidence = evidence_of(story)
    included = "included" if story.get("include") else "left out"
    confidence = story.get("confidence")
    role = f"{story.get('role')}" + (f" ({confidence:.2f})" if confidence is not None else "")
    lines = [
        f"── {index}/{total} ({included}) " + "─" * 40,
        f"Title:   {story.get('title') or ''}",
        f"Link:    {story['url']}",
        f"Date:    {(story.get('published') or 'undated')[:10]}",
        f"Type:    {story.get('source_type')}    Role: {role}",
        f"Quote:   {evidence.quote or '—'}",
        f"Summary: {one_line(story)}",
    ]
    if story.get("verdict"):
        lines.append(f"Earlier verdict: {story['verdict']}")
    return "\n".join(clean(line) for line in lines)


def terminal_review(
    stories: list[dict[str, Any]], read_key: Callable[[], str], out: TextIO
) -> tuple[list[tuple[dict[str, Any], str, str]], bool]:
    """Show each story and read one key; returns the verdicts given and whether the user quit."""
    given = []
    for index, story in enumerate(stories, 1):
        out.write(card(story, index, len(stories)) + "\n" + PROMPT + "\n> ")
        out.flush()
        while True:
            key = read_key().lower()
            if key in ("q", "\x03", "\x04", ""):
                out.write("quit\n")
                return given, True
            if key in KEYS:
                out.write(KEYS[key] + "\n\n")
                given.append((story, KEYS[key], ""))
                break
        out.flush()
    return given, False


def export_csv(stories: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for story in stories:
            evidence = evidence_of(story)
            row = {
                "url": story["url"], "title": story.get("title"), "published": story.get("published"),
                "source": story.get("source"), "source_type": story.get("source_type"),
                "role": story.get("role"), "confidence": story.get("confidence"),
                "included": "yes" if story.get("include") else "no", "quote": evidence.quote,
                "summary": one_line(story), "verdict": story.get("verdict") or "",
                "note": story.get("note") or "",
            }  # fmt: skip
            writer.writerow(
                {k: csv_cell(clean(v)) if v is not None else "" for k, v in row.items()}
            )


def import_csv(db_path: Path, path: Path, seed: int) -> ImportResult:
    """Verdicts from a filled-in export: blank verdicts are not reviewed yet; a bad verdict or
    an unknown URL is reported with its line number and skipped."""
    reader = ReportReader(db_path)
    verdicts, errors, blank = [], [], 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = csv.DictReader(handle)
            missing = {"url", "verdict"} - set(rows.fieldnames or [])
            if missing:
                return ImportResult(0, 0, [f"{path}: no {' or '.join(sorted(missing))} column"])
            for line, row in enumerate(rows, start=2):
                verdict = (row.get("verdict") or "").strip().lower().replace(" ", "_")
                if not verdict:
                    blank += 1
                    continue
                if verdict not in VERDICTS:
                    errors.append(
                        f"{path}:{line}: unknown verdict {verdict!r} (use {', '.join(VERDICTS)})"
                    )
                    continue
                url = (row.get("url") or "").strip()
                found = reader.execute(
                    "select url, include, role, source_type, classifier from stories where url = ?",
                    [url],
                ).fetchone()
                if not found:
                    errors.append(f"{path}:{line}: no story with url {url!r} in {db_path}")
                    continue
                story = dict(
                    zip(["url", "include", "role", "source_type", "classifier"], found, strict=True)
                )
                verdicts.append((story, verdict, (row.get("note") or "").strip()))
    finally:
        reader.close()
    return ImportResult(store(db_path, verdicts, seed), blank, errors)


# What each verdict says the labels truly are, for `scrapy evaluate --reviews`. A verdict does not
# name the true role of a story that is not an AI engineer's ("other" is scored), nor the true
# source type of a `wrong_type` story (scored as a miss for any prediction of the stored type).
GOLD = {
    "correct": {"include": True, "is_job_posting": False, "is_first_hand": True, "role": "ai_engineer"},
    "wrong_type": {"include": True, "is_job_posting": False, "is_first_hand": True, "role": "ai_engineer"},
    "not_ai_engineer": {"include": False, "is_job_posting": False, "is_first_hand": True, "role": "other"},
    "not_first_hand": {"include": False, "is_job_posting": False, "is_first_hand": False},
    "job_posting": {"include": False, "is_job_posting": True, "is_first_hand": False, "role": "other"},
}  # fmt: skip


def reviewed_rows(db_path: Path) -> list[Any]:
    """The reviewed stories (skips left out) as labelled rows for storycrawl.classify.evaluate:
    their stored text, with the labels their verdict gives."""
    from storycrawl.classify.base import Document
    from storycrawl.classify.evaluate import InputRow

    reader = ReportReader(db_path)
    rows = []
    try:
        if not reader.has("reviews"):
            return []
        found = reader.execute(
            "select s.url, s.title, s.text, s.role, s.source_type, r.verdict from reviews r "
            "join stories s on s.url = r.url where r.verdict != 'skip' order by r.reviewed_at, s.url"
        )
        for line, (url, title, text, role, source_type, verdict) in enumerate(found, 1):
            if verdict not in GOLD or not (text or "").strip():
                continue
            gold = {"role": role, **GOLD[verdict], "url": url, "title": title}
            gold["source_type"] = f"not {source_type}" if verdict == "wrong_type" else source_type
            gold["note"] = f"review verdict: {verdict}"
            rows.append(InputRow(line, gold, Document(url=url, title=title or "", text=text)))
    finally:
        reader.close()
    return rows
