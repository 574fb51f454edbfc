"""report.md: what the data is, the headline funnel, what AI engineers do (with their own words),
breakdowns, and the stories newest first, written row by row.

Crawled text is cleaned of control characters and escaped for Markdown; a link is written only
for an http(s) URL (percent-encoded where it would end the link), else the text stands alone.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

from storycrawl.report.context import ReportContext
from storycrawl.report.data import reason_label
from storycrawl.report.rows import evidence_of, one_line
from storycrawl.report.safety import clean, safe_url
from storycrawl.report.synthesis import Finding, Quote, cite


def md_escape(text: Any) -> str:
    """Text safe inside a Markdown table cell or link label."""
    text = re.sub(r"\s+", " ", clean(str(text or ""))).strip()
    return re.sub(r"([\\`*_\[\]|<>#~])", r"\\\1", text)


def md_link(label: Any, url: Any) -> str:
    target = safe_url(url)
    text = md_escape(label)
    return f"[{text}]({target})" if target else text


def _date(story: dict[str, Any]) -> str:
    return (story.get("published") or "")[:10] or "undated"


def _discussions(story: dict[str, Any]) -> str:
    links = []
    for thread in story.get("discussions") or []:
        if not isinstance(thread, dict):
            continue
        extra = []
        if isinstance(thread.get("points"), int):
            extra.append(f"{thread['points']} pts")
        if isinstance(thread.get("comments"), int):
            extra.append(f"{thread['comments']} comments")
        suffix = f" ({', '.join(extra)})" if extra else ""
        links.append(md_link(thread.get("site") or "thread", thread.get("url")) + suffix)
    return "; ".join(links) or "—"


def _quote(quote: Quote) -> str:
    return f"> “{md_escape(quote.text)}” (#{quote.number})"


def headline_lines(ctx: ReportContext) -> list[str]:
    funnel = ctx.funnel
    lines = [
        f"- Crawls recorded: {funnel.runs}; pages fetched: {funnel.pages_fetched}",
        f"- Candidates reached: {funnel.candidates}",
        f"- Rejected: {funnel.rejected_total}",
    ]
    for reason, count in funnel.rejected.items():
        lines.append(f"  - {reason_label(reason)}: {count}")
    lines.append(
        f"- **Included: {funnel.included}**"
        + (f" (in this report: {ctx.stories})" if ctx.stories != funnel.included else "")
    )
    return lines


def _finding_block(finding: Finding) -> list[str]:
    lines = [f"**{md_escape(finding.label)}**: {finding.count} stories {cite(finding.rows)}", ""]
    lines += [_quote(q) for q in finding.quotes] or ["_No sentence to quote._"]
    return [*lines, ""]


def head(ctx: ReportContext) -> str:
    lines = ["# AI engineers at work: first-hand stories", ""]
    if ctx.origin.notice():
        lines += [f"> **{ctx.origin.notice()}**", ""]
    scope = f" Showing stories {md_escape(ctx.filters)}." if ctx.filters else ""
    lines += [f"Generated {ctx.generated} from the storycrawl database.{scope}", ""]
    if ctx.classifier_line():
        lines += [md_escape(ctx.classifier_line()), ""]
    if ctx.health.notice():
        lines += [f"> **Warning:** {md_escape(ctx.health.notice())}", ""]
    if ctx.stories < ctx.min_stories:
        advice = (
            "Fix what failed and crawl again."
            if ctx.health.status == "unreachable"
            else "Crawl more sources or widen the window (`-a since=...`) before relying on "
            "this report."
        )
        lines += [
            (
                f"> **Warning:** only {ctx.stories} stories are included, fewer than the "
                f"{ctx.min_stories} asked for. {advice}"
            ),
            "",
        ]
    for place, count, share in ctx.parts.concentrated:
        lines += [
            (
                f"> **Warning:** {md_escape(place)} holds {count} of {ctx.stories} stories "
                f"({share:.0%}): the picture leans on one community."
            ),
            "",
        ]
    lines += ["## Headline", "", *headline_lines(ctx), ""]
    lines += [f"**{md_escape(ctx.audit.headline())}**", ""]
    if ctx.audit.overall:
        for title, group in (("source", ctx.audit.by_source), ("type", ctx.audit.by_type)):
            for name, precision in group.items():
                lines.append(f"- {title} {md_escape(name)}: {precision.line()}")
        if ctx.audit.removed or ctx.audit.added:
            lines.append(
                f"- Reviews took {ctx.audit.removed} stories out of the report and put "
                f"{ctx.audit.added} in."
            )
        lines.append("")

    lines += ["## What AI engineers do", ""]
    synthesis = ctx.synthesis
    if not synthesis.stories:
        lines += ["No stories yet.", ""]
    else:
        lines += [
            (
                f"From the {synthesis.stories} stories in the table below; `#n` are their "
                "rows. Quotes are sentences copied from the stories' stored text."
            ),
            "",
        ]
        for sentence in synthesis.narrative():
            lines += [sentence, ""]
        if ctx.written:
            lines += [f"### Written synthesis ({md_escape(ctx.written.model)})", ""]
            lines += [md_escape(sentence) for sentence, _ in ctx.written.sentences] or [
                "_No sentence passed verification._"
            ]
            lines += [
                "",
                f"_Checked against the stored text: {md_escape(ctx.written.account())}_",
                "",
            ]
        if ctx.time_splits:
            lines += ["### How they say their time splits", ""]
            lines += [f"> “{md_escape(t.quote)}” (#{t.number})" for t in ctx.time_splits]
            lines.append("")
        for title, findings in (
            ("Core responsibilities", synthesis.responsibilities),
            ("Daily activities", synthesis.activities),
        ):
            lines += [f"### {title}", ""]
            for finding in findings:
                lines += _finding_block(finding)
        if ctx.practices:
            lines += [
                "### Recurring practices",
                "",
                (
                    f"Phrases shared by several of the {ctx.practices_read} stories read and "
                    "rarer in the stories left out, grouped when they occur together:"
                ),
                "",
            ]
            for practice in ctx.practices:
                lines += [
                    (
                        f"**{md_escape(practice.label)}**: {len(practice.rows)} stories "
                        f"{cite(practice.rows)}"
                    ),
                    "",
                    *[_quote(q) for q in practice.quotes],
                    "",
                ]
        lines += ["### Tools", "", "| | stories | share | rows |", "|---|---:|---:|---|"]
        for finding in synthesis.tools:
            lines.append(
                f"| {md_escape(finding.label)} | {finding.count} | {finding.share:.0%} "
                f"| {cite(finding.rows, most=12)} |"
            )
        lines.append("")

    lines += ["## Breakdowns", "", "| type | stories |", "|---|---:|"]
    lines += [f"| {md_escape(k)} | {c} |" for k, c in ctx.parts.by_type.items()]
    shown, others, rest = ctx.top_places()
    lines += ["", "| platform or site | stories |", "|---|---:|"]
    lines += [f"| {md_escape(place)} | {count} |" for place, count in shown]
    if others:
        lines.append(f"| {others} others | {rest} |")
    kinds = ["social", "personal", "company"]
    lines += ["", "| month | " + " | ".join(kinds) + " | all |", "|---|" + "---:|" * 4]
    for month, counts in ctx.parts.by_month.items():
        lines.append(
            f"| {md_escape(month)} | "
            + " | ".join(str(counts.get(k, 0)) for k in kinds)
            + f" | {sum(counts.values())} |"
        )
    lines += ["", "## Stories", ""]
    if not ctx.stories:
        lines += ["No stories are included yet.", ""]
    else:
        lines += [
            "| # | Date | Story | Source | Type | Role (confidence) | Summary | Evidence | Discussions |",
            "|---:|---|---|---|---|---|---|---|---|",
        ]
    return "\n".join(lines) + "\n"


def row(story: dict[str, Any]) -> str:
    confidence = story.get("confidence")
    role = md_escape(story.get("role"))
    if confidence is not None:
        role += f" ({confidence:.2f})"
    evidence = story.get("evidence_parts") or evidence_of(story)
    shown = f"“{evidence.quote}” — {evidence.reason}" if evidence.quote else evidence.reason
    review = " (reviewed)" if story.get("review") else ""
    return (
        f"| {story['number']} | {_date(story)} | "
        f"{md_link(story.get('title') or story['url'], story['url'])}{review} "
        f"| {md_escape(story['where'])} | {md_escape(story.get('source_type'))} | {role} "
        f"| {md_escape(story.get('one_line') or one_line(story))} | {md_escape(shown)} | {_discussions(story)} |\n"
    )


def write_markdown(out: TextIO, ctx: ReportContext, stories) -> None:
    out.write(head(ctx))
    out.writelines(row(story) for story in stories)
