import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storycrawl.dates import DatePick, first_date, isoformat, parse_datetime, pick_date, plausible
from storycrawl.text import first_line_title, html_to_text, text_hash, visible_text
from storycrawl.urls import canonical_url, host_matches, host_of, same_site, url_problem, web_link


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


# --- #14 item 1: one bad date is ignored, never raised ------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "0000-00-00", "9999-12-31T23:59:59-05:00", "2026-13-01", "garbage", "", float("nan"), 1e300],
)  # fmt: skip
def test_impossible_dates_read_as_none_and_never_raise(value):
    assert parse_datetime(value) is None


def test_dateutil_reads_the_formats_hand_written_parsers_missed():
    # A real RSS pubDate (#13 row 5) and a US-style date with a zone abbreviation.
    assert parse_datetime("2020/1/10 14:33:00") == datetime(2020, 1, 10, 14, 33, tzinfo=UTC)
    assert parse_datetime("Tuesday, January 6, 2026 3:00 PM PST") == datetime(
        2026, 1, 6, 23, tzinfo=UTC
    )
    # A string without a year is no date (dateutil would otherwise take the current year).
    assert not plausible(parse_datetime("10:00"))


def test_a_naive_time_is_read_in_the_offset_given():
    plus8 = timezone(timedelta(hours=8))
    assert parse_datetime("2026-03-04T10:00:00", plus8) == datetime(2026, 3, 4, 2, tzinfo=UTC)
    assert parse_datetime("2026-03-04T10:00:00+01:00", plus8) == datetime(2026, 3, 4, 9, tzinfo=UTC)


def test_pick_date_passes_over_placeholders_and_future_dates_to_the_next_source():
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    pick = pick_date(
        [
            ("page", "0001-01-01T00:00:00Z"),  # JSON-LD placeholder (#13 row 2)
            ("page", 0),  # the Unix epoch
            ("page", "2026-02-30"),
            ("feed", "9999-12-31T23:59:59-05:00"),
            ("feed", "2026-11-29T12:00:00Z"),  # two days past the crawl's clock
            ("page (trafilatura)", "2026-11-27T18:00:00Z"),  # within the skew
        ],
        now=now,
    )
    assert pick == DatePick(datetime(2026, 11, 27, 18, tzinfo=UTC), "page (trafilatura)")
    assert pick_date([("api", "1994-12-31")], now=now) == DatePick(None, None)
    assert first_date(None, "0000-00-00", 1767621731) == datetime(2026, 1, 5, 14, 2, 11, tzinfo=UTC)


# --- #14 item 2: malformed links are reported, never raised --------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://example.com:99999/post", "bad port in the URL: 99999"),
        ("http://example.com:0/", "bad port in the URL: 0"),
        ("http://[::1/post", "malformed host (a bad IPv6 address?)"),
        ("http://[fe80::zz]/post", "malformed host (a bad IPv6 address?)"),
        ("javascript:alert(1)", "not an http(s) URL (scheme 'javascript')"),
        ("hn.algolia.com/api/v1", "not an absolute URL (no http:// or https://)"),
        ("https://exa mple.com/", "bad host in the URL: 'exa mple.com'"),
        ("https://example.com/\x00x", "control characters in the URL"),
    ],
)
def test_url_problem_names_what_is_wrong_and_nothing_raises(url, problem):
    assert url_problem(url) == problem
    assert canonical_url(url) == url.strip()  # unchanged, for the rejection row
    host_of(url)  # no exception


def test_good_urls_have_no_problem():
    for url in (
        "https://example.com/a b",
        "http://[::1]:8080/x",
        "https://bücher.de/",
        "http://127.0.0.1:5/",
    ):
        assert url_problem(url) is None, url
    assert canonical_url("http://[::1]:8080/x?utm_source=a") == "https://[::1]:8080/x"
    assert web_link("/p#top", "https://blog.example.com/a/") == "https://blog.example.com/p"
    assert web_link("http://[::1/x", "https://blog.example.com/") is None


def test_same_site_is_the_registrable_domain():
    assert same_site("openai.com", ["blog.openai.com"])
    assert same_site("news.bbc.co.uk", ["bbc.co.uk"])
    assert not same_site("other.example.org", ["daringfireball.net"])
    assert not same_site("bob.github.io", ["alice.github.io"])  # a private suffix


def test_visible_text_drops_format_characters():
    assert visible_text("\u200e \u200e\u200b") == ""
    assert visible_text("\u3164") == ""
    assert visible_text(" Jane\u200d Roe\u200f ") == "Jane Roe"


def test_a_bad_date_in_a_classify_batch_loses_no_line():
    # #14 item 1: `scrapy classify` reads its batch through read_documents.
    from storycrawl.classify.evaluate import read_documents

    lines = [
        json.dumps(
            {
                "url": f"https://b.example/{i}",
                "title": "T",
                "text": "Some text.",
                "published": value,
            }
        )
        for i, value in enumerate(
            ["2026-02-30", "0000-00-00", "9999-12-31T23:59:59-05:00", "2026-03-04"]
        )
    ]
    rows = list(read_documents(lines))
    assert [type(r).__name__ for r in rows] == ["InputRow"] * 4
    assert [r.document.published for r in rows] == [
        None,
        None,
        None,
        datetime(2026, 3, 4, tzinfo=UTC),
    ]
