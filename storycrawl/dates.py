"""Dates from every source format, to aware UTC datetimes, and the one rule that dates a story.

`parse_datetime` reads what the sources hand out and never raises: a value it cannot read (or
one that is no calendar date: `2026-02-30`, `0000-00-00`, a year-9999 time that overflows UTC)
is None. `pick_date` is where a story's date is decided: from its candidates in order of trust
(the API's field, the page's own metadata, the feed entry, trafilatura's guess, the post that
shared it), the first one that reads *and* is plausible wins, with its source recorded as the
story's `date_source`. Plausible: not before 1995 (placeholders such as JSON-LD's
`0001-01-01T00:00:00Z` or a Unix-epoch zero) and not later than the crawl's clock plus a small
skew (wrong client clocks, year-9999 "never" values).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser
from dateutil.parser import ParserError, UnknownTimezoneWarning

# Nothing storycrawl collects was written before the web had blogs: earlier dates are
# placeholders (0001-01-01, 1970-01-01) or garbage.
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
# How far past the crawl's clock a date may be: time zones and clocks a few hours off.
FUTURE_SKEW = timedelta(days=1)

_EPOCH = re.compile(r"[+-]?\d{9,13}(\.\d+)?")
# `Tue, 26 Oct 2021 04:07:52 GMT` (the weekday optional): email.utils reads it, zones included.
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
# Zone abbreviations feeds write that dateutil does not know without being told.
_ZONES = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "UT": 0, "GMT": 0, "UTC": 0, "Z": 0, "WET": 0, "BST": 1, "CET": 1, "MET": 1, "CEST": 2,
        "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5, "JST": 9, "KST": 9, "AEST": 10,
        "AEDT": 11, "NZST": 12, "NZDT": 13, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
        "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
    }.items()
}  # fmt: skip
# dateutil fills what a string leaves out from this: a string without a year lands in year 1,
# outside the plausible window, instead of in the current year.
_NO_YEAR = datetime(1, 1, 1)


def to_utc(value: datetime, tz: tzinfo | None = None) -> datetime:
    """Aware UTC; a naive datetime is taken to be in `tz` (UTC when not given)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz or UTC)
    return value.astimezone(UTC)


def parse_datetime(value: object, tz: tzinfo | None = None) -> datetime | None:
    """Epoch seconds (or milliseconds), ISO 8601 / RFC 3339, RFC 822, a bare date, or whatever
    dateutil reads (`2020/1/10 14:33:00`); None when it is none of these. Never raises.

    A time without an offset is taken in `tz` (the page's own offset), else as UTC.
    Inputs seen in the sources: 1767621731 (Algolia created_at_i), "2026-01-05T14:02:11.000Z"
    (Algolia, Mastodon), "2026-01-05T09:12:44.000-06:00" (Lobsters), "Tue, 26 Oct 2021 04:07:52
    GMT" (RSS pubDate), "2026-01-05" (trafilatura, sitemaps).
    """
    try:
        return _parse(value, tz)
    except (ValueError, OverflowError, OSError, TypeError):
        return None


def _parse(value: object, tz: tzinfo | None) -> datetime | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return to_utc(value, tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float):
        seconds = float(value)
        if not math.isfinite(seconds):
            return None
        if abs(seconds) >= 1e11:  # milliseconds (JavaScript clocks)
            seconds /= 1000
        return datetime.fromtimestamp(seconds, tz=UTC)
    text = str(value).strip()
    if not text or len(text) > 100:
        return None
    if _EPOCH.fullmatch(text):
        return _parse(float(text), tz)
    try:
        return to_utc(datetime.fromisoformat(text), tz)
    except ValueError:
        pass
    if _RFC822.match(text):
        try:
            return to_utc(parsedate_to_datetime(text), tz)
        except (TypeError, ValueError, IndexError):
            pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownTimezoneWarning)
        try:
            parsed = dateutil_parser.parse(text, default=_NO_YEAR, tzinfos=_ZONES)
        except (ParserError, ValueError, OverflowError):
            return None
    return to_utc(parsed, tz)


def offset_of(value: object) -> tzinfo | None:
    """The UTC offset a date string states (`+08:00` in `2026-03-04T10:00:00+08:00`), if any."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.tzinfo


def plausible(when: datetime | None, now: datetime | None = None) -> bool:
    """Not before 1995 and not past `now` (the crawl's clock; the wall clock when not given)
    by more than FUTURE_SKEW."""
    if when is None:
        return False
    latest = (now or datetime.now(UTC)) + FUTURE_SKEW
    return EARLIEST <= when <= latest


@dataclass(frozen=True)
class DatePick:
    """A story's date and where it came from (None, None when no candidate was usable)."""

    when: datetime | None
    source: str | None


def pick_date(
    candidates: Iterable[tuple[str, object]], now: datetime | None = None, tz: tzinfo | None = None
) -> DatePick:
    """The first candidate `(source, value)` that parses and is plausible; the others (unread,
    impossible, placeholder or future dates) are passed over for the next."""
    for source, value in candidates:
        when = parse_datetime(value, tz)
        if plausible(when, now):
            return DatePick(when, source)
    return DatePick(None, None)


def first_date(*values: object, now: datetime | None = None) -> datetime | None:
    """The first plausible date among values of one source (`created_at_i`, else `created_at`)."""
    return pick_date((("", value) for value in values), now).when


def isoformat(value: datetime | None) -> str | None:
    """`2026-01-05T14:02:11Z`: the one format storycrawl writes."""
    if value is None:
        return None
    return to_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")
