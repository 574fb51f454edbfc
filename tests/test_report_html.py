"""report.html in headless Chromium: it renders, its table is complete, nothing leaves the page."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from storycrawl.db import StoryDB
from storycrawl.items import Discussion, StoryItem
from storycrawl.report import build_report
from tests.browser import CHROMIUM_ARGS, require_chromium
from tests.utils import async_test

pytestmark = pytest.mark.browser

EVIL_TITLE = (
    'We shipped evals <script>document.title="pwned"</script> & <img src=x onerror=alert(1)>'
)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    db = StoryDB(out / "s.db")
    for i in range(30):
        db.upsert_story(
            StoryItem(
                url=f"https://blog{i % 7}.example.com/post-{i}", title=EVIL_TITLE if i == 3 else f"Story {i}",
                text="We built a RAG pipeline with pgvector and evals. " * 5, source="hackernews" if i % 2 else "reddit",
                site="hackernews" if i % 2 else "reddit r/LLMDevs", published=datetime(2026, 1 + i % 11, 1 + i, tzinfo=UTC),
                source_type=["social", "personal", "company"][i % 3], role="ai_engineer", is_first_hand=True,
                is_job_posting=False, include=True, confidence=0.8, evidence="“We built a RAG pipeline”",
                classifier="heuristic", responsibilities=["rag", "evals"], activities=["shipping"], tools=["pgvector", "LangChain"],
                discussions=[Discussion(url=f"https://news.ycombinator.com/item?id={i}", site="hackernews", points=i, comments=2)],
            )
        )  # fmt: skip
    db.close()
    build_report(out / "s.db", out, min_stories=10, now=datetime(2026, 11, 27, tzinfo=UTC))
    return out


@async_test
async def test_report_renders_in_chromium_with_every_row_and_no_outside_fetch(report):
    from playwright.async_api import async_playwright

    chromium = require_chromium()
    requests, dialogs = [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 1600})
        page.on("request", lambda request: requests.append(request.url))
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await page.goto((report / "report.html").as_uri())
        await page.wait_for_load_state("load")
        rows = await page.locator("#stories-table tbody tr").count()
        title = await page.title()
        shown = await page.locator("#stories-table").inner_text()
        charts = await page.locator("figure svg").count()
        bars = await page.locator("#chart-tools rect").count()
        await page.screenshot(path=str(report / "report.png"))
        await browser.close()
    assert rows == 30
    assert title == "AI engineers at work: first-hand stories", "no script ran"
    assert dialogs == []
    assert '<script>document.title="pwned"</script>' in shown, "the title is shown as text"
    assert [url for url in requests if not url.startswith(("file://", "data:"))] == []
    assert charts == 4
    assert bars >= 2
    assert (report / "report.png").stat().st_size > 10_000


def test_crawled_text_is_escaped(report):
    html = (report / "report.html").read_text()
    assert "<script>document" not in html
    assert "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in html
    assert "<img src=x" not in html
    stories = json.loads((report / "stories.json").read_text())
    assert any(story["title"] == EVIL_TITLE for story in stories), (
        "the data itself is kept as it was"
    )
