"""What AI engineers do, as counts of the codebook over the included stories.

Every statement carries the table rows (#) that support it: a code counts for a story when the
story's labels carry it (the LLM's codes, or the heuristic's codebook matches). Tool names are
grouped case-insensitively. The narrative is a template filled from these counts only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from storycrawl.classify.codebook import ACTIVITIES, RESPONSIBILITIES, label_of


@dataclass
class Finding:
    key: str
    label: str
    rows: list[int]  # table numbers of the stories that support it
    share: float

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
        Finding(k, labels.get(k, k), sorted(rows), len(rows) / total) for k, rows in ordered if rows
    ]
    return findings[:top] if top else findings


def synthesize(stories: list[dict[str, Any]], top_tools: int = 15) -> Synthesis:
    total = len(stories)
    if not total:
        return Synthesis(stories=0)
    responsibilities: dict[str, list[int]] = {code.key: [] for code in RESPONSIBILITIES}
    activities: dict[str, list[int]] = {code.key: [] for code in ACTIVITIES}
    tools: dict[str, list[int]] = {}
    spellings: dict[str, Counter] = {}
    for story in stories:
        number = story["number"]
        for key in dict.fromkeys(story.get("responsibilities") or []):
            responsibilities.setdefault(key, []).append(number)
        for key in dict.fromkeys(story.get("activities") or []):
            activities.setdefault(key, []).append(number)
        for name in dict.fromkeys((t or "").strip() for t in story.get("tools") or []):
            if not name:
                continue
            group = name.lower()
            if number not in tools.setdefault(group, []):
                tools[group].append(number)
            spellings.setdefault(group, Counter())[name] += 1
    labels = {code.key: label_of(code.key) for code in (*RESPONSIBILITIES, *ACTIVITIES)}
    tool_labels = {group: names.most_common(1)[0][0] for group, names in spellings.items()}
    return Synthesis(
        stories=total,
        responsibilities=_findings(responsibilities, total, labels),
        activities=_findings(activities, total, labels),
        tools=_findings(tools, total, tool_labels, top=top_tools),
        by_role_type=dict(Counter(story.get("source_type") or "unknown" for story in stories)),
    )
