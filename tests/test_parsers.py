import json
from datetime import UTC, datetime

import pytest
from scrapy.http import Request, Response, TextResponse

from storycrawl.dates import DatePick, pick_date
from storycrawl.exceptions import InvalidStory
from storycrawl.parsers import ParseError, Post
from storycrawl.parsers.article import extract_article
from storycrawl.parsers.hackernews import parse_search_page, post_from_hit
from storycrawl.pipelines.normalize import NormalizePipeline
from storycrawl.spiders.base import StorySpider
from storycrawl.spiders.hackernews import HackerNewsSpider
from tests.utils import first_source, html_response

BODY = (
    "<p>We moved our support agent to structured outputs in March. I rewrote the tool schemas and our evals caught three regressions before we shipped.</p>"
    * 5
)


def page(head: str = "", body: str = BODY, charset: str = "utf-8") -> str:
    return f'<!doctype html><html lang="en"><head><meta charset="{charset}"><title>Tool schemas we rewrote</title>{head}</head><body><nav><a href="/">Home</a></nav><article><h1>Tool schemas we rewrote</h1>{body}</article><footer>© 2021 Jane Roe</footer></body></html>'


def test_article_time_comes_from_the_page_metadata():
    article = extract_article(
        html_response(
            page('<meta property="article:published_time" content="2026-03-04T09:30:00-05:00">')
        )
    )
    assert article.published == datetime(2026, 3, 4, 14, 30, tzinfo=UTC)
    assert article.date_source == "page"
    assert article.title == "Tool schemas we rewrote"
    assert "structured outputs" in article.text and "Home" not in article.text


def test_article_json_ld_gives_date_author_and_types():
    ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "datePublished": "2026-02-01T08:00:00Z",
        "author": {"@type": "Person", "name": "Jane Roe"},
        "publisher": {"@type": "Organization", "name": "Acme"},
    }
    article = extract_article(
        html_response(page(f'<script type="application/ld+json">{json.dumps(ld)}</script>'))
    )
    assert article.published == datetime(2026, 2, 1, 8, tzinfo=UTC)
    assert article.author == "Jane Roe"
    assert article.hints["schema_types"] == "BlogPosting,Organization,Person"
    assert article.hints["publisher_type"] == "Organization"


def test_article_without_a_date_has_none_not_the_copyright_year():
    article = extract_article(html_response(page()))
    assert article.published is None


def test_article_in_a_legacy_encoding_is_decoded():
    html = page(
        body="<p>Caf\u00e9 \u201cagents\u201d \u2014 we shipped the r\u00e9sum\u00e9 parser with tool calling and evals last week, and I measured the latency.</p>"
        * 4,
        charset="windows-1252",
    )
    response = TextResponse(
        url="https://blog.example.com/p",
        body=html.encode("cp1252"),
        headers={"Content-Type": "text/html; charset=windows-1252"},
        request=Request("https://blog.example.com/p"),
    )
    article = extract_article(response)
    assert "Café “agents” — we shipped the résumé parser" in article.text


def test_non_html_is_a_parse_error():
    response = Response(
        "https://x.example/paper.pdf", body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}
    )
    with pytest.raises(ParseError, match=r"not an HTML page \(application/pdf\)"):
        extract_article(response)


def test_page_without_text_is_a_parse_error():
    with pytest.raises(ParseError, match="no article text"):
        extract_article(
            html_response("<html><body><div id='app'></div><script>render()</script></body></html>")
        )


HIT = {
    "created_at": "2026-01-05T14:02:11.000Z",
    "created_at_i": 1767621731,
    "title": "Ask HN: How do you evaluate LLM agents in production?",
    "url": None,
    "author": "throwaway_ml",
    "points": 57,
    "num_comments": 41,
    "story_text": "We ship an agent that&#x27;s used by 3k people.<p>What I learned: evals.",
    "comment_text": None,
    "story_id": None,
    "_tags": ["story", "author_throwaway_ml", "story_46500001", "ask_hn"],
    "objectID": "46500001",
}


def test_text_post_hit():
    post = post_from_hit(HIT)
    assert post.url == "https://news.ycombinator.com/item?id=46500001"
    assert not post.is_link
    assert post.text == "We ship an agent that's used by 3k people.\n\nWhat I learned: evals."
    assert post.published == datetime(2026, 1, 5, 14, 2, 11, tzinfo=UTC)
    assert (post.points, post.comments, post.hints["hn_kind"]) == (57, 41, "ask_hn")
    discussion = post.discussion()
    assert (discussion.url, discussion.points, discussion.comments) == (post.url, 57, 41)


def test_link_post_hit():
    post = post_from_hit(
        {
            **HIT,
            "url": "https://blog.example.com/evals",
            "story_text": None,
            "points": None,
            "_tags": ["story"],
        }
    )
    assert post.is_link and post.link == "https://blog.example.com/evals"
    assert post.points is None and post.text == ""


@pytest.mark.parametrize("hit", [{**HIT, "objectID": ""}, {**HIT, "title": None}])
def test_hits_that_are_not_stories_are_skipped(hit):
    assert post_from_hit(hit) is None


def test_search_page_paging_fields():
    result = parse_search_page(json.dumps({"hits": [HIT], "page": 0, "nbPages": 3, "nbHits": 250}))
    assert (len(result.hits), result.page, result.nb_pages, result.nb_hits) == (1, 0, 3, 250)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"hits": [{"objectID": "1"', "not JSON"),
        (b"<html>Too Many Requests</html>", "not JSON"),
        (b'{"message": "x"}', "no 'hits'"),
    ],
)
def test_bad_search_pages(body, message):
    with pytest.raises(ParseError, match=message):
        parse_search_page(body)


# --- #13 rows 2, 6, 8: real article pages' dates, tables and JSON-LD ------------------------------


def ld_script(raw: str) -> str:
    return f'<script type="application/ld+json">{raw}</script>'


def test_a_placeholder_json_ld_date_is_ignored_for_the_next_source():
    # A newspaper network's template: datePublished 0001-01-01; the page's URL dates it.
    html = page(ld_script('{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z"}'))
    article = extract_article(
        html_response(html, url="https://news.example.com/2026/03/04/rag-evals")
    )
    assert article.published == datetime(2026, 3, 4, tzinfo=UTC)
    assert article.date_source == "page (trafilatura)"
    # With no other date on the page, the spider's next source (the sharing post) dates it.
    undated = extract_article(
        html_response(page(ld_script('{"datePublished": "0001-01-01T00:00:00Z"}')))
    )
    assert undated.published is None
    shared = Post(
        source="hackernews", id="1", url="https://news.ycombinator.com/item?id=1", title="T",
        author=None, published=datetime(2026, 3, 5, tzinfo=UTC), link="https://blog.example.com/post",
    )  # fmt: skip
    assert pick_date(StorySpider.article_dates(undated, shared)) == DatePick(
        datetime(2026, 3, 5, tzinfo=UTC), "hackernews post"
    )


def test_tables_are_kept_as_text():
    rows = "".join(
        f"<tr><td>model-{i}</td><td>0.{80 + i}</td><td>{120 + i} ms</td></tr>" for i in range(12)
    )
    body = (
        "<p>We scored every candidate model on our own retrieval eval set before switching.</p>"
        f"<table><tr><th>model</th><th>recall@5</th><th>p95 latency</th></tr>{rows}</table>"
    )
    article = extract_article(html_response(page(body=body)))
    assert "model-11" in article.text and "0.91" in article.text and "131 ms" in article.text


def test_json_ld_with_raw_control_characters_is_read():
    # A CMS pasted the headline with a raw tab and newline inside the JSON strings.
    raw = '{"@type": "BlogPosting", "headline": "Tool\tschemas\nwe rewrote", "datePublished": "2026-02-01T08:00:00Z", "author": {"@type": "Person", "name": "Jane Roe"},}'
    article = extract_article(html_response(page(ld_script(raw))))
    assert article.published == datetime(2026, 2, 1, 8, tzinfo=UTC)
    assert "BlogPosting" in article.hints["schema_types"]


def test_a_modified_date_never_stands_for_the_published_one():
    html = page('<meta property="article:modified_time" content="2026-10-01T12:00:00Z">')
    article = extract_article(html_response(html))
    assert article.published is None and article.date_source is None


def test_a_time_without_offset_takes_the_pages_own_offset():
    head = '<meta property="article:published_time" content="2026-03-04T10:00:00">' + ld_script(
        '{"@type": "BlogPosting", "datePublished": "2026-03-04T10:00:00+08:00"}'
    )
    article = extract_article(html_response(page(head)))
    assert article.published == datetime(2026, 3, 4, 2, tzinfo=UTC)  # not 10:00 UTC


# --- #14 item 2: one malformed link in an API page -----------------------------------------------


def hn_hit(object_id: int, url: str | None, **fields) -> dict:
    """A search_by_date hit as Algolia sends it (sources.md §2.1)."""
    return {
        "created_at": "2026-10-05T14:02:11.000Z", "created_at_i": 1790345000 + object_id,
        "title": f"Show HN: our eval harness, part {object_id}", "url": url, "author": "jdoe",
        "points": 40, "num_comments": 7, "story_text": None, "comment_text": None,
        "story_id": None, "story_title": None, "story_url": None, "parent_id": None,
        "_tags": ["story", "author_jdoe", f"story_{object_id}", "show_hn"],
        "objectID": str(object_id), **fields,
    }  # fmt: skip


BAD_LINKS = [
    "https://evals.example.com:99999/harness",
    "http://[::1/harness",
    "javascript:alert(1)",
]


def test_a_malformed_link_rejects_its_hit_only_and_paging_goes_on(tmp_path):
    source = first_source(
        HackerNewsSpider, "2026-11-27T12:00:00Z", {"STORYCRAWL_DB": str(tmp_path / "x.db")}
    )
    good = [f"https://evals.example.com/harness-{i}" for i in range(3)]
    hits = [hn_hit(1, good[0]), *(hn_hit(2 + i, u) for i, u in enumerate(BAD_LINKS))]
    hits += [hn_hit(10, good[1]), hn_hit(11, good[2])]
    body = {"hits": hits, "page": 0, "nbPages": 3, "nbHits": 15, "hitsPerPage": 6}
    url = "https://hn.algolia.com/api/v1/search_by_date?query=evals&page=0"
    response = TextResponse(url, body=json.dumps(body).encode(), encoding="utf-8")
    out = list(source.parse_search(response, query="evals", page=0))
    requests = [r.url for r in out if isinstance(r, Request)]
    assert requests[:3] == good and "page=1" in requests[3]  # the rest of the page, then paging
    rejected = [r for r in out if not isinstance(r, Request)]
    assert [r.url for r in rejected] == BAD_LINKS
    normalize = NormalizePipeline.from_crawler(source.spider.crawler)
    reasons = []
    for item in rejected:
        with pytest.raises(InvalidStory) as caught:
            normalize.process_item(item)
        reasons.append(caught.value.evidence)
    assert reasons == [
        "bad port in the URL: 99999",
        "malformed host (a bad IPv6 address?)",
        "not an http(s) URL (scheme 'javascript')",
    ]
    assert all(r.discussions[0].url.startswith("https://news.ycombinator.com/") for r in rejected)


def test_older_null_heavy_hits_are_still_posts():
    # Algolia's older hits: null points and comments, no created_at_i, no story_text key.
    hit = {
        "created_at": "2026-02-03T10:00:00.000Z", "title": "Our RAG bot in production",
        "url": "https://blog.example.com/rag", "author": "jdoe", "points": None,
        "num_comments": None, "objectID": "40000001", "_tags": ["story"],
    }  # fmt: skip
    post = post_from_hit(hit)
    assert post.published == datetime(2026, 2, 3, 10, tzinfo=UTC)
    assert (post.points, post.comments, post.text, post.link) == (None, None, "", hit["url"])
