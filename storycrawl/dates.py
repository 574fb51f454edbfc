"""Dates from every source format, to aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")


def to_utc(value: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_datetime(value: object) -> datetime | None:
    """Parse epoch seconds, ISO 8601 / RFC 3339, RFC 822 or a bare date; None when unparseable.

    Examples of inputs seen in the sources: 1767621731 (Algolia created_at_i),
    "2026-01-05T14:02:11.000Z" (Algolia, Mastodon), "2026-01-05T09:12:44.000-06:00" (Lobsters),
    "Tue, 26 Oct 2021 04:07:52 GMT" (RSS pubDate), "2026-01-05" (trafilatura, sitemaps).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return parse_datetime(float(text))
    if _DATE_ONLY.match(text):
        return parse_datetime(date.fromisoformat(text))
    if _YEAR_MONTH.match(text):
        year, month = text.split("-")
        return datetime(int(year), int(month), 1, tzinfo=UTC)
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return to_utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        return to_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def isoformat(value: datetime | None) -> str | None:
    """`2026-01-05T14:02:11Z`: the one format storycrawl writes."""
    if value is None:
        return None
    return to_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")
