"""How long `scrapy report` takes for a large database.

    python bench/report_bench.py [--stories 10000]

Builds a temporary database of synthetic included stories (and as many rejections), then times
build_report (report.md, report.html, stories.json, stories.csv) once per run and prints the
figures. Numbers are for this machine; compare ratios within one run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storycrawl.classify.codebook import ACTIVITIES, RESPONSIBILITIES, TOOLS
from storycrawl.db import StoryDB, story_to_row
from storycrawl.items import Discussion, StoryItem
from storycrawl.report import build_report


def fill(db: StoryDB, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2025, 12, 1, tzinfo=UTC)
    tools = list(TOOLS)
    rows = []
    for i in range(count):
        item = StoryItem(
            url=f"https://site{i % 400}.example.com/post-{i}", title=f"Story {i}: what we learned shipping agents",
            text="We built an agent with tool calling and evals; latency and cost mattered. " * 40,
            source=rng.choice(["hackernews", "reddit", "feeds", "devto", "mastodon", "bluesky"]),
            site=f"site{i % 400}.example.com", published=start + timedelta(minutes=rng.randrange(360 * 24 * 60)),
            source_type=rng.choice(["social", "personal", "company"]), role="ai_engineer", is_first_hand=True,
            is_job_posting=False, include=True, confidence=round(rng.uniform(0.5, 0.99), 2),
            evidence="“We built an agent with tool calling”", classifier="heuristic",
            responsibilities=rng.sample([c.key for c in RESPONSIBILITIES], 3),
            activities=rng.sample([c.key for c in ACTIVITIES], 3), tools=rng.sample(tools, 4),
            discussions=[Discussion(url=f"https://news.ycombinator.com/item?id={i}", site="hackernews", points=i % 300, comments=i % 50)],
        )  # fmt: skip
        rows.append(story_to_row(item))
    with db.db.conn:
        db.stories.insert_all(rows, pk="url", batch_size=1000)
        db.rejections.insert_all(
            ({"id": f"r{i}", "url": f"https://jobs.example.com/{i}", "source": "hackernews", "stage": "jobs",
              "reason": "job_posting", "evidence": "job board"} for i in range(count)),
            pk="id", batch_size=1000,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = StoryDB(path)
        started = time.perf_counter()
        fill(db, args.stories)
        db.close()
        filled = time.perf_counter() - started
        started = time.perf_counter()
        result = build_report(path, Path(tmp) / "out", min_stories=100)
        built = time.perf_counter() - started
        sizes = {p.name: p.stat().st_size for p in result.files}
    print(f"stories: {result.stories}  (database filled in {filled:.1f}s)")
    print(f"report built in {built:.2f}s  ({built / result.stories * 1000:.3f} ms per story)")
    for name, size in sizes.items():
        print(f"  {name:<14} {size / 1e6:7.2f} MB")


if __name__ == "__main__":
    main()
