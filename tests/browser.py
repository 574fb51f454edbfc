"""Headless Debian Chromium for tests, through Playwright (never a browser download)."""

from __future__ import annotations

import os
import shutil

import pytest

from storycrawl.browser import CHROMIUM_ARGS  # noqa: F401 (re-exported for the tests)

CHROMIUM = os.environ.get("STORYCRAWL_CHROMIUM", "/usr/bin/chromium")


def require_chromium() -> str:
    """The Chromium path; skip the test without one, unless CI says it must be there."""
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path is None:
        if os.environ.get("STORYCRAWL_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (install Debian's chromium package)")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    return path
