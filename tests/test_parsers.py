import json
from datetime import UTC, datetime

import pytest
from scrapy.http import Request, Response, TextResponse

from storycrawl.parsers import ParseError
from storycrawl.parsers.article import extract_article
from storycrawl.parsers.hackernews import parse_search_page, post_from_hit
from tests.utils import html_response

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
