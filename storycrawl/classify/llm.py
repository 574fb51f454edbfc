"""The LLM classifier: one chat-completions request per page, to any OpenAI-compatible server.

- Configuration: OPENAI_API_KEY, OPENAI_BASE_URL (Ollama, vLLM, llama.cpp, gateways) and
  STORYCRAWL_LLM_* settings, read once into `LlmConfig`.
- The answer is validated by one pydantic model (`LlmLabels`); its `evidence` must be a sentence
  found in the page. Structured output (JSON schema) where the server takes it, else JSON mode,
  else plain text parsed for a JSON object: the first refusal of a format moves to the next.
- The page goes in as delimited data, cut to a token budget. Pages that address the model are
  flagged (`suspicious_instructions`), and their include decision needs the heuristic's agreement.
- Answers are cached in SQLite by model + prompt version + text hash: a re-run makes no call.
- Cost: a concurrency limit, a cap on calls (past it, the heuristic labels and says so), and a
  ledger of tokens (and estimated cost when prices are set) in stats and SQLite.
- Faults (timeouts, 429 with Retry-After, 5xx, malformed or schema-violating answers, refusals) get
  bounded retries, then the heuristic's answer with the failure recorded. No page is lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import openai

from storycrawl.classify import rules
from storycrawl.classify.base import Classification, Document
from storycrawl.classify.heuristic import ROLE_CUES, HeuristicClassifier, _score
from storycrawl.classify.llm_answer import (
    INJECTION,
    JSON_SCHEMA,
    LlmLabels,
    cache_key,
    parse_answer,
    system_prompt,
    user_message,
)
from storycrawl.classify.llm_config import FORMATS, LlmConfig
from storycrawl.classify.llm_ledger import Ledger, LlmCache
from storycrawl.middlewares import seconds_until

logger = logging.getLogger(__name__)


# Loggers of the HTTP client stack: httpx logs every call's URL at INFO.
CLIENT_LOGGERS = ("httpx", "httpx2", "httpcore", "openai", "openai._base_client")


class RedactSecrets(logging.Filter):
    """Replaces the configuration's secrets in log records of the HTTP client's loggers."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, ()
        return True

    def install(self) -> None:
        for name in CLIENT_LOGGERS:
            target = logging.getLogger(name)
            if not any(
                isinstance(f, RedactSecrets) and f.secrets == self.secrets for f in target.filters
            ):
                target.addFilter(self)


class NotACompletion(Exception):
    """A 200 answer that is not a chat completion (a gateway's HTML page, a proxy's JSON)."""


def completion_message(completion: Any) -> tuple[str | None, str | None]:
    """(content, refusal) of a chat completion; NotACompletion when the answer is not one (the openai
    client hands back the raw text of a non-JSON answer, and unvalidated objects for odd JSON)."""
    if isinstance(completion, str | bytes):
        start = completion[:60].strip() if isinstance(completion, str) else repr(completion[:60])
        raise NotACompletion(f"the server answered with text, not a chat completion: {start!r}")
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise NotACompletion("the server's answer has no choices: not a chat completion")
    message = getattr(choices[0], "message", None)
    content = getattr(message, "content", None)
    refusal = getattr(message, "refusal", None)
    if (
        message is None
        or not isinstance(content, str | None)
        or not isinstance(refusal, str | None)
    ):
        raise NotACompletion("the server's answer has no readable message: not a chat completion")
    return content, refusal


class LlmFailure(Exception):
    """A call that failed after its retries; the message names the last fault."""


class LlmClassifier:
    """Labels through an OpenAI-compatible chat-completions endpoint; see the module docstring."""

    name = "llm"

    def __init__(
        self,
        config: LlmConfig,
        *,
        cache: LlmCache | None = None,
        stats: Any = None,
        client: openai.AsyncOpenAI | None = None,
    ):
        self.config = config
        self.cache = cache
        self.stats = stats
        self.ledger = Ledger(model=config.model)
        self.heuristic = HeuristicClassifier()
        self.client = client or openai.AsyncOpenAI(
            api_key=config.api_key or "not-needed",  # local servers take any key
            base_url=config.base_url,
            timeout=config.timeout,
            max_retries=0,  # retries are ours: they honour Retry-After and count every fault
        )
        if config.secrets():
            RedactSecrets(config.secrets()).install()
        self.format_index = (
            0 if config.response_format == "auto" else FORMATS.index(config.response_format)
        )
        self._semaphore: asyncio.Semaphore | None = None
        self._reserved = 0

    # --- stats and ledger ---------------------------------------------------------------------
    def _count(self, what: str, value: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"storycrawl/llm/{what}", value)

    # --- the public interface -----------------------------------------------------------------
    def classify(self, doc: Document) -> Classification:
        """One page, blocking, on an event loop of its own. For many pages use classify_many
        (through `classify_all`): the client and the concurrency limit live on one loop."""
        return asyncio.run(self.classify_many([doc]))[0]

    async def classify_many(self, docs: list[Document]) -> list[Classification]:
        """Every document, concurrently up to the limit, results in input order."""
        return list(await asyncio.gather(*(self.aclassify(doc) for doc in docs)))

    async def aclassify(self, doc: Document) -> Classification:
        fallback = self.heuristic.classify(doc)
        suspicious = bool(INJECTION.search(f"{doc.title}\n{doc.text}"))
        if suspicious:
            self._count("suspicious_pages")

        # Cheap first: pages the rules settle cost no call.
        skip = self._skip_reason(doc, fallback)
        if skip:
            self.ledger.skipped[skip] += 1
            self._count(f"skipped/{skip}")
            return fallback.model_copy(update={"suspicious_instructions": suspicious})

        key = cache_key(self.config.model, doc)
        labels = self.cache.get(key) if self.cache else None
        if labels is not None:
            self.ledger.cache_hits += 1
            self._count("cache_hits")
            return self._combine(labels, doc, fallback, suspicious)

        if not self._reserve_call():
            self.ledger.fallbacks["budget"] += 1
            self._count("fallback/budget")
            return self._fallback(
                fallback, "the STORYCRAWL_LLM_MAX_CALLS budget is spent", suspicious
            )

        self._count("pages")
        try:
            labels, usage = await self._call_with_retries(doc)
        except LlmFailure as exc:
            self.ledger.fallbacks["error"] += 1
            self._count("fallback/error")
            logger.warning("LLM labelling of %s failed (%s): heuristic labels used", doc.url, exc)
            return self._fallback(fallback, f"llm failed: {exc}", suspicious)
        except Exception as exc:  # noqa: BLE001 - one page's unforeseen fault must not lose the page
            self.ledger.fallbacks["unexpected"] += 1
            self._count("fallback/unexpected")
            logger.warning(
                "LLM labelling of %s failed unexpectedly (%s: %s): heuristic labels used",
                doc.url, exc.__class__.__name__, exc,
            )  # fmt: skip
            return self._fallback(fallback, f"llm failed: {exc.__class__.__name__}", suspicious)
        if self.cache:
            self.cache.put(key, self.config.model, labels, *usage)
        return self._combine(labels, doc, fallback, suspicious)

    # --- decisions ----------------------------------------------------------------------------
    def _skip_reason(self, doc: Document, fallback: Classification) -> str | None:
        if fallback.is_job_posting:
            return "job_posting"
        if len(doc.text) < 100:  # too little to judge: the heuristic answers
            return "too_short"
        ai_score, _ = _score(ROLE_CUES["ai_engineer"], doc.text[:30000], doc.title)
        if ai_score == 0:
            return "off_topic"
        return None

    def _reserve_call(self) -> bool:
        if self.config.max_calls is not None and self._reserved >= self.config.max_calls:
            return False
        self._reserved += 1
        return True

    def _fallback(self, fallback: Classification, reason: str, suspicious: bool) -> Classification:
        return fallback.model_copy(
            update={
                "classifier": f"heuristic ({reason})",
                "suspicious_instructions": suspicious or fallback.suspicious_instructions,
            }
        )

    def _combine(
        self, labels: LlmLabels, doc: Document, fallback: Classification, suspicious: bool
    ) -> Classification:
        flagged = suspicious or labels.suspicious_instructions
        is_job = labels.is_job_posting or bool(rules.job_posting(doc).value)
        include = Classification.decide_include(labels.role, labels.is_first_hand, is_job)
        evidence = f"{labels.role}, {'first-hand' if labels.is_first_hand else 'not first-hand'}: “{labels.evidence.strip()}”"
        if flagged and include and not fallback.include:
            # A page that talks to the model does not get in on the model's word alone.
            include = False
            evidence += "; page addresses the model and the heuristic disagrees: not included"
            self._count("suspicious_overruled")
        return Classification(
            role=labels.role,
            is_first_hand=labels.is_first_hand,
            is_job_posting=is_job,
            source_type=fallback.source_type,
            source_type_evidence=fallback.source_type_evidence,
            include=include,
            confidence=labels.confidence,
            evidence=evidence,
            classifier=f"llm:{self.config.model}",
            summary=labels.summary.strip(),
            responsibilities=labels.responsibilities,
            activities=labels.activities,
            tools=labels.tools,
            suspicious_instructions=flagged,
        )

    # --- the call -----------------------------------------------------------------------------
    async def _call_with_retries(self, doc: Document) -> tuple[LlmLabels, tuple[int, int]]:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.config.concurrency)
        messages = [
            {"role": "system", "content": system_prompt()},
            {"role": "user", "content": user_message(doc, self.config.max_input_tokens)},
        ]
        last = "no attempt"
        attempt = 0
        while attempt <= self.config.retries:
            response_format = FORMATS[self.format_index]
            try:
                async with self._semaphore:
                    started = time.monotonic()
                    self.ledger.calls += 1
                    self._count("calls")
                    completion = await self.client.chat.completions.create(
                        model=self.config.model,
                        messages=messages,
                        temperature=0,
                        **self._format_arguments(response_format),
                    )
                    self.ledger.wall_seconds += time.monotonic() - started
            except openai.RateLimitError as exc:
                wait = self._retry_after(exc) or self.config.backoff * 2**attempt
                last = f"429 rate limited (retry after {wait:.1f}s)"
                self._fault("rate_limited")
                if wait > self.config.max_wait:
                    raise LlmFailure(
                        f"429 asks to wait {wait:.0f}s, more than STORYCRAWL_LLM_MAX_WAIT"
                    ) from None
                await asyncio.sleep(wait)
                attempt += 1
                continue
            except (
                openai.BadRequestError,
                openai.UnprocessableEntityError,
                openai.InternalServerError,
            ) as exc:
                if self._format_refused(exc) and self.format_index < len(FORMATS) - 1:
                    self.format_index += 1
                    self._count(f"format/downgraded_to_{FORMATS[self.format_index]}")
                    logger.info(
                        "The server refused %s; asking for %s",
                        response_format,
                        FORMATS[self.format_index],
                    )
                    continue  # not the page's fault: no retry used
                last = f"HTTP {exc.status_code}"
                self._fault(f"http_{exc.status_code}")
                if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
                    raise LlmFailure(last) from None
                await asyncio.sleep(min(self.config.backoff * 2**attempt, self.config.max_wait))
                attempt += 1
                continue
            except openai.APITimeoutError:
                last = f"timed out after {self.config.timeout:.0f}s"
                self._fault("timeout")
                attempt += 1
                continue
            except openai.APIStatusError as exc:
                last = f"HTTP {exc.status_code}"
                self._fault(f"http_{exc.status_code}")
                raise LlmFailure(last) from None
            except openai.APIConnectionError as exc:
                last = f"connection failed ({exc.__class__.__name__})"
                self._fault("connection")
                await asyncio.sleep(min(self.config.backoff * 2**attempt, self.config.max_wait))
                attempt += 1
                continue
            except (openai.APIError, ValueError) as exc:
                # APIResponseValidationError, or a body announced as JSON that is not (a cut
                # answer): the client raises JSONDecodeError.
                last = f"unreadable answer ({exc.__class__.__name__}: {str(exc)[:80]})"
                self._fault("not_a_completion")
                attempt += 1
                continue
            try:
                content, refusal = completion_message(completion)
            except NotACompletion as exc:
                # A gateway's HTML error page or a proxy's JSON, answered with status 200.
                last = str(exc)
                self._fault("not_a_completion")
                attempt += 1
                continue
            usage = self._usage(completion, messages, content)
            if refusal:
                last = f"refused: {refusal[:80]}"
                self._fault("refusal")
                attempt += 1
                continue
            try:
                return parse_answer(content, doc), usage
            except ValueError as exc:
                last = str(exc)
                self._fault("invalid_answer")
                attempt += 1
                continue
        raise LlmFailure(last)

    def _fault(self, kind: str) -> None:
        self.ledger.failures[kind] += 1
        self._count(f"errors/{kind}")

    def _format_arguments(self, response_format: str) -> dict[str, Any]:
        if response_format == "json_schema":
            return {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "story_labels", "strict": True, "schema": JSON_SCHEMA},
                }
            }
        if response_format == "json_object":
            return {"response_format": {"type": "json_object"}}
        return {}

    @staticmethod
    def _format_refused(exc: openai.APIStatusError) -> bool:
        message = str(exc).lower()
        return any(
            word in message
            for word in ("response_format", "json_schema", "json schema", "grammar", "schema")
        )

    @staticmethod
    def _retry_after(exc: openai.APIStatusError) -> float | None:
        headers = exc.response.headers if exc.response is not None else {}
        if "retry-after-ms" in headers:
            try:
                return float(headers["retry-after-ms"]) / 1000
            except ValueError:
                pass
        return seconds_until(headers.get("retry-after"))

    def _usage(
        self, completion: Any, messages: list[dict[str, str]], content: str | None
    ) -> tuple[int, int]:
        usage = getattr(completion, "usage", None)
        prompt = getattr(usage, "prompt_tokens", None)
        output = getattr(usage, "completion_tokens", None)
        if not isinstance(prompt, int):  # some local servers send no usage: 4 characters a token
            prompt = sum(len(m["content"]) for m in messages) // 4
            self._count("usage_estimated")
        if not isinstance(output, int):
            output = len(content or "") // 4
        self.ledger.prompt_tokens += prompt
        self.ledger.completion_tokens += output
        self._count("prompt_tokens", prompt)
        self._count("completion_tokens", output)
        return prompt, output

    async def close(self) -> None:
        await self.client.close()
