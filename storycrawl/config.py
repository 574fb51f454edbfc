"""The crawl's configuration, typed and built once from Scrapy settings and the environment.

Every storycrawl value follows one rule, the first place that has it wins:

1. the Scrapy setting NAME when it is set at all (`-s NAME=...`, settings.py, a spider's
   custom_settings); set empty (`-s REDDIT_CLIENT_ID=`), it means "none";
2. the recording being replayed (`[settings]` of its recording.toml: placeholder credentials the
   recorded servers accept, the URL file whose pages are recorded);
3. the environment variable NAME;
4. the default here (settings.py does not set the DB path, sources, replay or clock, so the
   environment can).

Credentials belong in the environment (or `-s`), never in the sources file: they stay out of the
repository. A crawl reaches its configuration through `crawl_config(crawler)`; commands without
a crawler build one with `StorycrawlConfig.from_settings(settings)`.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

from storycrawl import registry
from storycrawl.clock import Clock, recording_settings

CLASSIFIERS = ("heuristic", "llm", "auto")
DEFAULT_DB = "exports/storycrawl.db"
DEFAULT_CONTACT = "https://github.com/storycrawl/storycrawl"


class ConfigError(ValueError):
    """A setting whose value cannot be used; the message names it."""


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    return None if value in (None, "") else value


def setting_or_env(
    settings: Any, name: str, default: Any = None, environ: Mapping[str, str] | None = None
) -> Any:
    """The value of NAME by the rule above (setting, replayed recording, environment, default)."""
    environ = os.environ if environ is None else environ
    value = _clean(settings.get(name)) if settings is not None else None
    if value is not None:
        return value
    if settings is not None and settings.getpriority(name) is not None:
        return default  # set empty on purpose: none
    if name != "STORYCRAWL_REPLAY":
        replay = setting_or_env(settings, "STORYCRAWL_REPLAY", environ=environ)
        if replay and (recorded := _clean(recording_settings(replay).get(name))) is not None:
            return recorded
    if (from_env := _clean(environ.get(name))) is not None:
        return from_env
    return default


def configured_db_path(settings: Any, environ: Mapping[str, str] | None = None) -> Path:
    """The database file, by the rule above (commands that need nothing else ask only this)."""
    return Path(str(setting_or_env(settings, "STORYCRAWL_DB", DEFAULT_DB, environ)))


#: Credentials besides the sources' (storycrawl.registry): the LLM server's.
LLM_CREDENTIALS = ("OPENAI_API_KEY", "OPENAI_BASE_URL")


@dataclass(frozen=True)
class StorycrawlConfig:
    db_path: Path
    sources_file: str | None
    replay: Path | None
    clock: Clock
    contact: str
    classifier: Literal["heuristic", "llm", "auto"]
    urls_file: str | None
    #: Every registered source's credentials and the LLM's that were given, by setting name.
    credentials: Mapping[str, str]

    def credential(self, name: str) -> str | None:
        return self.credentials.get(name)

    @classmethod
    def from_settings(
        cls, settings: Any, environ: Mapping[str, str] | None = None
    ) -> StorycrawlConfig:
        def value(name: str, default: Any = None) -> Any:
            found = setting_or_env(settings, name, default, environ)
            return str(found) if found is not None else None

        classifier = value("STORYCRAWL_CLASSIFIER", "heuristic")
        if classifier not in CLASSIFIERS:
            raise ConfigError(
                f"STORYCRAWL_CLASSIFIER={classifier!r}: choose heuristic, llm or auto"
            )
        replay = value("STORYCRAWL_REPLAY")
        replay_path = Path(replay) if replay else None
        try:
            clock = Clock.configured(value("STORYCRAWL_NOW"), replay_path)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return cls(
            db_path=configured_db_path(settings, environ),
            sources_file=value("STORYCRAWL_SOURCES"),
            replay=replay_path,
            clock=clock,
            contact=value("STORYCRAWL_CONTACT", DEFAULT_CONTACT),
            classifier=cast(Literal["heuristic", "llm", "auto"], classifier),
            urls_file=value("STORYCRAWL_URLS_FILE"),
            credentials=MappingProxyType(
                {
                    name: found
                    for name in (*registry.credentials(), *LLM_CREDENTIALS)
                    if (found := value(name)) is not None
                }
            ),
        )


_CONFIGS: weakref.WeakKeyDictionary[Any, StorycrawlConfig] = weakref.WeakKeyDictionary()


def crawl_config(crawler: Any) -> StorycrawlConfig:
    """The crawl's configuration, built from its settings on first use (the spider, made before
    Scrapy loads the addons, is the first) and the same object for every component after."""
    config = _CONFIGS.get(crawler)
    if config is None:
        config = _CONFIGS[crawler] = StorycrawlConfig.from_settings(crawler.settings)
    return config
