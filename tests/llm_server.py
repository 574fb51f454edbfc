"""A small OpenAI-compatible server for tests: POST /v1/chat/completions on 127.0.0.1.

It answers like a model would, in the real wire format (id, object, created, model, choices with
message and finish_reason, usage), so the real `openai` client talks to it. Its "model" is a test
double: it labels the page between the prompt's fence lines with storycrawl's heuristic and quotes
the page's first sentence as evidence. Tests script faults on top: queued replies (invalid JSON,
429 with Retry-After, 500, slow answers, refusals, a server that refuses JSON schema), served in
order before the default answers; `Reply(content_type="text/html", body="<html>…")` plays a
gateway answering 200 with an HTML page, `Reply(body={"status": "ok"})` a proxy's JSON that is
no chat completion.

Run it by hand for a crawl: `python -m tests.llm_server --latency 0.05` prints its base URL.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from storycrawl.classify.base import Document
from storycrawl.classify.heuristic import HeuristicClassifier


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; str/bytes → as is; None → the default answer
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"  # "text/html" plays a gateway's error page


def completion(
    content: str | None,
    *,
    refusal: str | None = None,
    prompt_tokens: int | None = 500,
    completion_tokens: int | None = 80,
) -> dict[str, Any]:
    usage = None
    if prompt_tokens is not None:
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + (completion_tokens or 0),
        }
    return {
        "id": f"chatcmpl-{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": usage,
    }


def page_of(request: dict[str, Any]) -> tuple[str, str, str]:
    """URL, title and page text from the user message storycrawl sends."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    url = re.search(r"^URL: (.*)$", user, flags=re.MULTILINE)
    title = re.search(r"^Title: (.*)$", user, flags=re.MULTILINE)
    fence = re.search(r"^(={8}[0-9a-f]{8})$", user, flags=re.MULTILINE)
    text = ""
    if fence:
        marker = f"\n{fence.group(1)}\n"
        parts = user.split(marker)
        text = parts[1].strip() if len(parts) >= 3 else ""
    return (url.group(1) if url else ""), (title.group(1) if title else ""), text


def first_sentence(text: str) -> str:
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if len(sentence.split()) >= 5:
            return sentence.strip()
    return text.strip().split("\n")[0][:200]


def synthesis_answer(request: dict[str, Any]) -> dict[str, Any] | None:
    """The double's answers to the report's synthesis calls (storycrawl/report/llm_synthesis.py):
    map quotes a story's first sentence as its theme; reduce writes one cited sentence per
    theme, quoting it. None for any other request."""
    system = next((m["content"] for m in request["messages"] if m["role"] == "system"), "")
    if system.startswith("storycrawl synthesis: map."):
        _, title, text = page_of(request)
        quote = first_sentence(text)
        return {"summary": quote, "themes": [{"theme": (title or quote)[:60], "quote": quote}]}
    if system.startswith("storycrawl synthesis: reduce."):
        user = next(m["content"] for m in request["messages"] if m["role"] == "user")
        sentences = []
        for line in user.splitlines()[:6]:
            found = re.match(r"\[#(\d+)\] (.*?) \| (.*)$", line)
            if found:
                row, theme, quote = found.groups()
                sentences.append(f"One engineer writes about {theme} [#{row}]: “{quote}”")
        return {"sentences": sentences}
    return None


def model_answer(request: dict[str, Any]) -> dict[str, Any]:
    """The double's labels for the page in a request."""
    synthesis = synthesis_answer(request)
    if synthesis is not None:
        return synthesis
    url, title, text = page_of(request)
    result = HeuristicClassifier().classify(
        Document(url=url or "https://example.invalid/", title=title, text=text or "empty")
    )
    return {
        "role": result.role,
        "is_first_hand": result.is_first_hand,
        "is_job_posting": result.is_job_posting,
        "confidence": result.confidence,
        "evidence": first_sentence(text),
        "summary": (title or first_sentence(text))[:120],
        "responsibilities": result.responsibilities,
        "activities": result.activities,
        "tools": result.tools,
        "suspicious_instructions": False,
    }


class ChatServer:
    """The server; `queue` holds scripted replies, `log` every request (time, body, path)."""

    def __init__(
        self,
        latency: float = 0.0,
        answer: Callable[[dict[str, Any]], dict[str, Any]] = model_answer,
        refuse_json_schema: bool = False,
    ):
        self.latency = latency
        self.answer = answer
        self.refuse_json_schema = refuse_json_schema
        self.queue: deque[Reply] = deque()
        self.log: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    request = json.loads(raw)
                except json.JSONDecodeError:
                    request = {}
                with server._lock:
                    server.log.append(
                        {
                            "time": time.monotonic(),
                            "path": self.path,
                            "request": request,
                            "headers": dict(self.headers),
                        }
                    )
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    reply = server.queue.popleft() if server.queue else None
                try:
                    self._respond(request, reply)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _respond(self, request: dict[str, Any], reply: Reply | None) -> None:
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    return self._send(
                        404, {"error": {"message": "not found", "type": "invalid_request_error"}}
                    )
                response_format = (request.get("response_format") or {}).get("type")
                if server.refuse_json_schema and response_format == "json_schema":
                    return self._send(
                        400,
                        {
                            "error": {
                                "message": "response_format json_schema is not supported by this server",
                                "type": "invalid_request_error",
                                "param": "response_format",
                                "code": None,
                            }
                        },
                    )
                reply = reply or Reply()
                time.sleep(server.latency + reply.delay)
                body = (
                    reply.body
                    if reply.body is not None
                    else completion(json.dumps(server.answer(request)))
                )
                self._send(reply.status, body, reply.headers, reply.content_type)

            def _send(
                self,
                status: int,
                body: Any,
                headers: dict[str, str] | None = None,
                content_type: str = "application/json",
            ) -> None:
                data = (
                    body
                    if isinstance(body, bytes)
                    else body.encode()
                    if isinstance(body, str)
                    else json.dumps(body).encode()
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def calls(self) -> int:
        return len(self.log)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds every answer takes")
    parser.add_argument(
        "--refuse-json-schema",
        action="store_true",
        help="answer 400 to response_format json_schema",
    )
    args = parser.parse_args()
    server = ChatServer(latency=args.latency, refuse_json_schema=args.refuse_json_schema)
    server.thread.start()
    print(server.base_url, flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.httpd.shutdown()


if __name__ == "__main__":
    main()
