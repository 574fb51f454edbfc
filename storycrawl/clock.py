"""The crawl's clock.

A replayed crawl sees the web as it was recorded, so its "now" is the recording's time: the
default `since` (365 days ago) then asks for the same pages every day the tests run, and its
pages were fetched when they were recorded.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storycrawl.dates import parse_datetime


@functools.cache
def _recording(folder: Path) -> dict[str, Any]:
    path = folder / "recording.toml"
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def recording_time(folder: str | Path) -> datetime | None:
    """`recorded_at` from a recording's `recording.toml`, or None when it has none."""
    value = _recording(Path(folder)).get("recorded_at")
    return parse_datetime(value) if value else None


def recording_settings(folder: str | Path) -> dict[str, object]:
    """The `[settings]` table of a recording's `recording.toml`, paths made absolute."""
    values = _recording(Path(folder)).get("settings", {})
    return {k: str(Path(folder) / v) if k.endswith("_FILE") else v for k, v in values.items()}


@dataclass(frozen=True)
class Clock:
    """`now` is the crawl's present (the window's end); `fetch_time()` stamps fetched pages."""

    now: datetime
    replayed: bool = False

    @classmethod
    def configured(cls, fixed: str | None, replay: Path | None) -> Clock:
        """STORYCRAWL_NOW if set, else the replayed recording's time, else the real time."""
        if fixed:
            parsed = parse_datetime(fixed)
            if parsed is None:
                raise ValueError(f"STORYCRAWL_NOW={fixed!r} is not an ISO 8601 date or time")
            return cls(parsed, replayed=replay is not None)
        if replay is not None and (recorded := recording_time(replay)) is not None:
            return cls(recorded, replayed=True)
        return cls(datetime.now(UTC), replayed=replay is not None)

    def fetch_time(self) -> datetime:
        """Replayed pages were fetched when they were recorded; live ones, now."""
        return self.now if self.replayed else datetime.now(UTC)
