"""report.md: the headline funnel and the table of stories, newest first."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from storycrawl.report.data import Funnel

SOURCE_NAMES = {
    "hackernews": "Hacker News",
    "reddit": "Reddit",
    "devto": "DEV",
    "lobsters": "Lobsters",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "feeds": "feed",
    "urls": "URL list",
}
REASON_NAMES = {
    "job_posting": "job postings",
    "not_first_hand": "not first-hand (explainers, news, listicles, vendor and course pages)",
    "duplicate": "duplicates (merged into the story they repeat)",
    "fetch_failed": "failed fetches (dead links, not HTML, no text)",
    "out_of_range": "published before the crawl's window",
    "invalid": "invalid items",
}


def md_escape(text: str) -> str:
    """Text safe inside a Markdown table cell or link label."""
    text = re.sub(r"\s+", " ", text or "").strip()
    return re.sub(r"([\\`*_\[\]|<>#])", r"\\\1", text)


def reason_label(reason: str) -> str:
    if reason.startswith("role:"):
        return f"written by a {reason.split(':', 1)[1].replace('_', ' ')} (not an AI engineer)"
    return REASON_NAMES.get(reason, reason.replace("_", " "))


def where_label(story: dict[str, Any]) -> str:
    """Platform and community or site: 'Hacker News', 'example.com via Hacker News'."""
    platform = SOURCE_NAMES.get(story.get("source", ""), story.get("source", ""))
    site = story.get("site") or ""
    if story.get("source_type") == "social":
        return (
            site
            if site and site not in (story.get("source"),) and site != "hackernews"
            else platform
        )
    return f"{site} via {platform}" if site else platform


def render_markdown(
    stories: list[dict[str, Any]],
    funnel: Funnel,
    *,
    min_stories: int,
    generated: datetime,
    filters: str = "",
) -> str:
    lines = ["# AI engineers at work: first-hand stories", ""]
    lines.append(
        f"Generated {generated.strftime('%Y-%m-%d %H:%M UTC')} from the storycrawl database.{filters}"
    )
    lines.append("")
    if len(stories) < min_stories:
        lines += [
            (
                f"> **Warning:** only {len(stories)} stories are included, fewer than the {min_stories} asked "
                "for. Crawl more sources or widen the window (`-a since=...`) before relying on this report."
            ),
            "",
        ]
    lines += ["## Headline", ""]
    lines += [
        f"- Crawls recorded: {funnel.runs}; pages fetched: {funnel.pages_fetched}",
        f"- Candidates reached: {funnel.candidates}",
        f"- Rejected: {funnel.rejected_total}",
    ]
    for reason, count in funnel.rejected.items():
        lines.append(f"  - {reason_label(reason)}: {count}")
    lines += [f"- **Included: {funnel.included}** (in this report: {len(stories)})", ""]
    lines += ["## Stories", ""]
    if not stories:
        lines += ["No stories are included yet.", ""]
        return "\n".join(lines)
    lines += [
        "| # | Date | Story | Source | Type | Role (confidence) |",
        "|---:|---|---|---|---|---|",
    ]
    for story in stories:
        date = (story.get("published") or "")[:10] or "undated"
        title = md_escape(story.get("title") or story["url"])
        confidence = story.get("confidence")
        role = (
            f"{story.get('role')} ({confidence:.2f})"
            if confidence is not None
            else str(story.get("role"))
        )
        lines.append(
            f"| {story['number']} | {date} | [{title}]({story['url']}) | {md_escape(where_label(story))} "
            f"| {story.get('source_type')} | {role} |"
        )
    lines.append("")
    return "\n".join(lines)
