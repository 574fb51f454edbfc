"""The crawl's clock.

A replayed crawl sees the web as it was recorded, so its "now" is the recording's time: the
default `since` (365 days ago) then asks for the same pages every day the tests run.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

from scrapy.settings import BaseSettings

from storycrawl.dates import parse_datetime


def recording_time(folder: str | Path) -> datetime | None:
    """`recorded_at` from a recording's `recording.toml`, or None when it has none."""
    path = Path(folder) / "recording.toml"
    if not path.is_file():
        return None
    value = tomllib.loads(path.read_text(encoding="utf-8")).get("recorded_at")
    return parse_datetime(value) if value else None


def recording_settings(folder: str | Path) -> dict[str, object]:
    """The `[settings]` table of a recording's `recording.toml`, paths made absolute."""
    path = Path(folder) / "recording.toml"
    if not path.is_file():
        return {}
    values = tomllib.loads(path.read_text(encoding="utf-8")).get("settings", {})
    return {k: str(Path(folder) / v) if k.endswith("_FILE") else v for k, v in values.items()}


def crawl_now(settings: BaseSettings) -> datetime:
    """STORYCRAWL_NOW if set, else the replayed recording's time, else the real time (UTC)."""
    if fixed := settings.get("STORYCRAWL_NOW"):
        parsed = parse_datetime(fixed)
        if parsed is None:
            raise ValueError(f"STORYCRAWL_NOW={fixed!r} is not an ISO 8601 date or time")
        return parsed
    if replay := settings.get("STORYCRAWL_REPLAY"):
        recorded = recording_time(replay)
        if recorded is not None:
            return recorded
    return datetime.now(UTC)
