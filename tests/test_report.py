import json
from datetime import UTC, datetime

from storycrawl.db import StoryDB
from storycrawl.items import Discussion, StoryItem
from storycrawl.report import build_report
from storycrawl.report.data import ReportFilter


def add(
    db, url, published, include=True, title="A story", source="hackernews",
    source_type="personal", confidence=0.8,
):  # fmt: skip
    db.upsert_story(
        StoryItem(
            url=url,
            title=title,
            text="text " * 20,
            source=source,
            published=published,
            source_type=source_type,
            role="ai_engineer" if include else "ml_engineer",
            is_first_hand=True,
            is_job_posting=False,
            include=include,
            confidence=confidence,
            evidence="because",
            classifier="heuristic",
            discussions=[
                Discussion(url="https://news.ycombinator.com/item?id=9", site="hackernews")
            ],
        )
    )


def test_report_counts_orders_and_warns(tmp_path):
    db = StoryDB(tmp_path / "s.db")
    add(db, "https://a.example/old", datetime(2026, 1, 2, tzinfo=UTC))
    add(
        db,
        "https://a.example/new",
        datetime(2026, 6, 2, tzinfo=UTC),
        title="Pipes | and [brackets] <script>",
    )
    add(db, "https://a.example/undated", None)
    add(db, "https://a.example/ml", datetime(2026, 7, 1, tzinfo=UTC), include=False)
    db.record_rejection(
        url="https://jobs.example/1",
        source="hackernews",
        via=None,
        stage="jobs",
        reason="job_posting",
        detail=None,
        evidence="job board",
        message="m",
    )
    db.record_rejection(
        url="https://a.example/ml",
        source="hackernews",
        via=None,
        stage="include",
        reason="role",
        detail="ml_engineer",
        evidence="training",
        message="m",
    )
    db.close()

    result = build_report(
        tmp_path / "s.db", tmp_path / "out", min_stories=100, now=datetime(2026, 11, 27, tzinfo=UTC)
    )
    assert result.stories == 3
    assert result.below_minimum
    assert result.funnel.candidates == 5  # 4 classified + 1 job posting
    assert result.funnel.rejected == {"job_posting": 1, "role:ml_engineer": 1}

    report = (tmp_path / "out" / "report.md").read_text()
    assert "**Warning:** only 3 stories are included, fewer than the 100 asked for" in report
    assert "written by an ML engineer who trains models: 1" in report
    assert r"Pipes \| and \[brackets\] \<script\>" in report
    rows = json.loads((tmp_path / "out" / "stories.json").read_text())
    assert [r["url"] for r in rows] == [
        "https://a.example/new",
        "https://a.example/old",
        "https://a.example/undated",
    ]
    assert [r["number"] for r in rows] == [1, 2, 3]


def test_report_of_an_empty_database(tmp_path):
    StoryDB(tmp_path / "e.db").close()
    result = build_report(tmp_path / "e.db", tmp_path / "out", min_stories=1)
    assert result.stories == 0
    assert "No stories are included yet." in (tmp_path / "out" / "report.md").read_text()
    assert json.loads((tmp_path / "out" / "stories.json").read_text()) == []


def test_stories_have_full_text_search_kept_in_step(tmp_path):
    db = StoryDB(tmp_path / "s.db")
    add(
        db,
        "https://a.example/pgvector",
        datetime(2026, 1, 2, tzinfo=UTC),
        title="Moving to pgvector",
    )
    hits = [row["url"] for row in db.stories.search("pgvector")]
    db.close()
    assert hits == ["https://a.example/pgvector"]


def test_datasette_metadata_describes_columns_that_exist(tmp_path):
    from pathlib import Path

    import storycrawl

    metadata = json.loads(
        (Path(storycrawl.__file__).parent / "datasette" / "metadata.json").read_text()
    )
    db = StoryDB(tmp_path / "s.db")
    tables = metadata["databases"]["storycrawl"]["tables"]
    for name in ("stories", "rejections", "runs", "reviews"):
        columns = set(db.db.table(name).columns_dict)
        assert set(tables[name].get("columns", {})) <= columns, name
    for query in metadata["databases"]["storycrawl"]["queries"].values():
        db.db.execute(query["sql"]).fetchall()
    db.close()


def test_report_filters_choose_the_stories(tmp_path):
    db = StoryDB(tmp_path / "s.db")
    day = lambda month: datetime(2026, month, 1, tzinfo=UTC)
    add(db, "https://a.example/jan", day(1), source="feeds", confidence=0.9)
    add(db, "https://a.example/apr", day(4), source_type="social", confidence=0.6)
    add(db, "https://a.example/jul", day(7), source="reddit", source_type="company")
    add(db, "https://a.example/oct", day(10), confidence=0.75)
    db.close()

    def urls(**filters):
        out = tmp_path / "out"
        result = build_report(
            tmp_path / "s.db", out, min_stories=1, report_filter=ReportFilter(**filters)
        )
        rows = json.loads((out / "stories.json").read_text())
        assert result.stories == len(rows)
        return [r["url"].rsplit("/", 1)[1] for r in rows]

    assert urls() == ["oct", "jul", "apr", "jan"]
    assert urls(since=day(4), until=day(10)) == ["jul", "apr"]
    assert urls(source_type="social") == ["apr"]
    assert urls(source="reddit") == ["jul"]
    assert urls(min_confidence=0.75) == ["oct", "jul", "jan"]
    assert "with confidence at least 0.75" in (tmp_path / "out" / "report.md").read_text()


def test_report_says_what_failed_when_no_source_was_reached(tmp_path):
    db = StoryDB(tmp_path / "s.db")
    stats = {
        "storycrawl/health/status": "unreachable",
        "storycrawl/health/sources": {
            "hackernews": {"status": "unreachable", "reason": None,
                           "api": {"responses": 0, "ok": 0, "failed": {"dns": 2},
                                   "examples": {"dns": "DNS lookup failed for hn.algolia.com"}}},
            "feeds": {"status": "reached", "api": {"responses": 3, "ok": 3, "failed": {}}},
        },
    }  # fmt: skip
    db.runs.insert(
        {"id": "r1", "spider": "all", "started_at": "2026-11-27T10:00:00Z", "stats": stats}
    )
    db.close()
    build_report(tmp_path / "s.db", tmp_path / "out", min_stories=100)
    report = (tmp_path / "out" / "report.md").read_text()
    assert (
        "No source could be reached in the last crawl (2026-11-27 10:00): hackernews: dns ×2 "
        "(DNS lookup failed for hn.algolia.com)." in report
    )
    assert "Crawl more sources or widen the window" not in report
    assert "Fix what failed and crawl again." in report
    html = (tmp_path / "out" / "report.html").read_text()
    assert "No source could be reached in the last crawl" in html
