from datetime import UTC, datetime

import pytest

from storycrawl.dates import isoformat, parse_datetime
from storycrawl.text import first_line_title, html_to_text, text_hash
from storycrawl.urls import canonical_url, host_matches, host_of


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("http://www.Example.com/post?utm_source=hn&utm_medium=social", "https://example.com/post"),
        ("https://blog.example.com/a/b/#comments", "https://blog.example.com/a/b/"),
        ("https://example.com/p?b=2&a=1&fbclid=xyz", "https://example.com/p?a=1&b=2"),
        (
            "https://jane.medium.com/post-abc123?source=rss-0a1b------2",
            "https://jane.medium.com/post-abc123",
        ),
        ("https://example.com:443/x", "https://example.com/x"),
        (
            "https://news.ycombinator.com/item?id=46500001",
            "https://news.ycombinator.com/item?id=46500001",
        ),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_canonical_url(raw, canonical):
    assert canonical_url(raw) == canonical


def test_same_article_two_spellings_share_a_canonical_url():
    assert canonical_url("https://www.x.dev/p?utm_source=hnews&utm_medium=social") == canonical_url(
        "http://x.dev/p"
    )


def test_hosts():
    assert host_of("https://www.Example.com/x") == "example.com"
    assert host_matches("boards.greenhouse.io", {"greenhouse.io"})
    assert not host_matches("notgreenhouse.io", {"greenhouse.io"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1767621731, datetime(2026, 1, 5, 14, 2, 11, tzinfo=UTC)),
        ("1767621731", datetime(2026, 1, 5, 14, 2, 11, tzinfo=UTC)),
        (1366044279.0, datetime(2013, 4, 15, 16, 44, 39, tzinfo=UTC)),
        ("2026-01-05T14:02:11.000Z", datetime(2026, 1, 5, 14, 2, 11, tzinfo=UTC)),
        ("2026-01-05T09:12:44.000-06:00", datetime(2026, 1, 5, 15, 12, 44, tzinfo=UTC)),
        ("Tue, 26 Oct 2021 04:07:52 GMT", datetime(2021, 10, 26, 4, 7, 52, tzinfo=UTC)),
        ("Mon, 05 Jan 2026 10:20:30 +0100", datetime(2026, 1, 5, 9, 20, 30, tzinfo=UTC)),
        ("2026-01-05", datetime(2026, 1, 5, tzinfo=UTC)),
        ("2025-01", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2026-01-05T10:00:00", datetime(2026, 1, 5, 10, tzinfo=UTC)),
    ],
)
def test_parse_datetime_formats_of_every_source(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value", [None, "", "yesterday", "32/13/2026", True, "   "])
def test_unparseable_dates_are_none(value):
    assert parse_datetime(value) is None


def test_isoformat_is_utc_with_z():
    assert isoformat(datetime(2026, 1, 5, 15, 12, 44, 123, tzinfo=UTC)) == "2026-01-05T15:12:44Z"


def test_html_to_text_keeps_paragraphs_and_decodes_entities():
    html = 'We ship an agent that&#x27;s <i>fast</i>.<p>What I learned: <a href="x">our evals</a><p>one<br>two'
    assert (
        html_to_text(html)
        == "We ship an agent that's fast.\n\nWhat I learned: our evals\n\none\ntwo"
    )


def test_html_to_text_drops_mastodon_invisible_link_parts():
    html = '<p>Wrote up <a href="https://dev.example/rag"><span class="invisible">https://</span><span>dev.example/rag</span></a></p>'
    assert html_to_text(html) == "Wrote up dev.example/rag"


def test_html_to_text_of_nothing():
    assert html_to_text(None) == ""
    assert html_to_text("   ") == ""


def test_text_hash_ignores_case_spacing_and_punctuation():
    assert text_hash("We built  a RAG bot.") == text_hash("we built a rag bot")
    assert text_hash("we built a rag bot") != text_hash("we built a chat bot")


def test_first_line_title_cuts_at_a_word():
    title = first_line_title("word " * 60)
    assert title.endswith("…") and len(title) <= 121
    assert first_line_title("\n\nShort first line\nsecond") == "Short first line"
