"""The feeds source: parse functions on the recorded personal blogs (every feed format and its
pitfalls), the order of attempts (feed → alt_feeds → discovery → sitemap / listing) on small
hand-made responses, and `scrapy crawl feeds` replayed against the recorded web."""

from __future__ import annotations

import gzip
import json
import logging
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
import scrapy
from scrapy.http import HtmlResponse, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from storycrawl.parsers import ParseError
from storycrawl.parsers.feeds import (
    FeedEntry,
    feed_date,
    matches_query,
    newest_first,
    parse_feed,
    post_from_entry,
)
from storycrawl.parsers.sites import alternate_feeds, listing_links, parse_sitemap, sitemap_date
from storycrawl.sources import FeedSite, load_sources
from storycrawl.spiders.base import declared_hints
from storycrawl.spiders.feeds import (
    DISCOVER,
    FEED,
    LISTING,
    SITEMAP,
    Attempt,
    FeedsSource,
    FeedsSpider,
    attempt_plan,
)
from storycrawl.urls import canonical_url
from tests.utils import ROOT, WEB, make_crawler, only_feeds_of_type, read_jsonl
from tests.utils import source_stat as stat

GROUP = WEB / "feeds-personal"
FILES = GROUP / "files"
NOW = "2026-11-27T12:00:00Z"
SOURCES = ROOT / "storycrawl" / "sources.toml"


def feed(path: str, url: str, content_type: str = "application/xml"):
    return parse_feed((FILES / path).read_bytes(), url, content_type)


def manifest() -> list[dict]:
    return read_jsonl(GROUP / "manifest.jsonl")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- feed formats, on the recorded files ----------------------------------------------------


def test_substack_rss_with_cdata_dc_creator_and_content_encoded():
    parsed = feed("blog.sshh.io/feed.xml", "https://blog.sshh.io/feed")
    assert parsed.kind == "rss20" and parsed.malformed is None
    assert parsed.title == "Shrivu’s Substack"
    first = parsed.entries[0]
    assert first == FeedEntry(
        id="https://blog.sshh.io/p/sub-agents-in-production",
        link="https://blog.sshh.io/p/sub-agents-in-production",
        title="Sub-agents in production: what we learned from 9,000 delegated tasks",
        author="Shrivu Shankar",
        published=utc(2026, 10, 13, 15, 0),
        summary=first.summary,
    )
    assert first.summary.startswith("Our coding agent now delegates exploration")


def test_a_guest_authors_dc_creator_is_the_entry_author():
    parsed = feed("www.latent.space/feed.xml", "https://www.latent.space/feed")
    guest = next(e for e in parsed.entries if "guest-post" in e.link)
    assert guest.author == "Priya Natarajan"
    assert guest.title.startswith("Guest post: we replaced our RAG pipeline")


def test_medium_feed_keeps_its_tracking_link_and_stable_guid():
    parsed = feed(
        "steve-yegge.medium.com/feed.xml", "https://steve-yegge.medium.com/feed", "text/xml"
    )
    entry = parsed.entries[0]
    assert entry.title == "I Let the Agents Write My Game Server. Here’s What Happened."
    assert entry.id == "https://medium.com/p/3f9a1c7e2b44"
    assert entry.link.startswith(
        "https://steve-yegge.medium.com/i-let-the-agents-write-my-game-server-3f9a1c7e2b44?source=rss-"
    )
    assert canonical_url(entry.link) == (
        "https://steve-yegge.medium.com/i-let-the-agents-write-my-game-server-3f9a1c7e2b44"
    )
    assert entry.author == "Steve Yegge" and entry.published == utc(2026, 2, 26, 18, 5)


def test_django_atom_links_lose_their_fragment():
    parsed = feed(
        "simonwillison.net/atom_everything.xml", "https://simonwillison.net/atom/everything/"
    )
    assert parsed.kind == "atom10"
    links = [e.link for e in parsed.entries]
    assert "https://simonwillison.net/2026/Mar/12/quote-evals/" in links
    assert all("#" not in link for link in links)
    quote = next(e for e in parsed.entries if "quote-evals" in e.link)
    assert quote.id.endswith("#atom-everything")
    assert quote.published == utc(2026, 3, 12, 16, 4)
    assert quote.author == "Simon Willison"


def test_jekyll_atom_double_escaped_html_titles_are_plain_text():
    parsed = feed("huyenchip.com/feed.xml", "https://huyenchip.com/feed.xml")
    titles = [e.title for e in parsed.entries]
    assert "What a model gateway is for (and what it isn't)" in titles
    assert all(e.published and e.published < utc(2025, 11, 27) for e in parsed.entries)


def test_hugo_title_entities_are_decoded():
    parsed = feed("minimaxir.com/index.xml", "https://minimaxir.com/index.xml")
    assert parsed.entries[1].title == (
        "Structured output: cost & latency across five LLM APIs, measured"
    )
    # Hugo writes the local time and its offset.
    assert parsed.entries[1].published == utc(2026, 4, 14, 16, 0)


def test_blogger_atom_takes_the_alternate_link_among_replies_edit_and_self():
    parsed = feed(
        "blog.pamelafox.org/feeds_posts_default.xml",
        "https://blog.pamelafox.org/feeds/posts/default",
        "application/atom+xml; charset=UTF-8",
    )
    entry = parsed.entries[0]
    assert entry.link == "https://blog.pamelafox.org/2026/09/small-models-rag-evals.html"
    assert entry.id.startswith("tag:blogger.com,1999:blog-8501278254137514883.post-")
    assert entry.published == utc(2026, 9, 15, 17, 30)
    assert entry.author == "Pamela Fox"


def test_json_feed_1_0_with_an_author_object():
    parsed = feed(
        "www.sh-reya.com/blog_feed.json",
        "https://www.sh-reya.com/blog/feed.json",
        "application/json",
    )
    assert parsed.kind == "json1"
    entry = parsed.entries[0]
    assert entry.link == "https://www.sh-reya.com/blog/criteria-drift-paper/"
    assert entry.author == "Shreya Shankar"
    assert entry.published == utc(2026, 7, 28, 12, 0)
    assert entry.summary.startswith("A summary of our new paper")


def test_json_feed_1_1_relative_urls_and_an_external_url_item():
    parsed = feed(
        "timkellogg.me/feed.json", "https://timkellogg.me/feed.json", "application/feed+json"
    )
    assert parsed.kind == "json1.1"
    medium, original = parsed.entries[:2]
    assert medium.link == (
        "https://medium.com/@timkellogg/what-i-learned-running-a-stateful-agent-in-our-on-call-channel-8b2e4c1d9f07"
    )
    assert original.link == "https://timkellogg.me/blog/2026/08/20/oncall-agent"
    assert original.published == utc(2026, 8, 20, 14, 0)
    assert {e.author for e in parsed.entries} == {"Tim Kellogg"}


def test_concatenated_xml_documents_are_read_one_by_one():
    body = (FILES / "hamel.dev/index.xml").read_bytes()
    assert body.count(b"<?xml") == 2
    parsed = parse_feed(body, "https://hamel.dev/index.xml", "application/xml")
    assert parsed.malformed == "2 XML documents in one body"
    links = [e.link for e in parsed.entries]
    assert len(links) == len(set(links)) == 7, "the second document repeats two entries"
    undated = [e for e in parsed.entries if e.published is None]
    assert [e.link for e in undated] == [
        "https://hamel.dev/blog/posts/support-trace-errors/",
        "https://hamel.dev/blog/posts/judge-agreement-old/",
    ]


def test_the_first_of_two_documents_is_enough_when_the_second_is_broken():
    first = (FILES / "hamel.dev/index.xml").read_bytes().split(b"<?xml")[1]
    body = b"<?xml" + first + b'<?xml version="1.0"?><rss><channel><item><title>bro'
    parsed = parse_feed(body, "https://hamel.dev/index.xml", "application/xml")
    assert len(parsed.entries) == 7 and parsed.malformed


def test_german_pubdates_and_pubdates_without_a_timezone():
    german = feed("www.philschmid.de/rss.xml", "https://www.philschmid.de/rss")
    assert b"Do, 02 Apr 2026 09:00:00 +0200" in (FILES / "www.philschmid.de/rss.xml").read_bytes()
    assert [e.published for e in german.entries[:2]] == [
        utc(2026, 10, 6, 7, 0),
        utc(2026, 4, 2, 7, 0),
    ]
    naive = feed("jxnl.co/feed_rss_created.xml", "https://jxnl.co/feed_rss_created.xml")
    assert (
        b"<pubDate>Mon, 09 Mar 2026 10:00:00</pubDate>"
        in (FILES / "jxnl.co/feed_rss_created.xml").read_bytes()
    )
    assert naive.entries[1].published == utc(2026, 3, 9, 10, 0)


def test_relative_links_resolve_against_the_feed_url():
    parsed = feed(
        "www.geoffreylitt.com/feed.xml", "https://www.geoffreylitt.com/feed.xml", "text/xml"
    )
    assert parsed.entries[0].link == "https://www.geoffreylitt.com/2026/05/12/malleable-todo.html"
    # No guid: the link is the entry's id.
    assert parsed.entries[0].id == parsed.entries[0].link


def test_full_archive_feed_newest_first():
    parsed = feed("eugeneyan.com/rss.xml", "https://eugeneyan.com/rss/")
    assert len(parsed.entries) == 45
    ordered = newest_first(parsed.entries)
    assert [e.published for e in ordered] == sorted(
        (e.published for e in parsed.entries), reverse=True
    )
    assert sum(e.published >= utc(2025, 11, 27) for e in parsed.entries) == 3
    assert "Evals that caught bugs & evals that didn't" in {e.title for e in parsed.entries}


def test_every_recorded_feed_parses():
    routes = [json.loads(line) for line in (GROUP / "routes.jsonl").read_text().splitlines()]
    feeds = [
        r for r in routes if r.get("status", 200) == 200 and r["body"].endswith((".xml", ".json"))
    ]
    assert len(feeds) == 39
    for route in feeds:
        parsed = parse_feed(
            (GROUP / route["body"]).read_bytes(), route["url"], route["headers"]["Content-Type"]
        )
        assert parsed.entries, route["url"]
        assert all(e.link.startswith("https://") and e.title for e in parsed.entries)


HASHNODE_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel>
<title><![CDATA[Jane's Dev Notes]]></title><link>https://jane.hashnode.dev</link>
<generator>RSS for Node</generator><lastBuildDate>Fri, 06 Mar 2026 10:00:00 GMT</lastBuildDate>
<atom:link href="https://jane.hashnode.dev/rss.xml" rel="self" type="application/rss+xml"/>
<item><title><![CDATA[How we evaluate our RAG chatbot]]></title>
<description><![CDATA[<p>Two months of evals on our support bot.</p>]]></description>
<link>https://jane.hashnode.dev/how-we-evaluate-our-rag-chatbot</link>
<guid isPermaLink="true">https://jane.hashnode.dev/how-we-evaluate-our-rag-chatbot</guid>
<dc:creator><![CDATA[Jane Doe]]></dc:creator><pubDate>Thu, 05 Mar 2026 10:20:30 GMT</pubDate>
<content:encoded><![CDATA[<p>Full body&#8230;</p>]]></content:encoded></item>
</channel></rss>"""


def test_hashnode_rss_shape():
    # No personal site in the sources file is on Hashnode: the shape of sources.md §7.1.
    (entry,) = parse_feed(HASHNODE_RSS, "https://jane.hashnode.dev/rss.xml").entries
    assert (entry.title, entry.author, entry.published) == (
        "How we evaluate our RAG chatbot",
        "Jane Doe",
        utc(2026, 3, 5, 10, 20, 30),
    )
    assert entry.summary == "Two months of evals on our support bot."


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ((FILES / "simonwillison.net/atom-entries-challenge.html").read_bytes(), "text/html", "an HTML page, not a feed"),
        ((FILES / "www.swyx.io/404.html").read_bytes(), "text/html", "an HTML page, not a feed"),
        (b"", "application/rss+xml", "empty body"),
        (b"<not-a-feed><x/></not-a-feed>", "application/xml", "not a feed"),
        (b'{"items": []}', "application/json", "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "application/json", "without an 'items' list"),
        (b"<html><body>Service unavailable", "application/json", "an HTML page"),
        (b"Service unavailable", "application/json", "not JSON"),
    ],
)  # fmt: skip
def test_bodies_that_are_not_feeds(body, content_type, message):
    with pytest.raises(ParseError, match=message):
        parse_feed(body, "https://example.com/feed", content_type)


def test_entries_without_a_link_are_counted_not_kept():
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>no link</title><description>x</description></item>
<item><title>ftp</title><link>ftp://example.com/a</link></item>
<item><title>ok</title><link>https://example.com/a</link></item></channel></rss>"""
    parsed = parse_feed(body, "https://example.com/feed.xml", "application/rss+xml")
    assert [e.title for e in parsed.entries] == ["ok"] and parsed.without_link == 2


# --- dates, queries, posts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 26 Oct 2021 04:07:52 GMT", utc(2021, 10, 26, 4, 7, 52)),
        ("Tue, 26 Oct 2021 04:07:52", utc(2021, 10, 26, 4, 7, 52)),
        ("Mi, 04 Mär 2026 10:00:00 +0100", utc(2026, 3, 4, 9)),
        ("mar., 14 avr. 2026 08:30:00 +0200", utc(2026, 4, 14, 6, 30)),
        ("26 dic 2025 10:00:00 GMT", utc(2025, 12, 26, 10)),
        ("Do, 05 Okt 2026 09:00:00 +0200", utc(2026, 10, 5, 7)),
        ("2026-03-04T10:00:00+01:00", utc(2026, 3, 4, 9)),
        ("sometime last week", None),
        ("", None),
    ],
)
def test_feed_dates(value, expected):
    assert feed_date(value) == expected


def test_query_matches_word_starts_in_title_or_summary():
    assert matches_query("RAG eval", "Our RAG pipeline", "how we evaluate it")
    assert not matches_query("rag", "Storage costs", "")
    assert not matches_query("agents memory", "Agents in production", "")
    assert matches_query("", "anything")


def test_post_from_entry_declares_the_sites_type_and_is_no_thread():
    entry = FeedEntry(
        id="tag:x", link="https://example.com/p", title="T", author="A", published=utc(2026, 1, 2)
    )
    post = post_from_entry(entry, "Some Blog", "personal", ["example.com"])
    assert (post.source, post.id, post.url, post.link, post.site) == (
        "feeds",
        "tag:x",
        "https://example.com/p",
        "https://example.com/p",
        "example.com",
    )
    assert post.is_link and not post.is_thread
    assert post.article_hints == {
        "source_type": "personal",
        "source_type_reason": "declared in the sources file for Some Blog",
        "source_type_hosts": "example.com",
        "feed": "Some Blog",
    }


# --- pages, sitemaps -----------------------------------------------------------------------------


def page_text(path: str) -> str:
    return (FILES / path).read_text(encoding="utf-8")


def test_alternate_feeds_on_the_recorded_site_pages():
    assert alternate_feeds(
        page_text("www.sh-reya.com/blog.html"), "https://www.sh-reya.com/blog/"
    ) == ["https://www.sh-reya.com/blog/feed.json"]
    assert alternate_feeds(
        page_text("blog.pamelafox.org/index.html"), "https://blog.pamelafox.org/"
    ) == [
        "https://blog.pamelafox.org/feeds/posts/default",
        "https://blog.pamelafox.org/feeds/posts/default?alt=rss",
    ]
    assert alternate_feeds(page_text("timkellogg.me/blog.html"), "https://timkellogg.me/blog") == [
        "https://timkellogg.me/feed.json"
    ]
    assert alternate_feeds(
        page_text("mlabonne.github.io/blog.html"), "https://mlabonne.github.io/blog/"
    ) == ["https://mlabonne.github.io/blog/index.xml"]
    # A hreflang alternate is no feed.
    assert alternate_feeds(page_text("aider.chat/blog.html"), "https://aider.chat/blog/") == []
    # No feed announced at all: discovery fails there.
    assert alternate_feeds(page_text("www.swyx.io/index.html"), "https://www.swyx.io/") == []


def test_alternate_feeds_rel_tokens_types_and_base():
    html = """<html><head><base href="https://cdn.example.com/blog/">
    <link rel="stylesheet" href="a.css"><link rel="alternate" type="text/html" href="/amp">
    <link rel="Alternate nofollow" type="Application/RSS+XML; charset=utf-8" href="rss.xml">
    <link rel="alternate" type="application/atom+xml" href="rss.xml"></head></html>"""
    assert alternate_feeds(html, "https://example.com/blog/") == [
        "https://cdn.example.com/blog/rss.xml"
    ]


def test_listing_links_in_page_order_each_once_with_their_text():
    html = """<nav><a href="/blog">Blog</a></nav><main>
    <a href="/blog/agent-evals#intro"><img alt=""></a><a href="/blog/agent-evals"> Agent <b>evals</b> </a>
    <a href="https://cursor.com/blog/rag-at-scale">RAG at scale</a>
    <a href="https://other.com/blog/x">elsewhere</a><a href="/blog/tag/ai">tag</a></main>"""
    links = listing_links(html, "https://cursor.com/blog", r"^https://cursor\.com/blog/[^/]+$")
    assert [(link.url, link.text) for link in links] == [
        ("https://cursor.com/blog/agent-evals", "Agent evals"),
        ("https://cursor.com/blog/rag-at-scale", "RAG at scale"),
    ]


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.example.com/engineering/agent-evals</loc><lastmod>2026-03-04</lastmod></url>
<url><loc>https://www.example.com/engineering/old-post</loc><lastmod>2024-01-05T10:00:00+00:00</lastmod></url>
<url><loc>https://www.example.com/engineering/undated</loc></url>
<url><loc>https://www.example.com/engineering/garbage</loc><lastmod>last tuesday</lastmod></url>
<url><loc>https://www.example.com/engineering/offset</loc><lastmod>2026-05-01T23:30+02:00</lastmod></url>
<url><loc>https://www.example.com/careers</loc><lastmod>2026-06-01</lastmod></url>
</urlset>"""
INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.example.com/sitemap-posts.xml</loc><lastmod>2026-11-01</lastmod></sitemap>
<sitemap><loc>https://cdn.other.com/sitemap-pages.xml</loc></sitemap>
</sitemapindex>"""


def test_sitemap_urls_and_defensive_lastmod():
    parsed = parse_sitemap(URLSET)
    assert parsed.kind == "urlset"
    assert {u.loc.rsplit("/", 1)[-1]: u.lastmod for u in parsed.urls} == {
        "agent-evals": utc(2026, 3, 4),
        "old-post": utc(2024, 1, 5, 10),
        "undated": None,
        "garbage": None,
        "offset": utc(2026, 5, 1, 21, 30),
        "careers": utc(2026, 6, 1),
    }
    assert parse_sitemap(gzip.compress(URLSET)).urls == parsed.urls
    assert sitemap_date("2026-01-05T10:00:00.000Z") == utc(2026, 1, 5, 10)


def test_sitemap_index_and_bad_sitemaps():
    index = parse_sitemap(INDEX)
    assert index.kind == "sitemapindex"
    assert [u.loc for u in index.urls] == [
        "https://www.example.com/sitemap-posts.xml",
        "https://cdn.other.com/sitemap-pages.xml",
    ]
    for body, message in [
        (b"<!DOCTYPE html><html><body>hi</body></html>", "an HTML page"),
        (b"", "not XML"),
        (b"<rss><channel/></rss>", "not a sitemap"),
        (b"\x1f\x8b\x08garbage", "broken gzip"),
    ]:
        with pytest.raises(ParseError, match=message):
            parse_sitemap(body)


# --- the order of attempts ---------------------------------------------------------------------


def site(**fields) -> FeedSite:
    return FeedSite.model_validate(
        {"name": "Blog", "type": "company", "site": "https://example.com/blog", **fields}
    )


def test_attempt_plans():
    assert attempt_plan(
        site(feed="https://example.com/feed", alt_feeds=["https://example.com/rss"])
    ) == [
        Attempt(FEED, "https://example.com/feed"),
        Attempt(FEED, "https://example.com/rss"),
        Attempt(DISCOVER, "https://example.com/blog"),
    ]
    assert attempt_plan(
        site(feed="https://example.com/feed", discover=True, alt_feeds=["https://example.com/rss"])
    ) == [
        Attempt(DISCOVER, "https://example.com/blog"),
        Attempt(FEED, "https://example.com/feed"),
        Attempt(FEED, "https://example.com/rss"),
    ]
    assert attempt_plan(
        site(
            feed="https://example.com/feed",
            sitemap="https://example.com/sitemap.xml",
            listing="https://example.com/blog",
            post_pattern="/blog/",
        )
    ) == [
        Attempt(FEED, "https://example.com/feed"),
        Attempt(DISCOVER, "https://example.com/blog"),
        Attempt(SITEMAP, "https://example.com/sitemap.xml"),
        Attempt(LISTING, "https://example.com/blog"),
    ]
    assert attempt_plan(site(sitemap="https://example.com/sitemap.xml", post_pattern="/blog/")) == [
        Attempt(SITEMAP, "https://example.com/sitemap.xml")
    ]
    assert attempt_plan(site(listing="https://example.com/blog", post_pattern="/blog/")) == [
        Attempt(LISTING, "https://example.com/blog")
    ]
    assert attempt_plan(site(discover=True)) == [Attempt(DISCOVER, "https://example.com/blog")]
    assert attempt_plan(site()) == [Attempt(DISCOVER, "https://example.com/blog")]


Web = dict[str, tuple[int, str, bytes]]
RSS = "application/rss+xml"
HTML = "text/html; charset=utf-8"


def rss(*items: tuple[str, str, str]) -> bytes:
    """An RSS 2.0 feed of (title, link, pubDate) items."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link>"
        + (f"<pubDate>{d}</pubDate>" if d else "")
        + f"<description>{t} summary</description></item>"
        for t, link, d in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>{body}</channel></rss>'
    ).encode()


def html_page(head: str = "", body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head><title>Blog</title>{head}</head><body>{body}</body></html>".encode()


def source_of(tmp_path: Path, sites: str, max_entries: int = 3, **args: str) -> FeedsSource:
    path = tmp_path / "sources.toml"
    path.write_text(f"[feeds]\nmax_entries = {max_entries}\n{sites}", encoding="utf-8")
    settings = {"STORYCRAWL_NOW": NOW, "STORYCRAWL_SOURCES": str(path)}
    return make_crawler(FeedsSpider, settings, **args).spider.sources[0]


def answer(request: scrapy.Request, web: Web) -> list:
    """The callback's (or errback's) results for the recorded answer to a request."""
    status, content_type, body = web.get(request.url, (404, HTML, b"<html>not found</html>"))
    cls = HtmlResponse if "html" in content_type else TextResponse
    response = cls(
        url=request.url,
        status=status,
        headers={"Content-Type": content_type},
        body=body,
        request=request,
    )
    if 200 <= status < 300:
        return list(request.callback(response, **request.cb_kwargs))
    failure = Failure(HttpError(response, f"Ignoring non-200 response ({status})"))
    failure.request = request
    return list(request.errback(failure))


def run(source: FeedsSource, web: Web) -> tuple[list[str], list[str]]:
    """Every request the source makes against `web`, and the articles it follows, in order."""
    pending = list(source.start_requests())
    requested: list[str] = []
    articles: list[str] = []
    while pending:
        request = pending.pop(0)
        if request.callback == source.spider.parse_article:
            articles.append(request.url)
            continue
        requested.append(request.url)
        pending.extend(r for r in answer(request, web) if isinstance(r, scrapy.Request))
    return requested, articles


SITE = """
[[feeds.sites]]
name = "Blog"
type = "personal"
site = "https://example.com/"
"""
POST_A = ("Agent evals we run", "https://example.com/agent-evals", "Mon, 02 Mar 2026 10:00:00 GMT")
POST_B = ("RAG chunking notes", "https://example.com/chunking", "Tue, 03 Feb 2026 10:00:00 GMT")


def test_feed_then_alt_feeds_then_discovery(tmp_path):
    source = source_of(
        tmp_path,
        SITE + 'feed = "https://example.com/feed.xml"\nalt_feeds = ["https://example.com/rss"]\n',
    )
    web = {
        "https://example.com/rss": (200, HTML, html_page(body="<p>We moved!</p>")),
        "https://example.com/": (
            200,
            HTML,
            html_page('<link rel="alternate" type="application/atom+xml" href="/atom.xml">'),
        ),
        "https://example.com/atom.xml": (200, RSS, rss(POST_A, POST_B)),
    }
    requested, articles = run(source, web)
    assert requested == [
        "https://example.com/feed.xml",
        "https://example.com/rss",
        "https://example.com/",
        "https://example.com/atom.xml",
    ]
    assert articles == ["https://example.com/agent-evals", "https://example.com/chunking"]
    assert stat(source, "attempts_failed") == 2
    assert stat(source, "feeds_discovered") == 1
    assert stat(source, "sites_failed") is None


def test_discover_first_then_the_guess_then_alt_feeds(tmp_path):
    source = source_of(
        tmp_path,
        SITE
        + 'discover = true\nfeed = "https://example.com/feed.xml"\n'
        + 'alt_feeds = ["https://example.com/blog/feed.xml"]\n',
    )
    web = {
        "https://example.com/": (
            200,
            HTML,
            html_page('<link rel="alternate" hreflang="de" href="/de/">'),
        ),
        "https://example.com/blog/feed.xml": (200, RSS, rss(POST_A)),
    }
    requested, articles = run(source, web)
    assert requested == [
        "https://example.com/",
        "https://example.com/feed.xml",
        "https://example.com/blog/feed.xml",
    ]
    assert articles == ["https://example.com/agent-evals"]


def test_a_discovered_feed_that_fails_falls_back_without_asking_twice(tmp_path):
    source = source_of(
        tmp_path,
        SITE
        + 'discover = true\nfeed = "https://example.com/feed.xml"\n'
        + 'alt_feeds = ["https://example.com/rss.xml"]\n',
    )
    web = {
        "https://example.com/": (
            200,
            HTML,
            html_page('<link rel="alternate" type="application/rss+xml" href="feed.xml">'),
        ),
        "https://example.com/rss.xml": (200, RSS, rss(POST_A)),
    }
    requested, _ = run(source, web)
    assert requested == [
        "https://example.com/",
        "https://example.com/feed.xml",
        "https://example.com/rss.xml",
    ], "the guess is the discovered feed: asked once"


def test_discovery_pointing_at_the_failed_feed_goes_on_to_the_sitemap(tmp_path):
    source = source_of(
        tmp_path,
        SITE
        + 'feed = "https://example.com/feed.xml"\nsitemap = "https://example.com/sitemap.xml"\n'
        + 'post_pattern = "^https://example\\\\.com/engineering/"\n',
    )
    web = {
        "https://example.com/": (
            200,
            HTML,
            html_page('<link rel="alternate" type="application/rss+xml" href="/feed.xml">'),
        ),
        "https://example.com/sitemap.xml": (200, "application/xml", URLSET.replace(b"www.", b"")),
    }
    requested, articles = run(source, web)
    assert requested == [
        "https://example.com/feed.xml",
        "https://example.com/",
        "https://example.com/sitemap.xml",
    ]
    # Pattern, then lastmod not before since (undated and unreadable lastmods are kept), newest
    # first, at most max_entries (3).
    assert articles == [
        "https://example.com/engineering/undated",
        "https://example.com/engineering/garbage",
        "https://example.com/engineering/offset",
    ]
    assert stat(source, "out_of_range") == 1
    assert stat(source, "skipped/beyond_max_entries") == 1


def test_a_sitemap_index_is_followed_to_its_same_host_children(tmp_path):
    source = source_of(
        tmp_path,
        SITE.replace("https://example.com/", "https://www.example.com/engineering")
        + 'sitemap = "https://www.example.com/sitemap.xml"\n'
        + 'post_pattern = "^https://www\\\\.example\\\\.com/engineering/[^/]+$"\n',
        max_entries=10,
    )
    web = {
        "https://www.example.com/sitemap.xml": (200, "application/xml", INDEX),
        "https://www.example.com/sitemap-posts.xml": (200, "application/xml", URLSET),
    }
    requested, articles = run(source, web)
    assert requested == [
        "https://www.example.com/sitemap.xml",
        "https://www.example.com/sitemap-posts.xml",
    ]
    assert len(articles) == 4 and "https://www.example.com/careers" not in articles
    assert stat(source, "skipped/other_host_sitemaps") == 1


def test_a_listing_at_the_site_url_reuses_the_discovery_page(tmp_path):
    source = source_of(
        tmp_path,
        SITE.replace("https://example.com/", "https://example.com/blog")
        + 'feed = "https://example.com/blog/rss.xml"\nlisting = "https://example.com/blog"\n'
        + 'post_pattern = "^https://example\\\\.com/blog/[^/]+$"\n',
    )
    listing = html_page(
        body='<a href="/blog/agent-evals">Agent evals</a><a href="/blog/tag/ai">AI</a>'
        '<a href="https://example.com/blog/rag-notes">RAG notes</a>'
    )
    web = {"https://example.com/blog": (200, HTML, listing)}
    requested, articles = run(source, web)
    assert requested == ["https://example.com/blog/rss.xml", "https://example.com/blog"]
    assert articles == [
        "https://example.com/blog/agent-evals",
        "https://example.com/blog/rag-notes",
    ], "in page order; /blog/tag/ai does not match the pattern"
    assert stat(source, "listings_read") == 1


def test_a_site_where_everything_fails_is_counted_and_logged_once(tmp_path, caplog):
    source = source_of(
        tmp_path,
        SITE
        + 'feed = "https://example.com/feed.xml"\nlisting = "https://example.com/posts"\n'
        + 'post_pattern = "/posts/"\n',
    )
    web = {
        "https://example.com/feed.xml": (200, RSS, b"<html><body>Just a moment...</body></html>"),
        "https://example.com/": (200, "application/pdf", b"%PDF-1.4"),
        "https://example.com/posts": (200, HTML, html_page(body='<a href="/about">About</a>')),
    }
    with caplog.at_level(logging.WARNING):
        _, articles = run(source, web)
    assert articles == []
    assert stat(source, "sites_failed") == 1 and stat(source, "attempts_failed") == 3
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line == (
        "feeds: Blog: nothing worked, the site is skipped: "
        "https://example.com/feed.xml: not a feed: an HTML page, not a feed; "
        "https://example.com/: not an HTML page (application/pdf); "
        "https://example.com/posts: no links matching '/posts/'"
    )


def test_a_network_error_moves_on_to_the_next_attempt(tmp_path):
    source = source_of(
        tmp_path,
        SITE + 'feed = "https://example.com/feed.xml"\nalt_feeds = ["https://example.com/rss"]\n',
    )
    (request,) = source.start_requests()
    failure = Failure(ConnectionRefusedError("Connection refused"))
    failure.request = request
    (following,) = request.errback(failure)
    assert following.url == "https://example.com/rss"
    assert source.sites["Blog"].failures == [
        "https://example.com/feed.xml: ConnectionRefusedError: Connection refused"
    ]


def test_start_requests_follow_the_sources_file_order():
    crawler = make_crawler(FeedsSpider, {"STORYCRAWL_NOW": NOW})
    source = crawler.spider.sources[0]
    requests = list(source.start_requests())
    sites = [s for s in load_sources().feeds.sites if s.enabled]
    assert [r.url for r in requests] == [attempt_plan(s)[0].url for s in sites]
    assert [r.cb_kwargs["site"] for r in requests] == [s.name for s in sites]
    assert all(r.dont_filter and r.meta["source"] == "feeds" for r in requests)


# --- entries: window, cap, dedup, query, limit ---------------------------------------------------

TWO_SITES = (
    SITE
    + 'feed = "https://example.com/feed.xml"\n'
    + '\n[[feeds.sites]]\nname = "Mirror"\ntype = "company"\nsite = "https://mirror.example.org/"\n'
    + 'feed = "https://mirror.example.org/feed.xml"\n'
)
ITEMS = [
    ("Agent evals we run", "https://example.com/agent-evals", "Mon, 02 Mar 2026 10:00:00 GMT"),
    ("RAG chunking notes", "https://example.com/chunking", "Tue, 03 Feb 2026 10:00:00 GMT"),
    ("An undated post", "https://example.com/undated", ""),
    ("Prompt caching, measured", "https://example.com/caching", "Wed, 14 Jan 2026 10:00:00 GMT"),
    ("Tool calling bugs", "https://example.com/tools", "Thu, 04 Dec 2025 10:00:00 GMT"),
    ("An old post", "https://example.com/old", "Fri, 03 Oct 2025 10:00:00 GMT"),
]


def entries_web() -> Web:
    return {
        "https://example.com/feed.xml": (200, RSS, rss(*ITEMS)),
        # The mirror republishes two of the posts, one with tracking parameters.
        "https://mirror.example.org/feed.xml": (
            200,
            RSS,
            rss(
                ("Agent evals we run", "https://www.example.com/agent-evals?utm_source=rss", ""),
                ("Mirror news", "https://mirror.example.org/news", "Sat, 07 Mar 2026 10:00:00 GMT"),
            ),
        ),
    }


def test_entries_newest_first_within_the_window_and_max_entries(tmp_path):
    source = source_of(tmp_path, TWO_SITES)
    _, articles = run(source, entries_web())
    assert articles == [
        "https://example.com/undated",
        "https://example.com/agent-evals",
        "https://example.com/chunking",
        "https://mirror.example.org/news",
    ]
    assert stat(source, "out_of_range") == 1, "the old post: skipped before any fetch"
    assert stat(source, "skipped/beyond_max_entries") == 2
    assert stat(source, "skipped/seen") == 1, "the mirror's copy of agent-evals"
    assert stat(source, "candidates") == 4


def test_followed_posts_carry_the_declared_type_of_their_site(tmp_path):
    source = source_of(tmp_path, TWO_SITES)
    (request,) = [r for r in source.start_requests() if "mirror" in r.url]
    answer(request, entries_web())
    mirror_post = source.spider.articles[canonical_url("https://mirror.example.org/news")].posts[0]
    assert mirror_post.article_hints["source_type"] == "company"
    assert mirror_post.site == "mirror.example.org" and not mirror_post.is_thread


def test_query_keeps_entries_whose_title_or_summary_has_its_words(tmp_path):
    source = source_of(tmp_path, TWO_SITES, query="caching")
    _, articles = run(source, entries_web())
    assert articles == ["https://example.com/caching"]
    assert stat(source, "skipped/not_matching_query") == 6


def test_limit_counts_followed_entries(tmp_path):
    source = source_of(tmp_path, TWO_SITES, limit="2")
    _, articles = run(source, entries_web())
    assert len(articles) == 2
    assert stat(source, "limit_reached") >= 1


def test_a_malformed_feed_with_entries_is_read_and_counted(tmp_path):
    source = source_of(tmp_path, SITE + 'feed = "https://example.com/index.xml"\n', max_entries=30)
    body = (FILES / "hamel.dev/index.xml").read_bytes()
    _, articles = run(source, {"https://example.com/index.xml": (200, "application/xml", body)})
    assert stat(source, "malformed_feeds") == 1
    assert articles[:2] == [
        "https://hamel.dev/blog/posts/support-trace-errors/",
        "https://hamel.dev/blog/posts/judge-agreement-old/",
    ], "undated entries are followed: their page dates them"


# --- the replayed crawl of the personal blogs ----------------------------------------------------


@pytest.fixture(scope="module")
def crawl(replayed):
    """The personal blogs only: the company sites' recording is `feeds-company/`."""
    sources = only_feeds_of_type("personal")
    enabled = [s for s in tomllib.loads(sources)["feeds"]["sites"] if s.get("enabled", True)]
    assert len(enabled) == 40 and {s["type"] for s in enabled} == {"personal"}
    return replayed("feeds", sources=sources)


@pytest.mark.e2e
def test_labels_dates_and_declared_type_match_the_manifest(crawl):
    for entry in manifest():
        if entry["expect"] != "include":
            continue
        story = crawl["stories"][entry["url"]]
        assert story["published"][:10] == entry["published"], entry["url"]
        assert story["source_type"] == "personal" == entry["source_type"]
        assert story["source_type_evidence"].startswith("declared in the sources file for ")
        assert story["source"] == "feeds" and story["discussions"] == [], entry["url"]


@pytest.mark.e2e
def test_stats_of_the_attempts_and_nothing_missing(crawl):
    stats = crawl["stats"]
    source = "storycrawl/source/feeds"
    assert stats.get("storycrawl/replay/missing", 0) == 0
    assert stats[f"{source}/feeds_read"] == 39
    assert stats[f"{source}/feeds_discovered"] == 7
    # Simon Willison's HTML page, Armin's feed.atom, aider's page and feed.xml, Han Lee's
    # feed.xml, swyx's feed and page.
    assert stats[f"{source}/attempts_failed"] == 7
    assert stats[f"{source}/sites_failed"] == 1
    assert stats[f"{source}/malformed_feeds"] == 1
    assert stats[f"{source}/candidates"] == len(manifest()) == 64
    assert stats[f"{source}/out_of_range"] == 108, "old entries, skipped before any fetch"
    failed = [line for line in crawl["log"].splitlines() if "nothing worked" in line]
    assert len(failed) == 1 and "feeds: swyx:" in failed[0]
    assert "https://www.swyx.io/rss.xml: HTTP 404" in failed[0]


# --- #13 rows 1, 4, 5, 10 and #14 items 1-2: real feed shapes -------------------------------------

BOM_CR_FEED = (
    b"\xef\xbb\xbf"
    b'<?xml version="1.0" encoding="utf-8"?>\r'
    b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\r'
    b"<channel><title>A Windows blog</title><link>https://notes.example.net/</link>\r"
    b"<item><title>Our eval harness, one year on</title>\r"
    b"<link>https://notes.example.net/2026/09/eval-harness</link>\r"
    b"<dc:creator>Jo Park</dc:creator>\r"
    b"<pubDate>Tue, 15 Sep 2026 08:00:00 GMT</pubDate></item>\r"
    b"</channel></rss>\r"
)


def test_a_feed_with_a_utf8_bom_and_cr_line_endings_parses_like_one_without():
    assert BOM_CR_FEED.startswith(b"\xef\xbb\xbf<?xml") and b"\n" not in BOM_CR_FEED
    parsed = parse_feed(BOM_CR_FEED, "https://notes.example.net/feed.xml", "application/rss+xml")
    plain = parse_feed(BOM_CR_FEED[3:].replace(b"\r", b"\n"), "https://notes.example.net/feed.xml")
    assert parsed.entries == plain.entries and parsed.malformed is None
    (entry,) = parsed.entries
    assert (entry.link, entry.author, entry.published) == (
        "https://notes.example.net/2026/09/eval-harness", "Jo Park", utc(2026, 9, 15, 8),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("version", "kind"),
    [
        ("http://jsonfeed.org/version/1", "json1"),
        ("https://jsonfeed.org/version/1", "json1"),
        ("http://jsonfeed.org/version/1.1", "json1.1"),
        ("https://jsonfeed.org/version/1.1/", "json1.1"),
    ],
)
def test_json_feed_versions_over_http_and_https(version, kind):
    body = json.dumps(
        {"version": version, "title": "T", "items": [{"id": "1", "url": "https://j.example/p"}]}
    ).encode()
    assert parse_feed(body, "https://j.example/feed.json").kind == kind


def test_a_pubdate_feedparser_misreads_is_read_by_the_date_parser():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Shipping a RAG bot</title><link>https://cn.example.com/p/1</link>"
        b"<pubDate>2020/1/10 14:33:00</pubDate></item></channel></rss>"
    )
    # The trigger: feedparser's own tuple is eleven months off.
    raw = feedparser.parse(body).entries[0]
    assert tuple(raw.published_parsed[:3]) == (2020, 12, 1)
    (entry,) = parse_feed(body, "https://cn.example.com/feed").entries
    assert entry.published == utc(2020, 1, 10, 14, 33)


def test_impossible_entry_dates_never_lose_the_entry_or_the_feed():
    items = "".join(
        f"<item><title>Post {i}</title><link>https://b.example/{i}</link><pubDate>{d}</pubDate></item>"
        for i, d in enumerate(["2026-02-30", "0000-00-00", "9999-12-31T23:59:59-05:00", "Mon, 05 Oct 2026 10:00:00 GMT"])
    )  # fmt: skip
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )
    entries = parse_feed(body.encode(), "https://b.example/feed").entries
    assert [e.published for e in entries] == [None, None, None, utc(2026, 10, 5, 10)]


def test_impossible_lastmods_never_lose_the_sitemap():
    body = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://b.example/a</loc><lastmod>2026-02-30</lastmod></url>"
        b"<url><loc>https://b.example/b</loc><lastmod>0000-00-00</lastmod></url>"
        b"<url><loc>https://b.example:99999/c</loc><lastmod>2026-01-05</lastmod></url>"
        b"<url><loc>https://b.example/d</loc><lastmod>2026-01-05</lastmod></url></urlset>"
    )
    sitemap = parse_sitemap(body)
    assert [(u.loc, u.lastmod) for u in sitemap.urls] == [
        ("https://b.example/a", None),
        ("https://b.example/b", None),
        ("https://b.example/d", utc(2026, 1, 5)),
    ]


def test_malformed_links_on_a_page_are_left_out():
    html = (
        '<link rel="alternate" type="application/rss+xml" href="http://[::1/feed">'
        '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        '<a href="javascript:void(0)">x</a><a href="https://b.example:99999/posts/1">bad</a>'
        '<a href="/posts/2">Good post</a>'
    )
    assert alternate_feeds(html, "https://b.example/") == ["https://b.example/feed.xml"]
    assert [link.url for link in listing_links(html, "https://b.example/", "/posts/")] == [
        "https://b.example/posts/2"
    ]


LINK_BLOG_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>A link blog</title><link rel="alternate" href="https://linkblog.example/"/>
<id>https://linkblog.example/feeds/main</id><updated>2026-10-02T10:00:00Z</updated>
<entry>
  <title>An agent postmortem worth reading</title>
  <link rel="alternate" type="text/html" href="https://eng.other-company.example/agent-postmortem"/>
  <link rel="shorturl" type="text/html" href="http://lb.example/x1"/>
  <link rel="related" type="text/html" href="https://linkblog.example/linked/2026/10/02/agent-postmortem"/>
  <id>tag:linkblog.example,2026:/linked//6.41</id>
  <published>2026-10-02T10:00:00Z</published><updated>2026-10-02T10:00:00Z</updated>
  <author><name>The Linker</name></author>
  <content type="html">&lt;p&gt;Worth a read.&lt;/p&gt;</content>
</entry>
<entry>
  <title>My own essay</title>
  <link rel="alternate" type="text/html" href="https://linkblog.example/2026/10/01/essay"/>
  <id>tag:linkblog.example,2026://1.2</id><published>2026-10-01T09:00:00Z</published>
</entry>
</feed>"""


def test_a_link_blog_entry_keeps_its_permalink_as_the_discussion():
    linked, own = parse_feed(LINK_BLOG_ATOM, "https://linkblog.example/feeds/main").entries
    assert linked.link == "https://eng.other-company.example/agent-postmortem"
    assert linked.permalink == "https://linkblog.example/linked/2026/10/02/agent-postmortem"
    post = post_from_entry(linked, "A link blog", "personal", ["linkblog.example"])
    assert post.is_thread and post.url == linked.permalink and post.link == linked.link
    assert post.discussion().site == "linkblog.example" and post.date_source is None
    mine = post_from_entry(own, "A link blog", "personal", ["linkblog.example"])
    assert not mine.is_thread and mine.url == mine.link and mine.date_source == "feed"


def test_the_declared_type_applies_only_to_pages_on_the_declared_site():
    linked, own = parse_feed(LINK_BLOG_ATOM, "https://linkblog.example/feeds/main").entries
    post = post_from_entry(linked, "A link blog", "personal", ["linkblog.example"])
    elsewhere = declared_hints(post, "https://eng.other-company.example/agent-postmortem")
    assert "source_type" not in elsewhere
    assert elsewhere["declared_type_not_applied"] == "personal declared for linkblog.example"
    mine = post_from_entry(own, "A link blog", "personal", ["linkblog.example"])
    assert (
        declared_hints(mine, "https://linkblog.example/2026/10/01/essay")["source_type"]
        == "personal"
    )
    # A redirect to another host of the same site keeps it (blog.x → x).
    assert declared_hints(mine, "https://www.linkblog.example/essay")["source_type"] == "personal"


def test_a_json_feed_link_blog_item_follows_its_external_url():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [
                {
                    "id": "l1",
                    "url": "https://jf.example/linked/1",
                    "external_url": "https://elsewhere.example/post",
                    "date_published": "2026-10-01T10:00:00Z",
                }
            ],
        }
    ).encode()
    (entry,) = parse_feed(body, "https://jf.example/feed.json").entries
    assert (entry.link, entry.permalink) == (
        "https://elsewhere.example/post",
        "https://jf.example/linked/1",
    )


def test_the_recorded_hand_made_feed_with_bom_cr_and_slash_dates():
    body = (FILES / "www.geoffreylitt.com/feed.xml").read_bytes()
    assert (
        body.startswith(b"\xef\xbb\xbf<?xml")
        and b"\n" not in body
        and b"<pubDate>2026/5/12 " in body
    )
    parsed = parse_feed(body, "https://www.geoffreylitt.com/feed.xml", "application/rss+xml")
    first = parsed.entries[0]
    assert first.link == "https://www.geoffreylitt.com/2026/05/12/malleable-todo.html"
    assert first.published == utc(2026, 5, 12, 10)  # feedparser alone: 2026-12-01


def test_the_recorded_json_feed_1_0_says_http():
    body = (FILES / "www.sh-reya.com/blog_feed.json").read_bytes()
    assert json.loads(body)["version"] == "http://jsonfeed.org/version/1"
    assert parse_feed(body, "https://www.sh-reya.com/blog/feed.json").kind == "json1"


def test_a_link_blog_entry_through_the_source_and_the_article(tmp_path):
    # #13 row 10 in the spider: the other site's article is followed, it does not get the blog's
    # declared type, and the blog's own permalink is its discussion.
    site = """
[[feeds.sites]]
name = "A link blog"
type = "personal"
site = "https://linkblog.example/"
feed = "https://linkblog.example/feeds/main"
"""
    source = source_of(tmp_path, site)
    text = "We rebuilt our agent's retries with idempotency keys and a retry budget. " * 8
    page = html_page(
        '<meta property="article:published_time" content="2026-10-01T08:00:00Z">',
        f"<article><h1>Agent postmortem</h1><p>{text}</p></article>",
    )
    web: Web = {
        "https://linkblog.example/feeds/main": (200, "application/atom+xml", LINK_BLOG_ATOM),
        "https://eng.other-company.example/agent-postmortem": (200, HTML, page),
        "https://linkblog.example/2026/10/01/essay": (200, HTML, page),
    }
    (feed_request,) = source.start_requests()
    followed = [r for r in answer(feed_request, web) if isinstance(r, scrapy.Request)]
    assert [r.url for r in followed] == [
        "https://eng.other-company.example/agent-postmortem",
        "https://linkblog.example/2026/10/01/essay",
    ]
    (other,) = answer(followed[0], web)
    assert "source_type" not in other.hints
    assert other.hints["declared_type_not_applied"] == "personal declared for linkblog.example"
    assert [d.url for d in other.discussions] == [
        "https://linkblog.example/linked/2026/10/02/agent-postmortem"
    ]
    assert other.discussions[0].site == "linkblog.example"
    assert (other.published, other.date_source) == (utc(2026, 10, 1, 8), "page")
    (own,) = answer(followed[1], web)
    assert own.hints["source_type"] == "personal" and own.discussions == []
