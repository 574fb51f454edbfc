"""Crawled text made safe for every report: no control characters, no spreadsheet formulas,
no Markdown links that are not plain http(s) URLs.

Titles, summaries and URLs come from third parties (API fields, page metadata). Before any of
them reaches report.md, report.html, stories.json, stories.csv or a terminal:
- `clean` strips ANSI escape sequences, NUL and the other C0/C1 controls (tab and newline are
  kept), and the bidi overrides and isolates that reorder what a reader sees (U+202A-202E,
  U+2066-2069, U+200E/U+200F), plus the byte order mark;
- `csv_cell` neutralises cells a spreadsheet would run as a formula (OWASP's list: a leading
  `=`, `+`, `-`, `@`, tab or carriage return) by prefixing a single quote;
- `safe_url` keeps only absolute http(s) URLs with a host, percent-encoding the characters that
  would end a Markdown link or table cell.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

_CONTROLS = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI sequences (colours, cursor moves)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC sequences (window titles, hyperlinks)
    r"|\x1b[@-Z\\-_]?"  # other escapes, and a lone ESC
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters that end a Markdown link target or a table cell, or break out of an attribute.
_URL_UNSAFE = " \"'<>()[]{}|\\`^"


def clean(value: Any) -> Any:
    """`value` without control characters if it is text; anything else as it is."""
    if isinstance(value, str):
        return _CONTROLS.sub("", value)
    return value


def clean_story(story: dict[str, Any]) -> dict[str, Any]:
    """Every text field of a story (and of its threads) cleaned, in place."""
    for key, value in story.items():
        if isinstance(value, str):
            story[key] = _CONTROLS.sub("", value)
        elif isinstance(value, list):
            story[key] = [
                {k: clean(v) for k, v in item.items()} if isinstance(item, dict) else clean(item)
                for item in value
            ]
    return story


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula."""
    if isinstance(value, str):
        value = _CONTROLS.sub("", value.replace("\r\n", "\n")) if value else value
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def safe_url(url: Any) -> str | None:
    """An absolute http(s) URL fit for a link, or None."""
    if not isinstance(url, str):
        return None
    url = clean(url).strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return "".join(quote(ch, safe="") if ch in _URL_UNSAFE or ord(ch) < 33 else ch for ch in url)
