"""stories.json and stories.csv: the report's table as data, newest first."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from storycrawl.items import EXPORT_FIELDS

EXPORT_COLUMNS = [
    "number",
    *EXPORT_FIELDS,
    "one_line",
    "sources",
    "date_source",
    "source_type_evidence",
]


def export_row(story: dict[str, Any]) -> dict[str, Any]:
    """One story with the export columns, in order; lists and threads kept as JSON values."""
    return {column: story.get(column) for column in EXPORT_COLUMNS}


def write_json(stories: list[dict[str, Any]], path: Path) -> None:
    rows = [export_row(story) for story in stories]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return " ".join(item.get("url", "") for item in value)
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def write_csv(stories: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for story in stories:
            writer.writerow({k: _cell(v) for k, v in export_row(story).items()})
