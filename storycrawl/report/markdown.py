"""report.md: headline funnel, what AI engineers do, breakdowns, and the stories newest first."""

from __future__ import annotations

import re
from typing import Any

from storycrawl.report.data import Breakdowns, Funnel, reason_label
from storycrawl.report.synthesis import Synthesis, cite


def md_escape(text: str) -> str:
    """Text safe inside a Markdown table cell or link label."""
    text = re.sub(r"\s+", " ", text or "").strip()
    return re.sub(r"([\\`*_\[\]|<>#])", r"\\\1", text)


def _date(story: dict[str, Any]) -> str:
    return (story.get("published") or "")[:10] or "undated"


def _discussions(story: dict[str, Any]) -> str:
    links = []
    for thread in story.get("discussions") or []:
        label = md_escape(thread.get("site") or "thread")
        extra = []
        if thread.get("points") is not None:
            extra.append(f"{thread['points']} pts")
        if thread.get("comments") is not None:
            extra.append(f"{thread['comments']} comments")
        suffix = f" ({', '.join(extra)})" if extra else ""
        links.append(f"[{label}]({thread['url']}){suffix}")
    return "; ".join(links) or "—"


def headline_lines(funnel: Funnel, shown: int) -> list[str]:
    lines = [
        f"- Crawls recorded: {funnel.runs}; pages fetched: {funnel.pages_fetched}",
        f"- Candidates reached: {funnel.candidates}",
        f"- Rejected: {funnel.rejected_total}",
    ]
    for reason, count in funnel.rejected.items():
        lines.append(f"  - {reason_label(reason)}: {count}")
    lines.append(
        f"- **Included: {funnel.included}**"
        + (f" (in this report: {shown})" if shown != funnel.included else "")
    )
    return lines


def render_markdown(
    stories: list[dict[str, Any]],
    funnel: Funnel,
    synthesis: Synthesis,
    parts: Breakdowns,
    *,
    min_stories: int,
    generated: str,
    filters: str = "",
) -> str:
    lines = ["# AI engineers at work: first-hand stories", ""]
    scope = f" Showing stories {filters}." if filters else ""
    lines += [f"Generated {generated} from the storycrawl database.{scope}", ""]
    if len(stories) < min_stories:
        lines += [
            (
                f"> **Warning:** only {len(stories)} stories are included, fewer than the {min_stories} asked "
                "for. Crawl more sources or widen the window (`-a since=...`) before relying on this report."
            ),
            "",
        ]
    for place, count, share in parts.concentrated:
        lines += [
            f"> **Warning:** {md_escape(place)} holds {count} of {len(stories)} stories ({share:.0%}): the picture leans on one community.",
            "",
        ]
    lines += ["## Headline", "", *headline_lines(funnel, len(stories)), ""]

    lines += ["## What AI engineers do", ""]
    if synthesis.stories:
        lines += [
            f"From the {synthesis.stories} stories in the table below; `#n` are their rows.",
            "",
        ]
        for sentence in synthesis.narrative():
            lines += [sentence, ""]
        for title, findings in (
            ("Core responsibilities", synthesis.responsibilities),
            ("Daily activities", synthesis.activities),
            ("Tools", synthesis.tools),
        ):
            lines += [f"### {title}", "", "| | stories | share | rows |", "|---|---:|---:|---|"]
            for finding in findings:
                lines.append(
                    f"| {md_escape(finding.label)} | {finding.count} | {finding.share:.0%} | {cite(finding.rows, most=12)} |"
                )
            lines.append("")
    else:
        lines += ["No stories yet.", ""]

    lines += ["## Breakdowns", "", "| type | stories |", "|---|---:|"]
    lines += [f"| {kind} | {count} |" for kind, count in parts.by_type.items()]
    lines += ["", "| platform or site | stories |", "|---|---:|"]
    lines += [
        f"| {md_escape(place)} | {count} |" for place, count in list(parts.by_place.items())[:25]
    ]
    if len(parts.by_place) > 25:
        lines.append(
            f"| {len(parts.by_place) - 25} others | {sum(list(parts.by_place.values())[25:])} |"
        )
    kinds = ["social", "personal", "company"]
    lines += [
        "",
        "| month | " + " | ".join(kinds) + " | all |",
        "|---|" + "---:|" * (len(kinds) + 1),
    ]
    for month, counts in parts.by_month.items():
        lines.append(
            f"| {month} | "
            + " | ".join(str(counts.get(k, 0)) for k in kinds)
            + f" | {sum(counts.values())} |"
        )
    lines.append("")

    lines += ["## Stories", ""]
    if not stories:
        lines += ["No stories are included yet.", ""]
        return "\n".join(lines)
    lines += [
        "| # | Date | Story | Source | Type | Role (confidence) | Summary | Evidence | Discussions |",
        "|---:|---|---|---|---|---|---|---|---|",
    ]
    for story in stories:
        title = md_escape(story.get("title") or story["url"])
        confidence = story.get("confidence")
        role = (
            f"{story.get('role')} ({confidence:.2f})"
            if confidence is not None
            else str(story.get("role"))
        )
        lines.append(
            f"| {story['number']} | {_date(story)} | [{title}]({story['url']}) | {md_escape(story['where'])} "
            f"| {story.get('source_type')} | {role} | {md_escape(story['one_line'])} "
            f"| {md_escape(story.get('evidence') or '')} | {_discussions(story)} |"
        )
    lines.append("")
    return "\n".join(lines)
