"""Every recorded group's manifest against the replayed crawl of its source.

Each `tests/fixtures/web/<group>/manifest.jsonl` says what a careful reader decides about every
candidate the group's source yields; the crawl of that source alone (the one its own test module
reads, shared through the `replayed` fixture) must decide the same. Rows marked
`classifier_miss` are the heuristic's known mistakes (the wrong decision, or a rejection for
the wrong role): they must still be mistakes (so the mark goes once it is fixed) and stay few.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.browser import require_chromium
from tests.utils import WEB, only_feeds_of_type, read_jsonl, rejections_of

GROUPS = sorted(path.parent.name for path in WEB.glob("*/manifest.jsonl"))
# How a group is crawled when it is not `scrapy crawl <its source>` with the shipped sources file.
CRAWLS = {
    # lobste.rs asks bots not to crawl: its recording is read with the user's opt-in.
    "lobsters": {"settings": {"STORYCRAWL_LOBSTERS_IGNORE_ROBOTS": True}},
    # The two blog groups are the feeds source's personal and company sites.
    "feeds-personal": {"sources": only_feeds_of_type("personal")},
    "feeds-company": {"sources": only_feeds_of_type("company")},
}
# Groups whose pages need Debian's Chromium.
BROWSER = {"urls"}
# Rejections a reader's label allows: a second-hand page by, say, a researcher may be dropped for
# its role before anyone asks whether it is first-hand.
ALLOWED = {"not_first_hand": {"not_first_hand", "role"}}
REJECTED = ("job_posting", "role", "not_first_hand", "fetch_failed", "invalid", "too_short")


def manifest(group: str) -> list[dict]:
    return read_jsonl(WEB / group / "manifest.jsonl")


def marks(group: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.e2e, pytest.mark.browser] if group in BROWSER else [pytest.mark.e2e]


@pytest.fixture(scope="module", params=[pytest.param(g, marks=marks(g)) for g in GROUPS])
def group(request, replayed):
    """(its manifest rows, the replayed crawl of its source)."""
    name = request.param
    if name in BROWSER:
        require_chromium()
    rows = manifest(name)
    (source,) = {row["source"] for row in rows}
    return rows, replayed(source, **CRAWLS.get(name, {}))


def included(crawl: dict) -> set[str]:
    return {url for url, story in crawl["stories"].items() if story["include"]}


def test_every_story_it_expects_is_included(group):
    rows, crawl = group
    missing = [
        row["url"]
        for row in rows
        if row["expect"] == "include"
        and not row.get("classifier_miss")
        and row["url"] not in included(crawl)
    ]
    assert missing == []


def test_nothing_else_is_included(group):
    rows, crawl = group
    # A duplicate's URL is included through its first reach.
    wrongly = [
        (row["url"], row["expect"])
        for row in rows
        if row["expect"] not in ("include", "duplicate")
        and not row.get("classifier_miss")
        and row["url"] in included(crawl)
    ]
    assert wrongly == []
    assert included(crawl) <= {row["url"] for row in rows}, "every story is a recorded candidate"


def test_each_rejection_has_the_reason_it_expects(group):
    rows, crawl = group
    wrong = []
    for row in rows:
        if row["expect"] not in REJECTED or row.get("classifier_miss"):
            continue
        found = rejections_of(crawl, row["url"])
        reasons = {r["reason"] for r in found}
        roles = {r["detail"] for r in found if r["reason"] == "role"}
        if not reasons & ALLOWED.get(row["expect"], {row["expect"]}) or (
            row["expect"] == "role" and roles != {row["role"]}
        ):
            wrong.append((row["url"], row["expect"], row["role"], reasons, roles))
        if {r["source"] for r in found} != {row["source"]}:
            wrong.append((row["url"], "rejected as from", {r["source"] for r in found}))
    assert wrong == []


def test_an_article_reached_twice_is_one_story_with_every_thread(group):
    rows, crawl = group
    for row in (r for r in rows if r["expect"] == "duplicate"):
        assert "duplicate" in {r["reason"] for r in rejections_of(crawl, row["url"])}, row["url"]
        story = crawl["stories"].get(row["url"])
        if story is None:
            # A copy under another URL (a cross-post): merged into the story it repeats.
            continue
        assert story["include"], row["url"]
        # One thread per reach: the first and every repeat.
        reaches = {r["via"] for r in rows if r["url"] == row["url"]} - {None}
        assert {d["url"] for d in story["discussions"]} == reaches, row["url"]


def test_older_posts_are_not_stories(group):
    rows, crawl = group
    for row in (r for r in rows if r["expect"] == "out_of_range"):
        assert row["url"] not in crawl["stories"], row["url"]
        # Skipped before any fetch (nothing recorded), or fetched and found old.
        assert {r["reason"] for r in rejections_of(crawl, row["url"])} <= {"out_of_range"}


def test_included_stories_have_the_type_date_and_thread_it_expects(group):
    rows, crawl = group
    wrong = []
    for row in rows:
        if row["expect"] != "include" or row.get("classifier_miss"):
            continue
        story = crawl["stories"][row["url"]]
        threads = {d["url"] for d in story["discussions"]}
        if (
            story["source_type"] != row["source_type"]
            or story["published"][:10] != row["published"]
            or (row["via"] is not None and row["via"] not in threads)
            or not (story["evidence"] and 0 < story["confidence"] <= 1)
        ):
            wrong.append((row["url"], story["source_type"], story["published"], threads))
    assert wrong == []


def test_the_known_classifier_misses_are_still_misses_and_few(group):
    rows, crawl = group
    misses = [row for row in rows if row.get("classifier_miss")]
    assert len(misses) <= max(1, 0.05 * len(rows)), "fix the classifier, not the manifest"
    for row in misses:
        assert row["note"], row["url"]
        roles = {r["detail"] for r in rejections_of(crawl, row["url"]) if r["reason"] == "role"}
        right = (row["url"] in included(crawl)) == (row["expect"] == "include") and (
            row["expect"] != "role" or roles == {row["role"]}
        )
        assert not right, f"{row['url']} is no longer a miss: remove its classifier_miss"


@pytest.mark.parametrize("name", GROUPS)
def test_the_recordings_readme_counts_each_manifest(name):
    """tests/fixtures/web/README.md's table says what each group holds."""
    readme = (WEB / "README.md").read_text(encoding="utf-8")
    line = re.search(
        rf"^\| `{re.escape(name)}` \| (\d+) \| (\d+) \| (.*) \|$", readme, re.MULTILINE
    )
    assert line, f"no row for {name} in tests/fixtures/web/README.md"
    # A post older than `since` that ends the paging is never a candidate (`collected: false`).
    rows = [row for row in manifest(name) if row.get("collected", True)]
    rest = Counter(row["expect"] for row in rows if row["expect"] != "include")
    listed = ", ".join(f"{reason} {count}" for reason, count in sorted(rest.items()))
    include = sum(1 for row in rows if row["expect"] == "include")
    assert (int(line[1]), int(line[2]), line[3]) == (len(rows), include, listed)
