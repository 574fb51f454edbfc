"""Everything the report says above its table, computed before the table is written."""

from __future__ import annotations

from dataclasses import dataclass, field

from storycrawl.report.audit import Audit
from storycrawl.report.data import Breakdowns, Funnel, Health, Origin
from storycrawl.report.llm_synthesis import WrittenSynthesis
from storycrawl.report.practices import Practice
from storycrawl.report.synthesis import Synthesis
from storycrawl.report.themes import TimeSplit

# report.html shows this many rows; all of them are in stories.csv / stories.json (and Datasette).
HTML_ROWS = 2000
# The breakdown of sites and communities lists this many, then "N others".
TOP_PLACES = 25


@dataclass
class ReportContext:
    stories: int
    funnel: Funnel
    origin: Origin
    synthesis: Synthesis
    parts: Breakdowns
    audit: Audit
    generated: str
    min_stories: int
    filters: str = ""
    practices: list[Practice] = field(default_factory=list)
    practices_read: int = 0
    time_splits: list[TimeSplit] = field(default_factory=list)
    classifiers: dict[str, int] = field(default_factory=dict)
    quote_failures: int = 0
    html_rows: int = HTML_ROWS
    health: Health = field(default_factory=Health)
    written: WrittenSynthesis | None = None  # the LLM's synthesis, when one is configured

    def classifier_line(self) -> str:
        if not self.classifiers:
            return ""
        parts = [f"{name} ({count})" for name, count in self.classifiers.items()]
        return "Labelled by: " + ", ".join(parts) + "."

    def warnings(self) -> list[str]:
        lines = []
        if self.health.notice():
            lines.append(self.health.notice())
        if self.stories < self.min_stories:
            lines.append(
                f"Only {self.stories} stories are included, fewer than the {self.min_stories} "
                "asked for."
            )
        for place, count, share in self.parts.concentrated:
            lines.append(
                f"{place} holds {count} of {self.stories} stories ({share:.0%}): the picture "
                "leans on one community."
            )
        return lines

    def top_places(self) -> tuple[list[tuple[str, int]], int, int]:
        """The TOP_PLACES largest sites, and how many others hold how many stories."""
        items = list(self.parts.by_place.items())
        rest = items[TOP_PLACES:]
        return items[:TOP_PLACES], len(rest), sum(c for _, c in rest)
