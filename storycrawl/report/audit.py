"""Audited precision: what the reviews say about the included stories (`scrapy review`).

A review's verdict says what the story truly is: `correct` (a first-hand AI engineer's story, not
a job posting), `not_ai_engineer`, `not_first_hand`, `job_posting`, `wrong_type` (a correct
story whose source type is wrong) or `skip`. Precision is the share of reviewed, sampled included
stories confirmed (`correct` or `wrong_type`), with a 95 % Wilson score interval.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from storycrawl.report.reader import ReportReader

VERDICTS = ("correct", "not_ai_engineer", "not_first_hand", "job_posting", "wrong_type", "skip")
CONFIRMED = ("correct", "wrong_type")
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (95 % by default)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Precision:
    confirmed: int
    reviewed: int

    def line(self, what: str = "sampled stories") -> str:
        low, high = wilson(self.confirmed, self.reviewed)
        share = self.confirmed / self.reviewed
        return (
            f"{self.confirmed} of {self.reviewed} {what} confirmed "
            f"({share:.2f}, 95 % CI {low:.2f}–{high:.2f}, Wilson)"
        )


@dataclass
class Audit:
    overall: Precision | None = None
    by_source: dict[str, Precision] = field(default_factory=dict)
    by_type: dict[str, Precision] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)
    removed: int = 0  # included stories a review took out of the report
    added: int = 0  # left-out stories a review put in
    wrong_type: int = 0
    rejected_reviewed: int = 0

    def headline(self) -> str:
        if not self.overall:
            return "Audited precision: no reviews yet (run `scrapy review`)."
        return f"Audited precision: {self.overall.line()}."


def load_audit(reader: ReportReader) -> Audit:
    audit = Audit()
    if not reader.has("reviews"):
        return audit
    totals: Counter[str] = Counter()
    per_source: dict[str, Counter[str]] = {}
    per_type: dict[str, Counter[str]] = {}
    rows = reader.execute(
        "select r.verdict, r.was_include, s.include, s.source, s.source_type "
        "from reviews r join stories s on s.url = r.url"
    )
    for verdict, was_include, include, source, source_type in rows:
        audit.verdicts[verdict] = audit.verdicts.get(verdict, 0) + 1
        sampled_included = bool(include if was_include is None else was_include)
        if verdict == "skip":
            continue
        if not sampled_included:
            audit.rejected_reviewed += 1
            audit.added += verdict in CONFIRMED
            continue
        confirmed = verdict in CONFIRMED
        audit.removed += not confirmed
        audit.wrong_type += verdict == "wrong_type"
        for counter in (
            totals,
            per_source.setdefault(source or "unknown", Counter()),
            per_type.setdefault(source_type or "unknown", Counter()),
        ):
            counter["reviewed"] += 1
            counter["confirmed"] += confirmed
    if totals["reviewed"]:
        audit.overall = Precision(totals["confirmed"], totals["reviewed"])
        audit.by_source = {
            k: Precision(c["confirmed"], c["reviewed"]) for k, c in sorted(per_source.items())
        }
        audit.by_type = {
            k: Precision(c["confirmed"], c["reviewed"]) for k, c in sorted(per_type.items())
        }
    return audit
