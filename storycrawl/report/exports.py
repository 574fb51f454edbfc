"""stories.json and stories.csv (the report's table as data, newest first, written row by row),
and the CSV feed exporter that `scrapy crawl ... -O x.csv` uses.

Both CSV writers neutralise cells a spreadsheet would run as a formula, and every text value is
cleaned of control characters.
"""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from scrapy.exporters import CsvItemExporter

from storycrawl.items import EXPORT_FIELDS
from storycrawl.report.rows import one_line
from storycrawl.report.safety import clean, csv_cell

EXPORT_COLUMNS = [
    "number",
    *EXPORT_FIELDS,
    "one_line",
    "sources",
    "date_source",
    "source_type_evidence",
    "review",
]


def export_row(story: dict[str, Any]) -> dict[str, Any]:
    """One story with the export columns, in order; lists and threads kept as JSON values."""
    row = {column: story.get(column) for column in EXPORT_COLUMNS}
    if not row["one_line"]:
        row["one_line"] = one_line(story)
    return row


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return " ".join(str(item.get("url", "")) for item in value if isinstance(item, dict))
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


class JsonWriter:
    """A JSON array, one story at a time."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.first = out, True
        out.write("[")

    def write(self, story: dict[str, Any]) -> None:
        row = {k: _clean_json(v) for k, v in export_row(story).items()}
        self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(row, ensure_ascii=False))
        self.first = False

    def close(self) -> None:
        self.out.write("]\n" if self.first else "\n]\n")


def _clean_json(value: Any) -> Any:
    if isinstance(value, list):
        return [
            {k: clean(v) for k, v in item.items()} if isinstance(item, dict) else clean(item)
            for item in value
        ]
    return clean(value)


class CsvWriter:
    def __init__(self, out: TextIO) -> None:
        self.writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        self.writer.writeheader()

    def write(self, story: dict[str, Any]) -> None:
        self.writer.writerow({k: csv_cell(_cell(v)) for k, v in export_row(story).items()})


class SafeCsvItemExporter(CsvItemExporter):
    """Scrapy's CSV exporter, with every cell cleaned and formula cells neutralised
    (registered for `csv` in FEED_EXPORTERS)."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        return csv_cell(super().serialize_field(field, name, value))
