"""report.html: one self-contained page (inline CSS, inline SVG charts, no script, no fetch).

Every piece of crawled text is cleaned of control characters and goes through `esc`
(html.escape): a title holding `<script>` is shown as text. Links are only ever http(s) URLs.
The page holds the newest HTML_ROWS stories; beyond that it says where the rest are (stories.csv,
stories.json, Datasette), so that it opens quickly at any size. Below 700 px the table of
stories becomes one card per story.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

from storycrawl.report.charts import TYPE_COLOURS, bar_chart, esc, month_chart
from storycrawl.report.context import ReportContext
from storycrawl.report.data import reason_label
from storycrawl.report.rows import evidence_of, one_line
from storycrawl.report.safety import clean, safe_url
from storycrawl.report.synthesis import Finding, Quote

CSS = """
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:1200px;margin:0 auto;padding:24px 16px}
h1{font-size:28px;margin:0 0 4px} h2{margin-top:36px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e} .warning{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:6px;margin:8px 0}
.notice{background:#ffebe9;border:2px solid #cf222e;padding:10px 14px;border-radius:6px;margin:12px 0;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:24px}
table{border-collapse:collapse;font-size:13px} th,td{border-bottom:1px solid #eaeef2;padding:6px 8px;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere} th{background:#f6f8fa} td.num{text-align:right;white-space:nowrap}
.tag{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
figure{margin:0;min-width:0;max-width:100%} figcaption{font-weight:600;margin-bottom:6px} figure svg{max-width:100%;height:auto}
.breakdowns{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.breakdowns table{width:auto;max-width:100%}
.themes{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,340px),1fr));gap:16px;align-items:start}
.theme{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px}
.theme h4{margin:0 0 4px} blockquote{margin:6px 0;padding-left:10px;border-left:3px solid #d0d7de;color:#3d444d}
.cite{color:#59636e;font-size:12px} .quote{font-style:italic} details{color:#59636e;font-size:12px}
#stories-table{width:100%;table-layout:fixed}
#stories-table col.n{width:3.2em} #stories-table col.d{width:6.6em} #stories-table col.t{width:6.8em}
#stories-table col.r{width:7.5em} #stories-table col.s{width:18%} #stories-table col.e{width:22%}
.tag{white-space:nowrap}
a{color:#0969da}
@media (max-width:700px){
  main{padding:16px 12px}
  #stories-table,#stories-table tbody,#stories-table tr,#stories-table td{display:block;width:100%}
  #stories-table thead,#stories-table colgroup{display:none}
  #stories-table tr{border:1px solid #d0d7de;border-radius:8px;margin:0 0 12px;padding:6px 10px}
  #stories-table td{border:0;padding:2px 0;text-align:left}
  #stories-table td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#59636e}
}
"""


def href(url: Any) -> str:
    """Only http(s) links; anything else (javascript:...) is not a link."""
    target = safe_url(url)
    return esc(target) if target else "#"


def text(value: Any) -> str:
    return esc(clean(value))


def cite_html(rows: list[int], most: int = 12) -> str:
    links = ", ".join(f'<a href="#s{n}">#{n}</a>' for n in rows[:most])
    more = f" and {len(rows) - most} more" if len(rows) > most else ""
    return f'<span class="cite">[{links}{more}]</span>'


def _quote(quote: Quote) -> str:
    return (
        f'<blockquote><span class="quote">“{text(quote.text)}”</span> '
        f'<a class="cite" href="#s{quote.number}">#{quote.number}</a></blockquote>'
    )


def _theme(finding: Finding, total: int) -> str:
    quotes = (
        "".join(_quote(q) for q in finding.quotes) or "<p class='meta'>No sentence to quote.</p>"
    )
    return (
        f'<div class="theme"><h4>{text(finding.label)}</h4>'
        f'<div class="meta">{finding.count} of {total} stories ({finding.share:.0%}) {cite_html(finding.rows, 8)}</div>'
        f"{quotes}</div>"
    )


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
        suffix = f" ({esc(', '.join(extra))})" if extra else ""
        links.append(
            f'<a href="{href(thread.get("url"))}" rel="nofollow noopener">{text(thread.get("site") or "thread")}</a>{suffix}'
        )
    return "<br>".join(links) or "—"


def _written(ctx: ReportContext) -> str:
    if not ctx.written:
        return ""
    sentences = (
        "".join(
            "<p>" + re.sub(r"#(\d+)", r'<a href="#s\1">#\1</a>', text(sentence)) + "</p>"
            for sentence, _ in ctx.written.sentences
        )
        or "<p class='meta'>No sentence passed verification.</p>"
    )
    return (
        f'<section id="written-synthesis"><h3>Written synthesis ({text(ctx.written.model)})</h3>'
        f'{sentences}<p class="meta">Checked against the stored text: {text(ctx.written.account())}</p></section>'
    )


def _table(header: str, rows: str) -> str:
    return f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def head(ctx: ReportContext) -> str:
    funnel, synthesis, parts = ctx.funnel, ctx.synthesis, ctx.parts
    notice = (
        f'<p class="notice" id="data-notice">{text(ctx.origin.notice())}</p>'
        if ctx.origin.notice()
        else ""
    )
    warnings = "".join(f'<div class="warning">{text(w)}</div>' for w in ctx.warnings())
    cards = [
        ("candidates", funnel.candidates),
        ("rejected", funnel.rejected_total),
        ("included", funnel.included),
        ("pages fetched", funnel.pages_fetched),
    ]
    rejected = "".join(f"<li>{text(reason_label(r))}: {c}</li>" for r, c in funnel.rejected.items())
    audit = f'<p id="audit"><b>{text(ctx.audit.headline())}</b></p>'
    if ctx.audit.overall:
        items = [
            f"<li>{kind} {text(name)}: {text(p.line())}</li>"
            for kind, group in (("source", ctx.audit.by_source), ("type", ctx.audit.by_type))
            for name, p in group.items()
        ]
        audit += f"<ul>{''.join(items)}</ul>"
    scope = f" Showing stories {text(ctx.filters)}." if ctx.filters else ""
    narrative = "".join(
        "<p>" + re.sub(r"#(\d+)", r'<a href="#s\1">#\1</a>', text(s)) + "</p>"
        for s in synthesis.narrative()
    )
    splits = ""
    if ctx.time_splits:
        splits = "<h3>How they say their time splits</h3>" + "".join(
            _quote(Quote(t.number, t.url, t.quote)) for t in ctx.time_splits
        )
    responsibilities = "".join(_theme(f, synthesis.stories) for f in synthesis.responsibilities)
    activities = "".join(_theme(f, synthesis.stories) for f in synthesis.activities)
    practices = ""
    if ctx.practices:
        blocks = "".join(
            f'<div class="theme"><h4>{text(p.label)}</h4><div class="meta">{len(p.rows)} stories {cite_html(p.rows, 8)}</div>'
            + "".join(_quote(q) for q in p.quotes)
            + "</div>"
            for p in ctx.practices
        )
        practices = (
            f'<h3 id="practices">Recurring practices</h3><p class="meta">Phrases shared by several of the '
            f"{ctx.practices_read} stories read and rarer in the stories left out, grouped when they occur together.</p>"
            f'<div class="themes">{blocks}</div>'
        )
    tools = "".join(
        f'<tr><td>{text(f.label)}</td><td class="num">{f.count}</td><td class="num">{f.share:.0%}</td><td>{cite_html(f.rows)}</td></tr>'
        for f in synthesis.tools
    )
    kinds = ["social", "personal", "company"]
    month_rows = "".join(
        f"<tr><td>{text(m)}</td>"
        + "".join(f'<td class="num">{c.get(k, 0)}</td>' for k in kinds)
        + f'<td class="num">{sum(c.values())}</td></tr>'
        for m, c in parts.by_month.items()
    )
    shown, others, rest = ctx.top_places()
    place_rows = "".join(f'<tr><td>{text(p)}</td><td class="num">{c}</td></tr>' for p, c in shown)
    if others:
        place_rows += f'<tr><td>{others} others</td><td class="num">{rest}</td></tr>'
    type_rows = "".join(
        f'<tr><td>{text(k)}</td><td class="num">{c}</td></tr>' for k, c in parts.by_type.items()
    )
    if ctx.stories > ctx.html_rows:
        more = (
            f'<p class="warning" id="more-rows">This page shows the newest {ctx.html_rows:,} of {ctx.stories:,} stories, '
            "so that it opens quickly. All of them are in stories.csv and stories.json next to this page, and in "
            "Datasette (<code>datasette exports/storycrawl.db -m storycrawl/datasette/metadata.json</code>).</p>"
        )
    else:
        more = ""
    synthesis_html = (
        "<p>No stories yet.</p>"
        if not synthesis.stories
        else f"""<p class="meta">From the {synthesis.stories} stories in the table; links go to their rows. Quotes are sentences copied from the stories' stored text.</p>
{narrative}{_written(ctx)}{splits}
<div class="charts">
<figure id="chart-responsibilities"><figcaption>Core responsibilities</figcaption>{bar_chart(synthesis.responsibilities[:10])}</figure>
<figure id="chart-activities"><figcaption>Top daily activities</figcaption>{bar_chart(synthesis.activities[:10])}</figure>
<figure id="chart-tools"><figcaption>Top tools</figcaption>{bar_chart(synthesis.tools[:10])}</figure>
</div>
<h3>Core responsibilities</h3><div class="themes" id="themes-responsibilities">{responsibilities}</div>
<h3>Daily activities</h3><div class="themes" id="themes-activities">{activities}</div>
{practices}
<h3>Tools</h3>{_table("<th></th><th>stories</th><th>share</th><th>rows</th>", tools)}"""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>AI engineers at work: first-hand stories</title><style>{CSS}</style></head>
<body><main>
<h1>AI engineers at work: first-hand stories</h1>
{notice}
<p class="meta">Generated {text(ctx.generated)} from the storycrawl database.{scope} {text(ctx.classifier_line())}</p>
{warnings}
<section id="headline"><h2>Headline</h2>
<div class="cards">{"".join(f"<div class='card'><b>{v}</b>{text(k)}</div>" for k, v in cards)}</div>
<p>{funnel.runs} {"crawl" if funnel.runs == 1 else "crawls"} recorded. Rejected by reason:</p><ul>{rejected}</ul>
{audit}</section>
<section id="synthesis"><h2>What AI engineers do</h2>
{synthesis_html}
</section>
<section id="breakdowns"><h2>Breakdowns</h2>
<div class="charts"><figure id="chart-months"><figcaption>Stories per month, by type</figcaption>{month_chart(parts.by_month)}</figure></div>
<div class="breakdowns">
{_table("<th>type</th><th>stories</th>", type_rows)}
{_table("<th>platform or site</th><th>stories</th>", place_rows)}
{_table("<th>month</th>" + "".join(f"<th>{k}</th>" for k in kinds) + "<th>all</th>", month_rows)}
</div></section>
<section id="stories"><h2>Stories</h2>{more}
<table id="stories-table"><colgroup><col class="n"><col class="d"><col class="s"><col><col class="t"><col class="r"><col><col class="e"><col></colgroup>
<thead><tr><th>#</th><th>Date</th><th>Story</th><th>Source</th><th>Type</th><th>Role</th><th>Summary</th><th>Evidence</th><th>Discussions</th></tr></thead>
<tbody>
"""


def row(story: dict[str, Any]) -> str:
    kind = story.get("source_type") or "unknown"
    confidence = story.get("confidence")
    role = text(story.get("role"))
    if confidence is not None:
        role += f" <span class='meta'>{confidence:.2f}</span>"
    evidence = story.get("evidence_parts") or evidence_of(story)
    quote = f'<span class="quote">“{text(evidence.quote)}”</span><br>' if evidence.quote else ""
    internals = (
        f"<details><summary>classifier details</summary>{text(evidence.internals)}</details>"
        if evidence.internals
        else ""
    )
    review = (
        f" <span class='meta'>(reviewed: {text(story['review'])})</span>"
        if story.get("review")
        else ""
    )
    colour = TYPE_COLOURS.get(kind, "#9d9d9d")
    return (
        f'<tr id="s{story["number"]}"><td class="num" data-label="#">{story["number"]}</td>'
        f'<td class="num" data-label="Date">{text((story.get("published") or "")[:10] or "undated")}</td>'
        f'<td data-label="Story"><a href="{href(story["url"])}" rel="nofollow noopener">{text(story.get("title") or story["url"])}</a>{review}</td>'
        f'<td data-label="Source">{text(story["where"])}</td>'
        f'<td data-label="Type"><span class="tag" style="background:{colour}">{text(kind)}</span></td>'
        f'<td data-label="Role">{role}</td><td data-label="Summary">{text(story.get("one_line") or one_line(story))}</td>'
        f'<td data-label="Evidence">{quote}<span class="meta">{text(evidence.reason)}</span>{internals}</td>'
        f'<td data-label="Discussions">{_discussions(story)}</td></tr>\n'
    )


TAIL = "</tbody></table></section>\n</main></body></html>\n"


def write_html(out: TextIO, ctx: ReportContext, stories) -> None:
    out.write(head(ctx))
    for story in stories:
        if story["number"] > ctx.html_rows:
            continue
        out.write(row(story))
    out.write(TAIL)
