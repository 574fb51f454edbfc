"""What AI engineers do: the codebook's codes over the included stories, counted as they stream.

Every statement carries the table rows (#) that support it: a code counts for a story when the
story's labels carry it (the LLM's codes, or the heuristic's codebook matches). Tool names are
grouped case-insensitively. Counting is linear: each story adds its number once per code (a set
guards the tools, whose names repeat in many spellings).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from storycrawl.classify.codebook import ACTIVITIES, RESPONSIBILITIES, label_of


@dataclass
class Quote:
    number: int  # the story's row in the table
    url: str
    text: str  # a sentence copied from the story's stored text (checked to be in it)


@dataclass
class Finding:
    key: str
    label: str
    rows: list[int]  # table numbers of the stories that support it
    share: float
    quotes: list[Quote] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class Synthesis:
    stories: int
    responsibilities: list[Finding] = field(default_factory=list)
    activities: list[Finding] = field(default_factory=list)
    tools: list[Finding] = field(default_factory=list)
    by_role_type: dict[str, int] = field(default_factory=dict)

    def narrative(self) -> list[str]:
        """Templated sentences, each ending with its citations."""
        if not self.stories:
            return []
        lines = []
        top = self.responsibilities[:3]
        if top:
            parts = [
                f"{f.label.lower()} ({f.count} of {self.stories}, {f.share:.0%}) {cite(f.rows)}"
                for f in top
            ]
            lines.append(f"The work these engineers describe most is {join(parts)}.")
        acts = self.activities[:3]
        if acts:
            parts = [f"{f.label.lower()} ({f.count}) {cite(f.rows)}" for f in acts]
            lines.append(f"Day to day, the stories talk about {join(parts)}.")
        tools = self.tools[:5]
        if tools:
            parts = [f"{f.label} ({f.count}) {cite(f.rows)}" for f in tools]
            lines.append(f"The tools named most often are {join(parts)}.")
        return lines

    def findings(self) -> list[Finding]:
        return [*self.responsibilities, *self.activities]


def cite(rows: list[int], most: int = 6) -> str:
    shown = ", ".join(f"#{n}" for n in rows[:most])
    more = f" and {len(rows) - most} more" if len(rows) > most else ""
    return f"[{shown}{more}]"


def join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _findings(
    counts: dict[str, list[int]], total: int, labels: dict[str, str], top: int | None = None
) -> list[Finding]:
    ordered = sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    findings = [
        Finding(k, labels.get(k, k), rows, len(rows) / total) for k, rows in ordered if rows
    ]
    return findings[:top] if top else findings


class Coder:
    """Codes and tools per story, added one story at a time in table order."""

    def __init__(self) -> None:
        self.total = 0
        self.responsibilities: dict[str, list[int]] = {c.key: [] for c in RESPONSIBILITIES}
        self.activities: dict[str, list[int]] = {c.key: [] for c in ACTIVITIES}
        self.tools: dict[str, list[int]] = {}
        self.spellings: dict[str, Counter[str]] = {}
        self.types: Counter[str] = Counter()

    def add(self, story: dict[str, Any]) -> None:
        self.total += 1
        number = story["number"]
        self.types[story.get("source_type") or "unknown"] += 1
        for key in dict.fromkeys(story.get("responsibilities") or []):
            self.responsibilities.setdefault(key, []).append(number)
        for key in dict.fromkeys(story.get("activities") or []):
            self.activities.setdefault(key, []).append(number)
        groups: set[str] = set()
        for name in story.get("tools") or []:
            name = (name or "").strip() if isinstance(name, str) else ""
            if not name:
                continue
            group = name.lower()
            self.spellings.setdefault(group, Counter())[name] += 1
            if group not in groups:
                groups.add(group)
                self.tools.setdefault(group, []).append(number)

    def synthesis(self, top_tools: int = 15) -> Synthesis:
        if not self.total:
            return Synthesis(stories=0)
        labels = {code.key: label_of(code.key) for code in (*RESPONSIBILITIES, *ACTIVITIES)}
        tool_labels = {group: names.most_common(1)[0][0] for group, names in self.spellings.items()}
        return Synthesis(
            stories=self.total,
            responsibilities=_findings(self.responsibilities, self.total, labels),
            activities=_findings(self.activities, self.total, labels),
            tools=_findings(self.tools, self.total, tool_labels, top=top_tools),
            by_role_type=dict(self.types),
        )


def synthesize(stories: list[dict[str, Any]], top_tools: int = 15) -> Synthesis:
    """The synthesis of numbered stories held in memory (tests, small inputs)."""
    coder = Coder()
    for story in stories:
        coder.add(story)
    return coder.synthesis(top_tools)
