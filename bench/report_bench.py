"""How long `scrapy report` takes for a large database, how much memory it needs, and how long
its report.html takes to render in headless Chromium.

    python bench/report_bench.py [--stories 100000]

Builds a temporary database of synthetic included stories (about 3 KB of text each, codes and
tools and a one-line summary as the classifier stores them)
and as many rejections, then runs `scrapy report` in its own process (wall time, CPU time and
peak RSS from the OS) and opens the report.html it wrote in Debian's Chromium through
Playwright (time until the page has loaded and laid out). Targets (#17): < 10 s and < 500 MB
for the report at 100,000 stories, < 10 s for Chromium. Numbers are for this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storycrawl.browser import CHROMIUM_ARGS
from storycrawl.classify.codebook import ACTIVITIES, RESPONSIBILITIES, TOOLS
from storycrawl.db import StoryDB, story_to_row
from storycrawl.items import Discussion, StoryItem

SENTENCES = [
    "We built an agent with tool calling and evals; latency and cost mattered.",
    "I spend about 40% of my time on evals and data, the rest on features.",
    "Our golden set of 300 questions runs before every prompt change.",
    "Prompt caching cut our input token bill in half once the stable parts came first.",
    "The judge model agreed with our support team's labels on 88% of transcripts.",
]


def fill(db: StoryDB, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    tools = list(TOOLS)
    batch = []
    for i in range(count):
        text = " ".join(rng.choice(SENTENCES) for _ in range(40))
        item = StoryItem(
            url=f"https://site{i % 400}.example.com/post-{i}", title=f"Story {i}: what we learned shipping agents",
            text=text, source=rng.choice(["hackernews", "reddit", "feeds", "devto", "mastodon", "bluesky"]),
            site=f"site{i % 400}.example.com", published=start + timedelta(minutes=rng.randrange(360 * 24 * 60)),
            source_type=rng.choice(["social", "personal", "company"]), role="ai_engineer", is_first_hand=True,
            is_job_posting=False, include=True, confidence=round(rng.uniform(0.5, 0.99), 2),
            evidence="“We built an agent with tool calling” — ai_engineer work: agents, evals (score 9.0 vs other 1.0)",
            classifier="heuristic", summary=rng.choice(SENTENCES),
            responsibilities=rng.sample([c.key for c in RESPONSIBILITIES], 3),
            activities=rng.sample([c.key for c in ACTIVITIES], 3), tools=rng.sample(tools, 4),
            discussions=[Discussion(url=f"https://news.ycombinator.com/item?id={i}", site="hackernews", points=i % 300, comments=i % 50)],
        )  # fmt: skip
        batch.append(story_to_row(item))
        if len(batch) == 5000:
            db.stories.insert_all(batch, pk="url", batch_size=1000)
            batch = []
    if batch:
        db.stories.insert_all(batch, pk="url", batch_size=1000)
    db.rejections.insert_all(
        ({"id": f"r{i}", "url": f"https://jobs.example.com/{i}", "source": "hackernews", "stage": "jobs",
          "reason": "job_posting", "evidence": "job board"} for i in range(count)),
        pk="id", batch_size=1000,
    )  # fmt: skip
    db.runs.insert({"id": "bench", "spider": "all", "stats": {"downloader/response_count": count}})


def run_report(db: Path, out: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds and peak RSS (bytes) of `scrapy report`, and its last line."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "report", "--db", str(db), "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status:
        raise SystemExit(f"scrapy report failed:\n{output}")
    lines = output.strip().splitlines()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, lines[-1] if lines else ""


async def render(html: Path) -> tuple[float, int]:
    """Seconds until Chromium has loaded and laid out the page, and the page's height."""
    from playwright.async_api import async_playwright

    chromium = os.environ.get("STORYCRAWL_CHROMIUM", "/usr/bin/chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        started = time.perf_counter()
        await page.goto(html.as_uri(), wait_until="load", timeout=300_000)
        height = await page.evaluate("document.documentElement.scrollHeight")
        seconds = time.perf_counter() - started
        await browser.close()
    return seconds, height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = StoryDB(path)
        started = time.perf_counter()
        fill(db, args.stories)
        db.close()
        filled = time.perf_counter() - started
        print(
            f"stories: {args.stories:,}  (database {path.stat().st_size / 1e6:.0f} MB, filled in {filled:.0f} s)"
        )
        wall, cpu, rss, last = run_report(path, Path(tmp) / "out")
        print(
            f"scrapy report: {wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {rss / 1e6:.0f} MB  ({last})"
        )
        for name in ("report.md", "report.html", "stories.json", "stories.csv"):
            print(f"  {name:<14} {(Path(tmp) / 'out' / name).stat().st_size / 1e6:7.2f} MB")
        seconds, height = asyncio.run(render(Path(tmp) / "out" / "report.html"))
        print(f"Chromium: report.html loaded and laid out in {seconds:.2f} s ({height:,} px tall)")


if __name__ == "__main__":
    main()
