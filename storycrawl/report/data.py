"""What the report shows, read from SQLite only: the funnel, the stories, the breakdowns."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storycrawl import registry
from storycrawl.report.reader import ReportReader

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
        """SQL conditions over the stories table (alias `s`), and their parameters."""
        clauses, params = ["1 = 1"], []
        if self.since:
            clauses.append("s.published >= ?")
            params.append(self.since.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if self.until:
            clauses.append("s.published < ?")
            params.append(self.until.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if self.source_type:
            clauses.append("s.source_type = ?")
            params.append(self.source_type)
        if self.source:
            clauses.append("(s.source = ? or s.sources like ?)")
            params.extend([self.source, f'%"{self.source}"%'])
        if self.min_confidence:
            clauses.append("s.confidence >= ?")
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


def load_funnel(reader: ReportReader) -> Funnel:
    funnel = Funnel()
    conn = reader.conn
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


@dataclass
class Breakdowns:
    by_type: dict[str, int]
    by_place: dict[str, int]
    by_platform: dict[str, int]
    by_month: dict[str, dict[str, int]]  # month -> type -> count
    concentrated: list[tuple[str, int, float]]  # places above the share limit


class Tally:
    """The breakdowns, counted one story at a time (the stories are streamed, never held)."""

    def __init__(self) -> None:
        self.total = 0
        self.by_type: Counter[str] = Counter()
        self.by_place: Counter[str] = Counter()
        self.by_platform: Counter[str] = Counter()
        self.by_month: dict[str, Counter[str]] = {}

    def add(self, story: dict[str, Any]) -> None:
        self.total += 1
        kind = story.get("source_type") or "unknown"
        self.by_type[kind] += 1
        self.by_place[story["place"]] += 1
        self.by_platform[platform_of(story)] += 1
        self.by_month.setdefault(story["month"], Counter())[kind] += 1

    def breakdowns(self, max_share: float) -> Breakdowns:
        total = max(1, self.total)
        concentrated = [
            (place, count, count / total)
            for place, count in self.by_place.most_common()
            if count / total > max_share
        ]
        return Breakdowns(
            by_type=dict(self.by_type.most_common()),
            by_place=dict(self.by_place.most_common()),
            by_platform=dict(self.by_platform.most_common()),
            by_month={m: dict(self.by_month[m]) for m in sorted(self.by_month, reverse=True)},
            concentrated=concentrated if self.total >= 10 else [],
        )


def display_fields(story: dict[str, Any], number: int) -> dict[str, Any]:
    """The fields every view of a story shows, added to the row read from the DB."""
    story["number"] = number
    story["month"] = (story.get("published") or "")[:7] or "undated"
    story["place"] = place_of(story)
    story["where"] = where_label(story)
    return story


@dataclass
class Origin:
    """Where the stories came from, as the runs table records it."""

    runs: int = 0
    replay_runs: int = 0

    @property
    def replay_only(self) -> bool:
        return self.runs > 0 and self.replay_runs == self.runs

    def notice(self) -> str:
        """A plain-words headline about replayed data; empty for live crawls."""
        if not self.replay_runs:
            return ""
        if self.replay_only:
            return (
                "Demo data: every story here comes from a replay of storycrawl's recorded web "
                "(tests/fixtures/web), which is made of synthetic test pages written for the "
                "project's tests. The people, companies, quotes and links are invented: do not "
                "cite or forward them as research."
            )
        return (
            f"Mixed data: {self.replay_runs} of {self.runs} crawls in this database replayed "
            "storycrawl's recorded web (synthetic test pages, not real stories); the stories "
            "they stored are invented and sit beside real ones."
        )


def load_origin(reader: ReportReader) -> Origin:
    origin = Origin()
    for (stats_json,) in reader.execute("select stats from runs"):
        origin.runs += 1
        try:
            stats = json.loads(stats_json or "{}")
        except json.JSONDecodeError:
            continue
        if isinstance(stats, dict) and any(key.startswith("storycrawl/replay/") for key in stats):
            origin.replay_runs += 1
    return origin


@dataclass
class Health:
    """What the latest crawl could reach, from its stats (`storycrawl/health/...`)."""

    status: str | None = None  # ok, partial, unreachable; None when the crawl did not record it
    when: str = ""
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, what failed)

    def notice(self) -> str:
        if self.status not in ("partial", "unreachable"):
            return ""
        what = "; ".join(f"{source}: {detail}" for source, detail in self.failed) or "no detail"
        if self.status == "unreachable":
            return f"No source could be reached in the last crawl ({self.when}): {what}."
        return f"Some sources could not be reached in the last crawl ({self.when}): {what}."


def _failures(part: Any) -> list[str]:
    if not isinstance(part, dict):
        return []
    examples = part.get("examples") if isinstance(part.get("examples"), dict) else {}
    out = []
    for kind, count in (part.get("failed") or {}).items():
        example = examples.get(kind)
        out.append(f"{kind} ×{count}" + (f" ({example})" if example else ""))
    return out


def load_health(reader: ReportReader) -> Health:
    row = reader.execute(
        "select started_at, stats from runs where stats is not null "
        "order by started_at desc limit 1"
    ).fetchone()
    if not row:
        return Health()
    try:
        stats = json.loads(row[1])
    except (json.JSONDecodeError, TypeError):
        return Health()
    if not isinstance(stats, dict) or "storycrawl/health/status" not in stats:
        return Health()
    health = Health(str(stats["storycrawl/health/status"]), (row[0] or "")[:16].replace("T", " "))
    sources = stats.get("storycrawl/health/sources")
    for name, info in sources.items() if isinstance(sources, dict) else []:
        if not isinstance(info, dict) or info.get("status") not in ("failed", "unreachable"):
            continue
        failures = _failures(info.get("api")) + _failures(info.get("articles"))
        health.failed.append((str(name), ", ".join(failures[:3]) or str(info.get("status"))))
    return health
