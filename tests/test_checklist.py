"""docs/adding-a-source.md's checklist, run over every source the package registers.

One test per source and item, so a missing part fails by name: deleting
tests/fixtures/web/hackernews/ fails `test_checklist[hackernews-fixtures folder]`.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import BaseModel
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from storycrawl import registry
from storycrawl.registry import SourceInfo
from tests.utils import ROOT, project_settings_dict, read_jsonl

Check = Callable[[SourceInfo, Path], str | None]  # a problem, or None


def registered_class(info: SourceInfo, root: Path) -> str | None:
    info.source_class()  # imports, and its `name` is the registered one
    config = info.config_model()
    if not issubclass(config, BaseModel) or config.model_config.get("extra") != "forbid":
        return f"{info.config} is not a pydantic model that forbids unknown keys"
    if "enabled" not in config.model_fields:
        return f"{info.config} has no `enabled` field"
    return None


def spider(info: SourceInfo, root: Path) -> str | None:
    loader = SpiderLoader.from_settings(Settings(project_settings_dict()))
    if info.name not in loader.list():
        return f"no spider named {info.name!r} in SPIDER_MODULES (scrapy crawl {info.name})"
    if info.source_class() not in loader.load(info.name).source_classes:
        return f"spider {info.name!r} does not run {info.source}"
    return None


def sources_toml_section(info: SourceInfo, root: Path) -> str | None:
    shipped = tomllib.loads((root / "storycrawl" / "sources.toml").read_text(encoding="utf-8"))
    if info.name not in shipped:
        return f"no [{info.name}] section in storycrawl/sources.toml"
    return None


def fixtures_folder(info: SourceInfo, root: Path) -> str | None:
    web = root / "tests" / "fixtures" / "web"
    groups = [p for p in [web / info.name, *web.glob(f"{info.name}-*")] if p.is_dir()]
    if not groups:
        return f"no tests/fixtures/web/{info.name}/ (or {info.name}-<group>/) recording"
    for group in groups:
        for part in ("routes.jsonl", "manifest.jsonl", "README.md"):
            if not (group / part).is_file():
                return f"{group.relative_to(root)} has no {part}"
        others = {row["source"] for row in read_jsonl(group / "manifest.jsonl")} - {info.name}
        if others:
            return f"{group.relative_to(root)}/manifest.jsonl has rows of {sorted(others)}"
    return None


def source_test_file(info: SourceInfo, root: Path) -> str | None:
    if not (root / "tests" / f"test_source_{info.name}.py").is_file():
        return f"no tests/test_source_{info.name}.py"
    return None


def readme_row(info: SourceInfo, root: Path) -> str | None:
    lines = (root / "README.md").read_text(encoding="utf-8").splitlines()
    if not any(line.startswith(f"| `{info.name}` |") for line in lines):
        return f"no row for `{info.name}` in README.md's table of spiders"
    return None


def recording_credentials(info: SourceInfo, root: Path) -> str | None:
    recording = tomllib.loads(
        (root / "tests" / "fixtures" / "web" / "recording.toml").read_text(encoding="utf-8")
    )
    missing = [name for name in info.credentials if name not in recording.get("settings", {})]
    if missing:
        return f"no placeholder for {', '.join(missing)} in recording.toml's [settings]"
    return None


CHECKLIST: dict[str, Check] = {
    "registered class": registered_class,
    "spider": spider,
    "sources.toml section": sources_toml_section,
    "fixtures folder": fixtures_folder,
    "test file": source_test_file,
    "README row": readme_row,
    "recording credentials": recording_credentials,
}
# The files a source needs, checked on a copy of the tree in the test below.
FILE_ITEMS = (
    "sources.toml section",
    "fixtures folder",
    "test file",
    "README row",
    "recording credentials",
)
SHIPPED = [info for info in registry.sources() if info.source.startswith("storycrawl.")]


@pytest.mark.parametrize(
    ("info", "item"),
    [pytest.param(info, item, id=f"{info.name}-{item}") for info in SHIPPED for item in CHECKLIST],
)
def test_checklist(info, item):
    assert CHECKLIST[item](info, ROOT) is None


def test_every_shipped_source_is_checked():
    assert {info.name for info in SHIPPED} >= {
        "hackernews", "reddit", "devto", "lobsters", "mastodon", "bluesky", "feeds", "urls"
    }  # fmt: skip


def test_a_source_without_its_fixtures_folder_fails_that_item_by_name(tmp_path):
    """The checklist on a project tree holding one complete source, then without its recording."""
    info = SourceInfo(
        "board", "Board", "x.BoardSource", "x.BoardConfig", credentials=("BOARD_TOKEN",)
    )
    web = tmp_path / "tests" / "fixtures" / "web"
    (web / "board").mkdir(parents=True)
    (web / "board" / "routes.jsonl").write_text("")
    (web / "board" / "manifest.jsonl").write_text('{"source": "board"}\n')
    (web / "board" / "README.md").write_text("# board\n")
    (web / "recording.toml").write_text('[settings]\nBOARD_TOKEN = "replay-token"\n')
    (tmp_path / "tests" / "test_source_board.py").write_text("")
    (tmp_path / "storycrawl").mkdir()
    (tmp_path / "storycrawl" / "sources.toml").write_text('[board]\nurl = "x"\n')
    (tmp_path / "README.md").write_text("| spider | reads |\n| `board` | its API |\n")

    def failing() -> list[str]:
        return [item for item in FILE_ITEMS if CHECKLIST[item](info, tmp_path) is not None]

    assert failing() == []
    shutil.rmtree(web / "board")
    assert failing() == ["fixtures folder"]
    assert "no tests/fixtures/web/board/" in fixtures_folder(info, tmp_path)
