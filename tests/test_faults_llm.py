"""The fault matrix, LLM and command side: gateways that answer 200 with anything, `scrapy classify`
inputs that are not what they should be, settings out of range, secrets in OPENAI_BASE_URL.
Every request goes to the test chat server on 127.0.0.1."""

from __future__ import annotations

import json
import logging

import pytest
from scrapy.settings import Settings

from storycrawl.classify.base import Document
from storycrawl.classify.llm import LlmClassifier, RedactSecrets
from storycrawl.classify.llm_config import LlmConfig, LlmConfigError, redact_url
from tests.llm_server import ChatServer, Reply
from tests.test_commands import scrapy
from tests.utils import async_test

DOC = Document(
    url="https://blog.example.com/agent-evals",
    title="What our agent's evals caught",
    text=(
        "I run the eval harness of our support agent in production. We wrote 300 golden cases and an "
        "LLM-as-judge rubric; the evals run on every prompt change and caught two regressions in tool "
        "calling before they shipped. Cutting the prompt by half saved a third of our token costs."
    ),
)

GATEWAY_ANSWERS = {
    "html_error_page": Reply(body="<html><body><h1>502 Bad Gateway</h1></body></html>", content_type="text/html"),
    "html_login_page": Reply(body="<!doctype html><title>Sign in</title><form>", content_type="text/html"),
    "plain_text": Reply(body="upstream connect error", content_type="text/plain"),
    "json_status_object": Reply(body={"status": "ok", "message": "queued"}),
    "json_list": Reply(body="[]"),
    "json_null": Reply(body="null"),
    "json_cut_short": Reply(body='{"id": "chatcmpl-1", "choices": [{"mess'),
    "choices_empty": Reply(body={"id": "x", "object": "chat.completion", "choices": []}),
    "message_not_object": Reply(body={"choices": [{"index": 0, "message": "hello"}]}),
}  # fmt: skip


def llm(server: ChatServer, **more) -> LlmClassifier:
    values = {"OPENAI_BASE_URL": server.base_url, "STORYCRAWL_LLM_MODEL": "test-model",
              "STORYCRAWL_LLM_RETRIES": 1, "STORYCRAWL_LLM_BACKOFF": 0.01, **more}  # fmt: skip
    return LlmClassifier(LlmConfig.from_settings(Settings(values)))


@pytest.mark.parametrize("name", sorted(GATEWAY_ANSWERS))
@async_test
async def test_a_gateway_answering_200_with_no_completion_falls_back_with_its_reason(name):
    with ChatServer() as server:
        server.queue.extend([GATEWAY_ANSWERS[name]] * 2)  # the first try and its one retry
        classifier = llm(server)
        (result,) = await classifier.classify_many([DOC])
    assert result.classifier.startswith("heuristic (llm failed: "), result.classifier
    assert classifier.ledger.fallbacks["error"] == 1
    assert sum(classifier.ledger.failures.values()) == 2, "counted, retried once"
    assert server.calls == 2


@async_test
async def test_a_batch_survives_a_gateway_that_breaks_midway():
    docs = [DOC.model_copy(update={"url": f"https://blog.example.com/{n}"}) for n in range(6)]
    with ChatServer() as server:
        classifier = llm(server, STORYCRAWL_LLM_CONCURRENCY=1)
        server.queue.extend([Reply(), Reply(), *[GATEWAY_ANSWERS["html_error_page"]] * 20])
        results = await classifier.classify_many(docs)
    assert len(results) == 6
    assert [r.classifier for r in results[:2]] == ["llm:test-model"] * 2
    assert all(r.classifier.startswith("heuristic (llm failed") for r in results[2:])


def test_classify_command_with_an_html_gateway_writes_every_line(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({**DOC.model_dump(mode="json"), "url": f"https://b.example/{n}"}) + "\n"
                              for n in range(3)))  # fmt: skip
    out = tmp_path / "out.jsonl"
    with ChatServer() as server:
        server.queue.extend([GATEWAY_ANSWERS["html_error_page"]] * 50)
        result = scrapy(
            "classify", str(source), "-o", str(out), "--classifier", "llm",
            env={"OPENAI_BASE_URL": server.base_url, "STORYCRAWL_LLM_RETRIES": "0",
                 "STORYCRAWL_DB": str(tmp_path / "c.db")},
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 3 and all(
        line["classifier"].startswith("heuristic (llm failed") for line in lines
    )
    assert "3 heuristic fallbacks" in result.stderr


def test_classify_refuses_output_equal_to_input_and_keeps_it(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(DOC.model_dump(mode="json")) + "\n")
    before = source.read_bytes()
    result = scrapy("classify", str(source), "-o", str(source))
    assert result.returncode != 0
    assert "is the input file" in result.stderr and "Traceback" not in result.stderr
    assert source.read_bytes() == before


def test_classify_reports_bad_hints_and_non_utf8_lines_and_goes_on(tmp_path):
    good = DOC.model_dump(mode="json")
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        (json.dumps(good) + "\n").encode()
        + (json.dumps({**good, "hints": ["not", "an", "object"]}) + "\n").encode()
        + (json.dumps({**good, "hints": "type=personal"}) + "\n").encode()
        + b'{"url": "https://x.example/", "text": "caf\xe9 latin-1 bytes"}\n'
        + bytes(range(128, 256))
        + b"\n"
    )
    out = tmp_path / "out.jsonl"
    result = scrapy("classify", str(source), "-o", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{source}:2: skipped: hints must be a JSON object" in result.stderr
    assert f"{source}:3: skipped: hints must be a JSON object" in result.stderr
    assert f"{source}:4: skipped: not UTF-8 text" in result.stderr
    assert f"{source}:5: skipped: not UTF-8 text" in result.stderr
    assert len(out.read_text().splitlines()) == 1


def test_classify_with_a_failing_run_leaves_the_old_output_whole(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous labels\n")
    result = scrapy("classify", str(tmp_path / "missing.jsonl"), "-o", str(out))
    assert result.returncode != 0 and out.read_text() == "previous labels\n"


@pytest.mark.parametrize(
    ("name", "value"),
    [("STORYCRAWL_LLM_MAX_CALLS", "-1"), ("STORYCRAWL_LLM_TIMEOUT", "0"), ("STORYCRAWL_LLM_TIMEOUT", "nan"),
     ("STORYCRAWL_LLM_RETRIES", "-2"), ("STORYCRAWL_LLM_CONCURRENCY", "0"), ("STORYCRAWL_LLM_MAX_WAIT", "-5"),
     ("STORYCRAWL_LLM_MAX_INPUT_TOKENS", "3"), ("STORYCRAWL_LLM_PRICE_INPUT", "-0.1")],
)  # fmt: skip
def test_llm_numbers_out_of_range_are_refused_by_name(name, value):
    with pytest.raises(LlmConfigError, match=name):
        LlmConfig.from_settings(Settings({"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", name: value}))


def test_a_crawl_refuses_an_llm_setting_out_of_range_before_any_request(tmp_path):
    result = scrapy("crawl", "hackernews", "-s", "STORYCRAWL_CLASSIFIER=llm", "-s", "STORYCRAWL_LLM_TIMEOUT=0",
                    env={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "STORYCRAWL_DB": str(tmp_path / "x.db")})  # fmt: skip
    assert result.returncode == 2
    assert "STORYCRAWL_LLM_TIMEOUT=0.0: must be more than 0 seconds" in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_in_the_base_url_are_redacted():
    assert redact_url("https://alice:s3cret@gw.example/v1?api-key=k123&region=eu") == (
        "https://***@gw.example/v1?api-key=***&region=***"
    )
    config = LlmConfig.from_settings(
        Settings(
            {
                "OPENAI_BASE_URL": "https://alice:s3cret@gw.example/v1?key=k123",
                "OPENAI_API_KEY": "sk-abc",
            }
        )
    )
    assert config.shown_base_url == "https://***@gw.example/v1?key=***"
    assert set(config.secrets()) == {"sk-abc", "alice:s3cret", "k123"}


@async_test
async def test_httpx_log_lines_carry_no_secret(caplog):
    with ChatServer() as server:
        url = server.base_url.replace("http://", "http://alice:hunter22@")
        classifier = llm(server, OPENAI_BASE_URL=url, OPENAI_API_KEY="sk-test-secret")
        with caplog.at_level(logging.INFO):
            await classifier.classify_many([DOC])
    http_lines = [r.getMessage() for r in caplog.records if r.name.startswith("httpx")]
    assert http_lines, "httpx logs each call"
    assert all("hunter22" not in line and "alice" not in line for line in http_lines)
    assert any("***@127.0.0.1" in line for line in http_lines)
    for name in ("httpx2", "httpx"):
        for f in logging.getLogger(name).filters:
            if isinstance(f, RedactSecrets):
                logging.getLogger(name).removeFilter(f)
