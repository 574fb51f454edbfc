"""report.html: one self-contained page (inline CSS, inline SVG charts, no script, no fetch).

Every piece of crawled text goes through `esc` (html.escape): a title holding `<script>` is shown
as text. Links are only ever http(s) URLs.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from storycrawl.report.data import Breakdowns, Funnel, reason_label
from storycrawl.report.synthesis import Finding, Synthesis

TYPE_COLOURS = {
    "social": "#4e79a7",
    "personal": "#f28e2b",
    "company": "#59a14f",
    "unknown": "#9d9d9d",
}

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:28px;margin:0 0 4px} h2{margin-top:36px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e} .warning{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:6px;margin:8px 0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:24px}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{border-bottom:1px solid #eaeef2;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0} td.num{text-align:right;white-space:nowrap}
.tag{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:24px}
figure{margin:0;min-width:0} figcaption{font-weight:600;margin-bottom:6px} figure svg{max-width:100%;height:auto}
.evidence{color:#59636e;font-style:italic} .cite{color:#59636e;font-size:12px}
a{color:#0969da}
"""


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def href(url: str) -> str:
    """Only http(s) links; anything else (javascript:...) is not a link."""
    return esc(url) if str(url).startswith(("http://", "https://")) else "#"


def cite_html(rows: list[int], most: int = 12) -> str:
    links = ", ".join(f'<a href="#s{n}">#{n}</a>' for n in rows[:most])
    more = f" and {len(rows) - most} more" if len(rows) > most else ""
    return f'<span class="cite">[{links}{more}]</span>'


# Bar labels: a 12px sans-serif character is at most about 6.6px wide, so this many fit.
LABEL_CHARS = 38


def short_label(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(findings: list[Finding], *, width: int = 580, bar: int = 18) -> str:
    """Horizontal bars, one per finding, labelled with the count."""
    if not findings:
        return "<p>None yet.</p>"
    top = max(f.count for f in findings)
    label_width, gap = round(LABEL_CHARS * 6.6) + 6, 6
    height = len(findings) * (bar + gap)
    rows = []
    for i, finding in enumerate(findings):
        y = i * (bar + gap)
        length = (width - label_width - 40) * finding.count / top
        rows.append(
            f'<text x="{label_width - 6}" y="{y + bar - 5}" text-anchor="end" font-size="12">{esc(short_label(finding.label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar}" fill="#4e79a7"><title>{esc(finding.label)}: {finding.count}</title></rect>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 5}" font-size="12">{finding.count}</text>'
        )
    return f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'


def month_chart(by_month: dict[str, dict[str, int]], *, width: int = 560, height: int = 220) -> str:
    """Stacked columns: stories per month by source type, oldest month on the left."""
    months = [m for m in sorted(by_month) if m != "undated"]
    if not months:
        return "<p>No dated stories yet.</p>"
    kinds = ["social", "personal", "company"]
    top = max(sum(by_month[m].values()) for m in months)
    plot_h, base = height - 50, height - 30
    step = (width - 40) / len(months)
    bars, labels = [], []
    for i, month in enumerate(months):
        x, y = 30 + i * step, base
        for kind in kinds:
            count = by_month[month].get(kind, 0)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            bars.append(
                f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{h:.1f}" fill="{TYPE_COLOURS[kind]}">'
                f"<title>{esc(month)} {kind}: {count}</title></rect>"
            )
        labels.append(
            f'<text x="{x + step / 2:.1f}" y="{base + 14}" text-anchor="middle" font-size="10">{esc(month[2:])}</text>'
        )
    legend = "".join(
        f'<rect x="{30 + i * 90}" y="2" width="10" height="10" fill="{TYPE_COLOURS[k]}"/><text x="{44 + i * 90}" y="11" font-size="11">{k}</text>'
        for i, k in enumerate(kinds)
    )
    axis = f'<line x1="28" y1="{base}" x2="{width - 8}" y2="{base}" stroke="#8c959f"/><text x="2" y="{base - plot_h + 10:.0f}" font-size="10">{top}</text>'
    return f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{legend}{axis}{"".join(bars)}{"".join(labels)}</svg>'


def _discussions(story: dict[str, Any]) -> str:
    links = []
    for thread in story.get("discussions") or []:
        extra = []
        if thread.get("points") is not None:
            extra.append(f"{thread['points']} pts")
        if thread.get("comments") is not None:
            extra.append(f"{thread['comments']} comments")
        suffix = f" ({esc(', '.join(extra))})" if extra else ""
        links.append(
            f'<a href="{href(thread["url"])}" rel="nofollow noopener">{esc(thread.get("site") or "thread")}</a>{suffix}'
        )
    return "<br>".join(links) or "—"


def _findings_table(findings: list[Finding]) -> str:
    rows = "".join(
        f'<tr><td>{esc(f.label)}</td><td class="num">{f.count}</td><td class="num">{f.share:.0%}</td><td>{cite_html(f.rows)}</td></tr>'
        for f in findings
    )
    return f"<table><thead><tr><th></th><th>stories</th><th>share</th><th>rows</th></tr></thead><tbody>{rows}</tbody></table>"


def _narrative_html(synthesis: Synthesis) -> str:
    paragraphs = []
    for sentence in synthesis.narrative():
        # "[#1, #2 and 3 more]" citations become links to the rows.
        text = esc(sentence)
        text = re.sub(r"#(\d+)", r'<a href="#s\1">#\1</a>', text)
        paragraphs.append(f"<p>{text}</p>")
    return "".join(paragraphs)


def render_html(
    stories: list[dict[str, Any]],
    funnel: Funnel,
    synthesis: Synthesis,
    parts: Breakdowns,
    *,
    min_stories: int,
    generated: str,
    filters: str = "",
) -> str:
    warnings = []
    if len(stories) < min_stories:
        warnings.append(
            f"Only {len(stories)} stories are included, fewer than the {min_stories} asked for."
        )
    for place, count, share in parts.concentrated:
        warnings.append(
            f"{place} holds {count} of {len(stories)} stories ({share:.0%}): the picture leans on one community."
        )
    cards = [
        ("candidates", funnel.candidates),
        ("rejected", funnel.rejected_total),
        ("included", funnel.included),
        ("pages fetched", funnel.pages_fetched),
    ]
    rejected = "".join(f"<li>{esc(reason_label(r))}: {c}</li>" for r, c in funnel.rejected.items())
    table_rows = []
    for story in stories:
        kind = story.get("source_type") or "unknown"
        confidence = story.get("confidence")
        role = (
            f"{esc(story.get('role'))}<br><span class='meta'>{confidence:.2f}</span>"
            if confidence is not None
            else esc(story.get("role"))
        )
        table_rows.append(
            f'<tr id="s{story["number"]}"><td class="num">{story["number"]}</td>'
            f'<td class="num">{esc((story.get("published") or "")[:10] or "undated")}</td>'
            f'<td><a href="{href(story["url"])}" rel="nofollow noopener">{esc(story.get("title") or story["url"])}</a></td>'
            f"<td>{esc(story['where'])}</td>"
            f'<td><span class="tag" style="background:{TYPE_COLOURS.get(kind, "#9d9d9d")}">{esc(kind)}</span></td>'
            f"<td>{role}</td><td>{esc(story['one_line'])}</td>"
            f'<td class="evidence">{esc(story.get("evidence"))}</td><td>{_discussions(story)}</td></tr>'
        )
    kinds = ["social", "personal", "company"]
    month_rows = "".join(
        f"<tr><td>{esc(m)}</td>"
        + "".join(f'<td class="num">{c.get(k, 0)}</td>' for k in kinds)
        + f'<td class="num">{sum(c.values())}</td></tr>'
        for m, c in parts.by_month.items()
    )
    place_rows = "".join(
        f'<tr><td>{esc(p)}</td><td class="num">{c}</td></tr>' for p, c in parts.by_place.items()
    )
    type_rows = "".join(
        f'<tr><td>{esc(k)}</td><td class="num">{c}</td></tr>' for k, c in parts.by_type.items()
    )
    scope = f" Showing stories {esc(filters)}." if filters else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>AI engineers at work: first-hand stories</title><style>{CSS}</style></head>
<body><main>
<h1>AI engineers at work: first-hand stories</h1>
<p class="meta">Generated {esc(generated)} from the storycrawl database.{scope}</p>
{"".join(f'<div class="warning">{esc(w)}</div>' for w in warnings)}
<section id="headline"><h2>Headline</h2>
<div class="cards">{"".join(f"<div class='card'><b>{v}</b>{esc(k)}</div>" for k, v in cards)}</div>
<p>{funnel.runs} {"crawl" if funnel.runs == 1 else "crawls"} recorded. Rejected by reason:</p><ul>{rejected}</ul></section>
<section id="synthesis"><h2>What AI engineers do</h2>
<p class="meta">From the {synthesis.stories} stories in the table; links go to their rows.</p>
{_narrative_html(synthesis)}
<div class="charts">
<figure id="chart-months"><figcaption>Stories per month, by type</figcaption>{month_chart(parts.by_month)}</figure>
<figure id="chart-tools"><figcaption>Top tools</figcaption>{bar_chart(synthesis.tools[:10])}</figure>
<figure id="chart-activities"><figcaption>Top daily activities</figcaption>{bar_chart(synthesis.activities[:10])}</figure>
<figure id="chart-responsibilities"><figcaption>Core responsibilities</figcaption>{bar_chart(synthesis.responsibilities[:10])}</figure>
</div>
<h3>Core responsibilities</h3>{_findings_table(synthesis.responsibilities)}
<h3>Daily activities</h3>{_findings_table(synthesis.activities)}
<h3>Tools</h3>{_findings_table(synthesis.tools)}
</section>
<section id="breakdowns"><h2>Breakdowns</h2><div class="charts">
<table><thead><tr><th>type</th><th>stories</th></tr></thead><tbody>{type_rows}</tbody></table>
<table><thead><tr><th>platform or site</th><th>stories</th></tr></thead><tbody>{place_rows}</tbody></table>
<table><thead><tr><th>month</th>{"".join(f"<th>{k}</th>" for k in kinds)}<th>all</th></tr></thead><tbody>{month_rows}</tbody></table>
</div></section>
<section id="stories"><h2>Stories</h2>
<table id="stories-table"><thead><tr><th>#</th><th>Date</th><th>Story</th><th>Source</th><th>Type</th><th>Role</th><th>Summary</th><th>Evidence</th><th>Discussions</th></tr></thead>
<tbody>{"".join(table_rows)}</tbody></table></section>
</main></body></html>
"""
