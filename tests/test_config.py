"""The typed configuration and the one StoryStore of a crawl."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.settings import Settings

from storycrawl.config import ConfigError, StorycrawlConfig, crawl_config
from storycrawl.db import StoryStore, story_store
from storycrawl.extensions import CrawlRecorder
from storycrawl.pipelines.classify import ClassifyPipeline
from storycrawl.pipelines.dedup import DedupPipeline
from storycrawl.pipelines.store import StorePipeline
from storycrawl.schema import TABLES
from storycrawl.spiders.hackernews import HackerNewsSpider
from tests.utils import WEB, make_crawler


def config_of(settings: dict, environ: dict | None = None) -> StorycrawlConfig:
    return StorycrawlConfig.from_settings(Settings(settings), environ=environ or {})


def test_the_database_path_setting_then_environment_then_default():
    assert config_of({}).db_path == Path("exports/storycrawl.db")
    assert config_of({}, {"STORYCRAWL_DB": "/data/env.db"}).db_path == Path("/data/env.db")
    both = config_of({"STORYCRAWL_DB": "/data/cli.db"}, {"STORYCRAWL_DB": "/data/env.db"})
    assert both.db_path == Path("/data/cli.db")
    # The project's settings.py does not set it, so the environment still decides.
    project = Settings()
    project.setmodule("storycrawl.settings", priority="project")
    env = StorycrawlConfig.from_settings(project, environ={"STORYCRAWL_DB": "/data/env.db"})
    assert env.db_path == Path("/data/env.db")


def test_a_replay_supplies_its_recorded_credentials_below_the_settings():
    replay = config_of({"STORYCRAWL_REPLAY": str(WEB)}, {"REDDIT_CLIENT_ID": "from-env"})
    assert replay.replay == WEB
    assert replay.credential("REDDIT_CLIENT_ID") == "replay-client-id"
    assert replay.urls_file == str(WEB / "urls" / "urls.txt")
    assert replay.clock.now == datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert replay.clock.fetch_time() == replay.clock.now
    given = config_of({"STORYCRAWL_REPLAY": str(WEB), "REDDIT_CLIENT_ID": "mine"})
    assert given.credential("REDDIT_CLIENT_ID") == "mine"
    none = config_of(
        {"STORYCRAWL_REPLAY": str(WEB), "REDDIT_CLIENT_ID": ""}, {"REDDIT_CLIENT_ID": "x"}
    )
    assert none.credential("REDDIT_CLIENT_ID") is None
    live = config_of({}, {"REDDIT_CLIENT_ID": "from-env", "OPENAI_API_KEY": "sk-x"})
    assert live.credential("REDDIT_CLIENT_ID") == "from-env"
    assert live.credential("OPENAI_API_KEY") == "sk-x"
    assert live.replay is None and not live.clock.replayed


def test_bad_values_are_named():
    with pytest.raises(ConfigError, match="STORYCRAWL_CLASSIFIER='gpt'"):
        config_of({"STORYCRAWL_CLASSIFIER": "gpt"})
    with pytest.raises(ConfigError, match="STORYCRAWL_NOW='soon'"):
        config_of({"STORYCRAWL_NOW": "soon"})


def test_one_config_and_one_store_per_crawl(tmp_db):
    crawler = make_crawler(HackerNewsSpider, {"STORYCRAWL_DB": str(tmp_db)})
    assert crawl_config(crawler) is crawl_config(crawler) is crawler.spider.crawl_config
    assert crawl_config(crawler).db_path == tmp_db
    store = story_store(crawler)
    try:
        components = [
            DedupPipeline.from_crawler(crawler),
            StorePipeline.from_crawler(crawler),
            ClassifyPipeline.from_crawler(crawler),
            crawler.get_extension(CrawlRecorder),
        ]
        assert all(component.store is store for component in components)
        assert store.path == tmp_db
    finally:
        store.close()


def test_the_store_owns_every_table(tmp_db):
    store = StoryStore(tmp_db)
    try:
        assert set(TABLES) <= set(store.db.table_names())
        assert {"llm_cache", "llm_usage"} <= set(store.db.table_names())
        assert store.db.journal_mode == "wal"
    finally:
        store.close()


def test_an_old_database_gains_new_columns_and_its_prints_are_indexed(tmp_db):
    import sqlite_utils

    old = sqlite_utils.Database(tmp_db)
    old["stories"].insert(
        {"url": "https://a.example/post", "title": "t", "fingerprint": f"{0xABCD1234:016x}"},
        pk="url",
    )
    old.close()
    store = StoryStore(tmp_db)
    try:
        assert "updated_at" in store.stories.columns_dict
        assert store.near_duplicate(0xABCD1234 ^ 0b101, "https://b.example/x") == (
            "https://a.example/post"
        )
        assert store.near_duplicate(0xABCD1234 ^ 0b1111, "https://b.example/x") is None
    finally:
        store.close()
