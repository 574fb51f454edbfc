"""The LLM's written synthesis in the report, against the OpenAI-compatible test server: every
sentence cites rows, every quote is checked against the stored text, failures are dropped and
counted, the classifier's budget and cache apply."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from storycrawl.classify.llm_config import LlmConfig
from storycrawl.db import StoryDB
from storycrawl.items import StoryItem
from storycrawl.report import build_report
from tests.llm_server import ChatServer, Reply, completion

STORIES = [
    "I rebuilt our retrieval pipeline around a reranker this spring. The golden set has 240 questions.",
    "We put a budget of eight tool calls on every agent turn. Costs stopped surprising us after that.",
    "Our judge model is checked against human labels every month. Agreement is now 88 percent.",
]


def make_db(path):
    db = StoryDB(path)
    for i, text in enumerate(STORIES):
        db.upsert_story(
            StoryItem(
                url=f"https://blog{i}.example.com/post", title=f"Story {i}", text=text * 2,
                source="feeds", site=f"blog{i}.example.com", published=datetime(2026, 5, 1 + i, tzinfo=UTC),
                source_type="personal", role="ai_engineer", is_first_hand=True, is_job_posting=False,
                include=True, confidence=0.9, evidence="“I rebuilt”", classifier="llm:test-model",
                summary=f"The model's summary of story {i}.",
            )
        )  # fmt: skip
    db.close()


def config(server: ChatServer, **extra) -> LlmConfig:
    return LlmConfig(model="test-model", base_url=server.base_url, api_key=None, retries=1,
                     backoff=0.01, timeout=10, **extra)  # fmt: skip


def test_written_synthesis_is_verified_cached_and_budgeted(tmp_path):
    make_db(tmp_path / "s.db")
    with ChatServer() as server:
        result = build_report(
            tmp_path / "s.db", tmp_path / "out", min_stories=1, llm=config(server)
        )
        calls = server.calls
        written = result.context.written
        assert calls == 4, "three stories mapped, one reduce"
        assert written.mapped == 3 and written.dropped_total == 0
        assert len(written.sentences) == 3
        for sentence, rows in written.sentences:
            assert rows and "[#" in sentence
        report = (tmp_path / "out" / "report.md").read_text()
        assert "### Written synthesis (test-model)" in report
        assert "I rebuilt our retrieval pipeline around a reranker this spring." in report
        # The model's one-line summary is the table's summary.
        assert "The model's summary of story 0." in report

        # A second report: every answer from the llm_cache table, no call.
        again = build_report(
            tmp_path / "s.db", tmp_path / "out2", min_stories=1, llm=config(server)
        )
        assert server.calls == calls
        assert again.context.written.cache_hits == 4

        # A budget of 2 calls reads 2 stories and leaves the rest unread, saying so.
        make_db(tmp_path / "b.db")
        small = build_report(
            tmp_path / "b.db", tmp_path / "out3", min_stories=1, llm=config(server, max_calls=2)
        )
        assert small.context.written.mapped == 2 and small.context.written.budget_left_out == 1
        assert (
            "stories left unread by the call budget"
            in (tmp_path / "out3" / "report.md").read_text()
        )


def test_unverified_quotes_and_uncited_sentences_are_dropped_and_counted(tmp_path):
    make_db(tmp_path / "s.db")
    story = STORIES[0].split(". ")[0] + "."
    map_reply = {"summary": "s", "themes": [
        {"theme": "rerankers", "quote": story},
        {"theme": "invented", "quote": "We fine-tuned a model on every ticket since 2019."},
    ]}  # fmt: skip
    reduce_reply = {"sentences": [
        f"Engineers rebuild retrieval around rerankers [#3]: “{story}”",
        "Most teams spend 40% of their time on evals.",
        "Teams fine-tune on tickets [#3]: “We fine-tuned a model on every ticket since 2019.”",
        "They also read traces [#99].",
        "Judges are checked against people [#1, #2].",
    ]}  # fmt: skip
    with ChatServer() as server:
        server.queue.extend([Reply(body=completion(json.dumps(map_reply)))] * 3)
        server.queue.append(Reply(body=completion(json.dumps(reduce_reply))))
        result = build_report(
            tmp_path / "s.db", tmp_path / "out", min_stories=1, llm=config(server)
        )
    written = result.context.written
    assert written.themes == 6 and written.themes_dropped == 3 + 2, (
        "invented quotes, and story 0's quote in stories 1 and 2"
    )
    assert [s for s, _ in written.sentences] == [
        f"Engineers rebuild retrieval around rerankers [#3]: “{story}”",
        "Judges are checked against people [#1, #2].",
    ]
    assert written.dropped == {
        "no citation": 1,
        "quote not in the cited stories": 1,
        "cites a row that was not read": 1,
    }
    html = (tmp_path / "out" / "report.html").read_text()
    assert "40% of their time" not in html and "since 2019" not in html
    assert "3 dropped" in html
