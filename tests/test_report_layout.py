"""report.html's layout in real Chromium at 400 px and 1400 px: no sideways scrolling, the key
parts visible, breakdowns that keep their own height, chart text of at least 11 px, sites
collapsed, and story rows as cards on a narrow screen. Also: the page stays small at any size."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from storycrawl.db import StoryDB
from storycrawl.items import Discussion, StoryItem
from storycrawl.report import build_report
from tests.browser import CHROMIUM_ARGS, require_chromium
from tests.utils import async_test

LONG_TITLE = "What we learned moving our retrieval-augmented-generation pipeline to pgvector-with-hnsw-indexes-everywhere"
TEXT = (
    "I own the retrieval pipeline for our support assistant. We rebuilt chunking and added a reranker, "
    "then ran our eval set of 240 questions before every release. I spend about 40% of my time on evals "
    "and data. Tool calls got a budget of eight per turn after one conversation cost eleven dollars. "
)


def fill(path, count: int = 40, sites: int = 32) -> None:
    db = StoryDB(path)
    for i in range(count):
        db.upsert_story(
            StoryItem(
                url=f"https://blog{i % sites}.example.com/{'a-very-long-path-segment-' * 3}{i}",
                title=LONG_TITLE if i % 5 == 0 else f"Story {i}: shipping evals", text=TEXT * 3,
                source=["hackernews", "reddit", "feeds", "devto"][i % 4], site=f"blog{i % sites}.example.com",
                published=datetime(2025, 1 + i % 12, 1 + i % 27, tzinfo=UTC),
                source_type=["social", "personal", "company"][i % 3], role="ai_engineer", is_first_hand=True,
                is_job_posting=False, include=True, confidence=0.8,
                evidence="“I own the retrieval pipeline for our support assistant.” — ai_engineer work: RAG, evals, agents (score 9.1 vs other 1.0); own account: own past work",
                classifier="heuristic", responsibilities=["rag", "evals", "agents"],
                activities=["running_evals", "building_pipelines"], tools=["pgvector", "LangChain"],
                discussions=[Discussion(url=f"https://news.ycombinator.com/item?id={i}", site="hackernews", points=i, comments=3)],
            )
        )  # fmt: skip
    db.close()


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("layout")
    fill(out / "s.db")
    build_report(out / "s.db", out, min_stories=10, now=datetime(2026, 11, 27, tzinfo=UTC))
    return out


MEASURE = """() => {
  const box = (sel) => { const e = document.querySelector(sel); if (!e) return null;
    const r = e.getBoundingClientRect(); return {w: r.width, h: r.height, top: r.top, left: r.left, right: r.right}; };
  const visible = (sel) => { const e = document.querySelector(sel); if (!e) return false;
    const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && r.left >= 0 && r.right <= document.documentElement.clientWidth + 0.5; };
  let smallest = 99;
  for (const svg of document.querySelectorAll('figure svg')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(t.getAttribute('font-size')) * scale);
    }
  }
  const tables = [...document.querySelectorAll('#breakdowns .breakdowns table')].map(t => t.getBoundingClientRect().height);
  const row = document.querySelector('#stories-table tbody tr');
  return {
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
    bodyScroll: document.body.scrollWidth,
    visible: Object.fromEntries(['h1', '#headline .cards', '#audit', '#themes-responsibilities blockquote',
      '#chart-months svg', '#chart-responsibilities svg', '#stories-table tbody tr', '#s1 a'].map(s => [s, visible(s)])),
    smallestChartText: smallest, breakdownHeights: tables,
    rowDisplay: getComputedStyle(row).display, theadDisplay: getComputedStyle(document.querySelector('#stories-table thead')).display,
    rowHeight: row.getBoundingClientRect().height,
    placeRows: document.querySelectorAll('#breakdowns .breakdowns table')[1].querySelectorAll('tbody tr').length,
    monthTicks: document.querySelectorAll('#chart-months text').length,
  };
}"""


@pytest.mark.browser
@async_test
async def test_layout_at_400_and_1400_px(page_dir):
    from playwright.async_api import async_playwright

    chromium = require_chromium()
    results = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        for width in (400, 1400):
            page = await browser.new_page(viewport={"width": width, "height": 900})
            await page.goto((page_dir / "report.html").as_uri())
            results[width] = await page.evaluate(MEASURE)
            await page.close()
        await browser.close()
    for width, got in results.items():
        assert got["scrollWidth"] <= got["clientWidth"], (width, "the page scrolls sideways", got)
        assert got["bodyScroll"] <= got["clientWidth"], (width, got)
        assert all(got["visible"].values()), (width, got["visible"])
        assert got["smallestChartText"] >= 11, (width, got["smallestChartText"])
        types, places, _months = got["breakdownHeights"]
        assert types < places / 3, (width, "the type table is stretched", got["breakdownHeights"])
        assert got["placeRows"] == 26, "25 sites and one 'others' row, as in report.md"
        assert got["monthTicks"] >= 12 + 3, "month labels and axis values"
    assert results[400]["rowDisplay"] == "block" and results[400]["theadDisplay"] == "none"
    assert results[1400]["rowDisplay"] == "table-row"
    assert results[400]["rowHeight"] < 900, "a card fits on a phone screen"


def test_page_beyond_html_rows_says_where_the_rest_are(tmp_path):
    fill(tmp_path / "s.db", count=12, sites=4)
    result = build_report(tmp_path / "s.db", tmp_path / "out", min_stories=1, html_rows=5)
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.count('<tr id="s') == 5
    assert "This page shows the newest 5 of 12 stories" in html and "Datasette" in html
    assert len(json.loads((tmp_path / "out" / "stories.json").read_text())) == 12
    assert (tmp_path / "out" / "report.md").read_text().count("\n| 1") >= 1
    assert result.stories == 12
