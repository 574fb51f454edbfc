from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import crawl_in_process
from tests.utils import WEB


@pytest.fixture
def tmp_db(tmp_path):
    return tmp_path / "storycrawl.db"


@pytest.fixture
def web():
    """The recorded web (tests/fixtures/web)."""
    return WEB


@pytest.fixture(scope="session")
def replayed(tmp_path_factory):
    """`replayed("devto", settings=..., args=..., sources=TEXT)`: a crawl of the recorded web run
    once per session for each set of arguments (tests.harness.crawl_in_process), shared by the
    tests that read it. `sources` is the text of a sources file to crawl with instead of the
    shipped one. Tests read the result; they do not change it."""
    done: dict[str, dict[str, Any]] = {}

    def replay(
        spider: str,
        *,
        settings: dict[str, Any] | None = None,
        args: dict[str, str] | None = None,
        sources: str | None = None,
    ) -> dict[str, Any]:
        key = json.dumps([spider, settings, args, sources], sort_keys=True, default=str)
        if key not in done:
            out = tmp_path_factory.mktemp(f"replay-{spider}")
            settings = dict(settings or {})
            if sources is not None:
                path = out / "sources.toml"
                path.write_text(sources, encoding="utf-8")
                settings["STORYCRAWL_SOURCES"] = str(path)
            done[key] = crawl_in_process(spider, out, settings=settings, args=args)
        return done[key]

    return replay
