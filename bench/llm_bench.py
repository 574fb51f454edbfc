"""Calls, tokens and wall time of the LLM path, per 100 stories, against a local server.

    python bench/llm_bench.py [--latency 0.2] [--concurrency 4] [--spider all]

Starts the test suite's OpenAI-compatible server (tests/llm_server.py) with a fixed latency per
answer, replays a crawl of the recorded web with STORYCRAWL_CLASSIFIER=llm, then replays it again
(the cache must make it free), and the same crawl with the heuristic for comparison. Prints the
figures of this one run; compare ratios, not absolute times, across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.llm_server import ChatServer  # the same server the tests use

CREDENTIALS = ["-s", "BSKY_HANDLE=bench.bsky.social", "-s", "BSKY_APP_PASSWORD=bench", "-s", "REDDIT_CLIENT_ID=bench",
               "-s", "REDDIT_CLIENT_SECRET=bench"]  # fmt: skip


def crawl(spider: str, db: Path, extra: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"STORYCRAWL_REPLAY={ROOT / 'tests/fixtures/web'}",
         "-s", f"STORYCRAWL_DB={db}", *CREDENTIALS, *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return time.perf_counter() - started


def usage(db: Path) -> tuple[int, dict]:
    conn = sqlite3.connect(db)
    stories = conn.execute("select count(*) from stories").fetchone()[0]
    rows = conn.execute(
        "select calls, cache_hits, prompt_tokens, completion_tokens, skipped from llm_usage order by recorded_at"
    ).fetchall()
    conn.close()
    return stories, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--latency", type=float, default=0.2, help="seconds per answer (default 0.2)"
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--spider", default="all")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORYCRAWL_", "OPENAI_"))}
    with tempfile.TemporaryDirectory() as tmp, ChatServer(latency=args.latency) as server:
        env["OPENAI_BASE_URL"] = server.base_url
        llm = [
            "-s",
            "STORYCRAWL_CLASSIFIER=llm",
            "-s",
            f"STORYCRAWL_LLM_CONCURRENCY={args.concurrency}",
        ]
        heuristic_time = crawl(args.spider, Path(tmp) / "h.db", [], env)
        first_time = crawl(args.spider, Path(tmp) / "l.db", llm, env)
        calls_first = server.calls
        # A fresh database with the first run's cache: every page again, no call.
        (Path(tmp) / "l2.db").write_bytes((Path(tmp) / "l.db").read_bytes())
        conn = sqlite3.connect(Path(tmp) / "l2.db")
        conn.execute("delete from stories")
        conn.execute("delete from rejections")
        conn.commit()
        conn.close()
        cached_time = crawl(args.spider, Path(tmp) / "l2.db", llm, env)
        calls_cached = server.calls - calls_first
        stories, rows = usage(Path(tmp) / "l.db")
    calls, _hits, prompt, completion, skipped = rows[0]
    per = 100 / max(1, stories)
    print(
        f"spider {args.spider}: {stories} stories classified; server latency {args.latency}s, concurrency {args.concurrency}"
    )
    print(f"heuristic crawl:        {heuristic_time:6.1f}s")
    print(
        f"LLM crawl, cold cache:  {first_time:6.1f}s  {calls} calls, skipped by rules {json.loads(skipped)}"
    )
    print(f"LLM crawl, warm cache:  {cached_time:6.1f}s  {calls_cached} calls")
    print(f"per 100 stories (cold): {calls * per:.0f} calls, {prompt * per:,.0f} prompt + {completion * per:,.0f} completion tokens, "
          f"{(first_time - heuristic_time) * per:.1f}s added wall time")  # fmt: skip
    print(
        f"expected added time for the calls alone: calls x latency / concurrency = {calls * args.latency / args.concurrency:.1f}s"
    )


if __name__ == "__main__":
    main()
