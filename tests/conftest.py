from __future__ import annotations

import pytest

from tests.utils import WEB


@pytest.fixture
def tmp_db(tmp_path):
    return tmp_path / "storycrawl.db"


@pytest.fixture
def web():
    """The recorded web (tests/fixtures/web)."""
    return WEB
