"""What the report shows, read from SQLite only: the funnel, the stories, the breakdowns."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storycrawl import registry
from storycrawl.dates import parse_datetime
from storycrawl.db import StoryDB

# Rejection reasons in the order the funnel lists them, with their labels.
REASONS = {
    "job_posting": "job postings",
    "role": "not AI engineers",
    "not_first_hand": "not first-hand (explainers, news, listicles, vendor and course pages)",
    "duplicate": "duplicates (merged into the story they repeat)",
    "fetch_failed": "failed fetches (dead links, not HTML, no text, robots.txt)",
    "too_short": "too short to judge (title-only posts, one-line toots)",
    "out_of_range": "published before the crawl's window",
    "invalid": "invalid items",
}


@dataclass
class Funnel:
    """The report's headline, every number a query on the DB (see `load_funnel`)."""

    runs: int = 0
    pages_fetched: int = 0
    candidates: int = 0
    classified: int = 0
    included: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # reason (role:<role> per role) -> count

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


@dataclass
class ReportFilter:
    since: datetime | None = None
    until: datetime | None = None
    source_type: str | None = None
    source: str | None = None
    min_confidence: float | None = None

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
        if self.min_confidence:
            clauses.append("confidence >= ?")
            params.append(self.min_confidence)
        return " and ".join(clauses), params

    def describe(self) -> str:
        parts = []
        if self.since:
            parts.append(f"published from {self.since.date().isoformat()}")
        if self.until:
            parts.append(f"before {self.until.date().isoformat()}")
        if self.source_type:
            parts.append(f"type {self.source_type}")
        if self.source:
            parts.append(f"source {self.source}")
        if self.min_confidence:
            parts.append(f"with confidence at least {self.min_confidence:g}")
        return ", ".join(parts)


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
        reasons[f"{reason}:{detail}" if reason == "role" and detail else reason] += count
    order = list(REASONS)
    funnel.rejected = dict(
        sorted(
            reasons.items(),
            key=lambda kv: (
                order.index(kv[0].split(":")[0]) if kv[0].split(":")[0] in order else 99,
                -kv[1],
                kv[0],
            ),
        )
    )
    # Classified stories that were not included are rejection rows too (stage include).
    before_classification = conn.execute(
        "select count(*) from rejections where stage != 'include'"
    ).fetchone()[0]
    funnel.candidates = funnel.classified + before_classification
    return funnel


# Who wrote an own account that is left out, by role.
ROLE_REASONS = {
    "ml_engineer": "written by an ML engineer who trains models",
    "data_scientist": "written by a data scientist",
    "software_engineer": "written by a software engineer (using AI tools, not building on models)",
    "researcher": "written by a researcher",
    "other": "written by someone who is not an engineer (founders, managers, PMs, students)",
}


def reason_label(reason: str) -> str:
    if reason.startswith("role:"):
        role = reason.split(":", 1)[1]
        return ROLE_REASONS.get(role, f"written by a {role.replace('_', ' ')}")
    return REASONS.get(reason, reason.replace("_", " "))


def platform_of(story: dict[str, Any]) -> str:
    return registry.display_name(story.get("source") or "")


def place_of(story: dict[str, Any]) -> str:
    """The community or site a story belongs to: 'r/LLMDevs', 'Hacker News', 'example.com'."""
    site = story.get("site") or ""
    if story.get("source_type") == "social":
        if site.startswith("reddit "):
            return site.removeprefix("reddit ")
        if site in ("", story.get("source"), "hackernews"):
            return platform_of(story)
        return site
    return site or platform_of(story)


def where_label(story: dict[str, Any]) -> str:
    """Platform and community or site, for the table: 'r/LLMDevs (Reddit)', 'x.dev via Hacker News'."""
    place, platform = place_of(story), platform_of(story)
    if story.get("source_type") == "social":
        return place if place == platform else f"{place} ({platform})"
    return f"{place} via {platform}" if platform and platform != place else place


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'])")


def sentences(text: str) -> list[str]:
    return [
        s.strip() for block in (text or "").split("\n") for s in _SENTENCE.split(block) if s.strip()
    ]


def extract_summary(story: dict[str, Any], limit: int = 180) -> str:
    """A one-line summary when no model wrote one: the page's first substantial sentence."""
    if story.get("summary"):
        return story["summary"]
    title = (story.get("title") or "").strip().lower()
    for sentence in sentences(story.get("text") or ""):
        if len(sentence.split()) >= 8 and sentence.lower() != title:
            return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "…"
    return story.get("title") or ""


def load_stories(db: StoryDB, report_filter: ReportFilter | None = None) -> list[dict[str, Any]]:
    """Included stories, newest first (undated last), numbered from 1, with display fields."""
    where, params = (report_filter or ReportFilter()).where()
    stories = list(db.iter_stories(where, params))
    stories.sort(key=_sort_key)
    for number, story in enumerate(stories, start=1):
        story["number"] = number
        story["month"] = (story.get("published") or "")[:7] or "undated"
        story["place"] = place_of(story)
        story["where"] = where_label(story)
        story["one_line"] = extract_summary(story)
    return stories


def _sort_key(story: dict[str, Any]) -> tuple[bool, float, str]:
    when = parse_datetime(story.get("published"))
    return (when is None, -(when.timestamp() if when else 0.0), story["url"])


@dataclass
class Breakdowns:
    by_type: dict[str, int]
    by_place: dict[str, int]
    by_platform: dict[str, int]
    by_month: dict[str, dict[str, int]]  # month -> type -> count
    concentrated: list[tuple[str, int, float]]  # places above the share limit


def breakdowns(stories: list[dict[str, Any]], max_share: float) -> Breakdowns:
    by_type = Counter(s.get("source_type") or "unknown" for s in stories)
    by_place = Counter(s["place"] for s in stories)
    by_platform = Counter(platform_of(s) for s in stories)
    by_month: dict[str, Counter] = {}
    for story in stories:
        by_month.setdefault(story["month"], Counter())[story.get("source_type") or "unknown"] += 1
    total = max(1, len(stories))
    concentrated = [
        (place, count, count / total)
        for place, count in by_place.most_common()
        if count / total > max_share
    ]
    return Breakdowns(
        by_type=dict(by_type.most_common()),
        by_place=dict(by_place.most_common()),
        by_platform=dict(by_platform.most_common()),
        by_month={month: dict(by_month[month]) for month in sorted(by_month, reverse=True)},
        concentrated=concentrated if len(stories) >= 10 else [],
    )
