from datetime import UTC, date, datetime

import pytest

from storycrawl.args import ArgumentError, StorySpiderArgs, parse_spider_args
from storycrawl.clock import recording_time
from storycrawl.config import ConfigError, StorycrawlConfig
from storycrawl.sources import DEFAULT_SOURCES, SourcesError, load_sources
from tests.utils import WEB

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_valid_arguments_are_typed():
    args = parse_spider_args(
        StorySpiderArgs, {"since": "2026-01-01", "limit": "25", "query": " RAG "}, NOW
    )
    assert args == StorySpiderArgs(since=date(2026, 1, 1), limit=25, query="RAG")


def test_default_since_is_365_days_before_now():
    assert parse_spider_args(StorySpiderArgs, {}, NOW).since_or_default(NOW) == date(2025, 11, 27)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"since": "2025-13-01"}, "since='2025-13-01'"),
        ({"since": "last week"}, "expected a date as YYYY-MM-DD"),
        ({"since": "2027-01-01"}, "since='2027-01-01': it is in the future"),
        ({"limit": "0"}, "limit=0"),
        ({"limit": "ten"}, "limit='ten': expected a whole number"),
        ({"query": "  "}, "query"),
        ({"sinse": "2026-01-01"}, "unknown spider argument 'sinse'"),
    ],
)
def test_bad_arguments_are_refused_by_name(raw, message):
    with pytest.raises(ArgumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_spider_args(StorySpiderArgs, raw, NOW)


def test_scrapyd_job_argument_is_ignored():
    assert parse_spider_args(StorySpiderArgs, {"_job": "abc"}, NOW).limit is None


def test_shipped_sources_file_is_valid():
    sources = load_sources(DEFAULT_SOURCES)
    assert sources.hackernews is not None
    assert sources.hackernews.queries


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[hackernews]\nqueries = []\n", "hackernews.queries"),
        ("[hackernews]\nqueries = ['RAG']\nhits_per_page = 5000\n", "hackernews.hits_per_page"),
        ("[hackernews]\nqueries = ['RAG', 'rag']\n", "listed twice"),
        ("[hackernews]\nqueries = ['RAG']\nquerys = ['x']\n", "hackernews.querys"),
        ("[hackernewz]\n", "hackernewz"),
        ("[hackernews\n", "not valid TOML"),
    ],
)
def test_bad_sources_file_names_the_entry(tmp_path, toml, message):
    path = tmp_path / "sources.toml"
    path.write_text(toml)
    with pytest.raises(SourcesError, match=message):
        load_sources(path)


def test_missing_sources_file(tmp_path):
    with pytest.raises(SourcesError, match="not found"):
        load_sources(tmp_path / "nope.toml")


def test_replay_clock_is_the_recording_time():
    from scrapy.settings import Settings

    assert recording_time(WEB) == datetime(2026, 11, 27, 12, tzinfo=UTC)

    def now(settings):
        return StorycrawlConfig.from_settings(Settings(settings), environ={}).clock.now

    assert now({"STORYCRAWL_REPLAY": str(WEB)}) == datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert now({"STORYCRAWL_NOW": "2026-02-01", "STORYCRAWL_REPLAY": str(WEB)}) == datetime(
        2026, 2, 1, tzinfo=UTC
    )
    with pytest.raises(ConfigError, match="STORYCRAWL_NOW"):
        now({"STORYCRAWL_NOW": "soon"})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[hackernews]\napi_url = "hn.algolia.com/api/v1"\nqueries = ["rag"]\n',
            "hackernews.api_url: not an absolute URL (no http:// or https://): 'hn.algolia.com/api/v1'",
        ),
        (
            (
                '[reddit]\ntoken_url = "https://www.reddit.com:99999/api/v1/access_token"\n'
                '[[reddit.subreddits]]\nname = "LocalLLaMA"\n'
            ),
            "reddit.token_url: bad port in the URL: 99999",
        ),
        (
            (
                '[feeds]\n[[feeds.sites]]\nname = "Jo"\ntype = "personal"\nsite = "https://jo.example"\n'
                'feed = "jo.example/feed.xml"\n'
            ),
            "feeds.sites.0.feed: not an absolute URL",
        ),
        (
            '[mastodon]\nhashtags = ["llm"]\n[[mastodon.instances]]\nhost = "https://fosstodon.org/"\n',
            "mastodon.instances.0.host: not a host name (like mastodon.social): 'https://fosstodon.org/'",
        ),
    ],
)
def test_sources_file_urls_are_validated_naming_the_entry(tmp_path, toml, message):
    path = tmp_path / "sources.toml"
    path.write_text(toml)
    with pytest.raises(SourcesError) as error:
        load_sources(path)
    assert message in str(error.value)
