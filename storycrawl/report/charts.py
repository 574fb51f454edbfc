"""Inline SVG charts for report.html: text at 12-13 px, labels that wrap, axes with values."""

from __future__ import annotations

from html import escape

from storycrawl.report.synthesis import Finding

TYPE_COLOURS = {
    "social": "#4e79a7",
    "personal": "#f28e2b",
    "company": "#59a14f",
    "unknown": "#9d9d9d",
}
FONT = 12  # px; nothing in a chart is smaller
# A 12 px sans-serif character is at most about 7 px wide: a label line holds this many.
LINE_CHARS = 24


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def wrap(label: str, width: int = LINE_CHARS, lines: int = 2) -> list[str]:
    """The label in at most `lines` lines of `width` characters, the last one cut with …."""
    out, current = [], ""
    for word in label.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return [line if len(line) <= width else line[: width - 1] + "…" for line in out]


def bar_chart(findings: list[Finding], *, width: int = 360) -> str:
    """Horizontal bars, one per finding, each with its wrapped label and its count."""
    if not findings:
        return "<p>None yet.</p>"
    top = max(f.count for f in findings)
    label_width, row_h, bar = LINE_CHARS * 7 + 8, 34, 18
    height = len(findings) * row_h
    parts = []
    for i, finding in enumerate(findings):
        y = i * row_h
        length = max(1.0, (width - label_width - 44) * finding.count / top)
        lines = wrap(finding.label)
        first = y + row_h / 2 - (len(lines) - 1) * 7 + 4
        spans = "".join(
            f'<tspan x="{label_width - 8}" y="{first + n * 14:.1f}">{esc(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(
            f'<text text-anchor="end" font-size="{FONT}">{spans}</text>'
            f'<rect x="{label_width}" y="{y + (row_h - bar) / 2}" width="{length:.1f}" height="{bar}" '
            f'fill="#4e79a7"><title>{esc(finding.label)}: {finding.count}</title></rect>'
            f'<text x="{label_width + length + 5:.1f}" y="{y + row_h / 2 + 4}" font-size="{FONT}">'
            f"{finding.count}</text>"
        )
    return (
        f'<svg role="img" aria-label="bar chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def _ticks(top: int) -> list[int]:
    if top <= 4:
        return list(range(top + 1))
    step = max(1, round(top / 4))
    values = list(range(0, top + 1, step))
    return values if values[-1] == top else [*values, top]


def month_chart(by_month: dict[str, dict[str, int]], *, width: int = 360, height: int = 250) -> str:
    """Stacked columns of stories per month by source type, with a y axis of values and every
    month labelled (every other one when there are many)."""
    months = [m for m in sorted(by_month) if m != "undated"]
    if not months:
        return "<p>No dated stories yet.</p>"
    kinds = ["social", "personal", "company"]
    top = max(sum(by_month[m].values()) for m in months)
    left, legend_h, bottom = 40, 24, 40
    plot_h = height - legend_h - bottom
    base = legend_h + plot_h
    step = (width - left - 8) / len(months)
    every = 1 if step >= 34 else 2 if step >= 17 else max(1, round(34 / step))
    parts = []
    for value in _ticks(top):
        y = base - plot_h * value / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="#eaeef2"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT}">{value}</text>'
        )
    for i, month in enumerate(months):
        x, y = left + i * step, base
        for kind in kinds:
            count = by_month[month].get(kind, 0)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{max(1.0, step - 4):.1f}" height="{h:.1f}" '
                f'fill="{TYPE_COLOURS[kind]}"><title>{esc(month)} {kind}: {count}</title></rect>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                f'font-size="{FONT}">{esc(month[2:])}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="#8c959f"/>'
        f'<text x="{left}" y="{base + 34}" font-size="{FONT}">month (YY-MM); stories per month</text>'
    )
    legend = "".join(
        f'<rect x="{left + i * 100}" y="4" width="12" height="12" fill="{TYPE_COLOURS[k]}"/>'
        f'<text x="{left + 16 + i * 100}" y="15" font-size="{FONT}">{k}</text>'
        for i, k in enumerate(kinds)
    )
    return (
        f'<svg role="img" aria-label="stories per month" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{legend}{"".join(parts)}</svg>'
    )
