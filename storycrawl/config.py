"""Values that may come from Scrapy settings or the environment (credentials, API keys)."""

from __future__ import annotations

import os
from typing import Any


def setting_or_env(settings: Any, name: str, default: Any = None) -> Any:
    """`-s NAME=...` (or settings.py) first, then the environment variable NAME, then default.

    Credentials belong here, never in the sources file: they stay out of the repository.
    """
    value = settings.get(name) if settings is not None else None
    if value is None or (isinstance(value, str) and not value.strip()):
        value = os.environ.get(name)
    if isinstance(value, str):
        value = value.strip()
    return default if value in (None, "") else value
