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
import hashlib
import json
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
from pydantic import BaseModel, Field, ValidationError, field_validator

from storycrawl.classify import rules
from storycrawl.classify.base import Classification, Document
from storycrawl.classify.codebook import ACTIVITIES, RESPONSIBILITIES
from storycrawl.classify.heuristic import ROLE_CUES, HeuristicClassifier, _score
from storycrawl.config import setting_or_env
from storycrawl.items import ROLES, Role
from storycrawl.middlewares import seconds_until
from storycrawl.text import text_hash

logger = logging.getLogger(__name__)

PROMPT_VERSION = "2026-11-28.1"
PROMPT_TEMPLATE = Path(__file__).with_name("prompt.md").read_text(encoding="utf-8")
RESPONSIBILITY_KEYS = tuple(code.key for code in RESPONSIBILITIES)
ACTIVITY_KEYS = tuple(code.key for code in ACTIVITIES)
FORMATS = ("json_schema", "json_object", "text")

# Text in a page that speaks to a model or a labeller rather than to readers.
INJECTION = re.compile(
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts?|rules)"
    r"|disregard (?:all |any )?(?:the )?(?:previous|prior|above) (?:instructions|rules)"
    r"|(?:label|classify|mark|tag) (?:this|the) (?:page|post|article|story|text) as"
    r"|you are (?:now )?(?:an? )?(?:ai|assistant|language model|llm|classifier|labell?er)\b"
    r"|(?:new|updated) (?:system )?instructions?:|system prompt:|<\s*/?\s*(?:system|instructions?)\s*>"
    r"|(?:set|return) (?:include|is_first_hand|role) (?:to|=|as)\b|as an ai language model",
    re.IGNORECASE,
)


class LlmConfigError(ValueError):
    """The LLM classifier is asked for but not configured."""


@dataclass(frozen=True)
class LlmConfig:
    model: str
    base_url: str | None
    api_key: str | None
    concurrency: int = 4
    max_calls: int | None = None
    timeout: float = 60.0
    retries: int = 2
    max_wait: float = 60.0
    backoff: float = 1.0  # first pause after a 5xx or a dropped connection; doubles each retry
    max_input_tokens: int = 3000
    response_format: str = "auto"
    price_input: float | None = None  # per million prompt tokens
    price_output: float | None = None  # per million completion tokens

    @classmethod
    def from_settings(cls, settings: Any) -> LlmConfig:
        def number(name: str, default: float | None, kind=float) -> Any:
            raw = setting_or_env(settings, name, default)
            if raw is None:
                return None
            try:
                return kind(raw)
            except (TypeError, ValueError):
                raise LlmConfigError(f"{name}={raw!r} is not a number") from None

        response_format = str(setting_or_env(settings, "STORYCRAWL_LLM_RESPONSE_FORMAT", "auto"))
        if response_format not in ("auto", *FORMATS):
            raise LlmConfigError(
                f"STORYCRAWL_LLM_RESPONSE_FORMAT={response_format!r}: choose auto, json_schema, json_object or text"
            )
        config = cls(
            model=str(setting_or_env(settings, "STORYCRAWL_LLM_MODEL", "gpt-4o-mini")),
            base_url=setting_or_env(settings, "OPENAI_BASE_URL"),
            api_key=setting_or_env(settings, "OPENAI_API_KEY"),
            concurrency=number("STORYCRAWL_LLM_CONCURRENCY", 4, int),
            max_calls=number("STORYCRAWL_LLM_MAX_CALLS", None, int),
            timeout=number("STORYCRAWL_LLM_TIMEOUT", 60.0),
            retries=number("STORYCRAWL_LLM_RETRIES", 2, int),
            max_wait=number("STORYCRAWL_LLM_MAX_WAIT", 60.0),
            backoff=number("STORYCRAWL_LLM_BACKOFF", 1.0),
            max_input_tokens=number("STORYCRAWL_LLM_MAX_INPUT_TOKENS", 3000, int),
            response_format=response_format,
            price_input=number("STORYCRAWL_LLM_PRICE_INPUT", None),
            price_output=number("STORYCRAWL_LLM_PRICE_OUTPUT", None),
        )
        if not config.api_key and not config.base_url:
            raise LlmConfigError(
                "the llm classifier needs OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a local or "
                "compatible server such as Ollama: http://localhost:11434/v1)"
            )
        if config.concurrency < 1:
            raise LlmConfigError("STORYCRAWL_LLM_CONCURRENCY must be at least 1")
        return config

    @staticmethod
    def configured(settings: Any) -> bool:
        return bool(
            setting_or_env(settings, "OPENAI_API_KEY")
            or setting_or_env(settings, "OPENAI_BASE_URL")
        )


class LlmLabels(BaseModel):
    """What the model must answer; anything else is a schema violation."""

    role: Role
    is_first_hand: bool
    is_job_posting: bool
    confidence: float = Field(ge=0, le=1)
    evidence: str = Field(min_length=1)
    summary: str = Field(min_length=1, max_length=400)
    responsibilities: list[str] = Field(default_factory=list)
    activities: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    suspicious_instructions: bool = False

    @field_validator("responsibilities")
    @classmethod
    def _known_responsibilities(cls, values: list[str]) -> list[str]:
        return [v for v in dict.fromkeys(values) if v in RESPONSIBILITY_KEYS]

    @field_validator("activities")
    @classmethod
    def _known_activities(cls, values: list[str]) -> list[str]:
        return [v for v in dict.fromkeys(values) if v in ACTIVITY_KEYS]

    @field_validator("tools")
    @classmethod
    def _tool_names(cls, values: list[str]) -> list[str]:
        return [v.strip()[:60] for v in dict.fromkeys(values) if isinstance(v, str) and v.strip()][
            :20
        ]


JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "role",
        "is_first_hand",
        "is_job_posting",
        "confidence",
        "evidence",
        "summary",
        "responsibilities",
        "activities",
        "tools",
        "suspicious_instructions",
    ],
    "properties": {
        "role": {"type": "string", "enum": list(ROLES)},
        "is_first_hand": {"type": "boolean"},
        "is_job_posting": {"type": "boolean"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "evidence": {"type": "string"},
        "summary": {"type": "string"},
        "responsibilities": {
            "type": "array",
            "items": {"type": "string", "enum": list(RESPONSIBILITY_KEYS)},
        },
        "activities": {"type": "array", "items": {"type": "string", "enum": list(ACTIVITY_KEYS)}},
        "tools": {"type": "array", "items": {"type": "string"}},
        "suspicious_instructions": {"type": "boolean"},
    },
}


def system_prompt() -> str:
    def listing(codes) -> str:
        return "; ".join(f"`{c.key}` ({c.label})" for c in codes)

    return PROMPT_TEMPLATE.replace("{responsibilities}", listing(RESPONSIBILITIES)).replace(
        "{activities}", listing(ACTIVITIES)
    )


def cut_to_budget(text: str, max_tokens: int) -> tuple[str, bool]:
    """The text cut to about max_tokens (4 characters a token), at a paragraph or sentence end."""
    limit = max_tokens * 4
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    for mark in ("\n\n", ". ", "\n"):
        at = cut.rfind(mark)
        if at > limit * 0.6:
            return cut[: at + len(mark)].rstrip(), True
    return cut, True


def user_message(doc: Document, max_tokens: int) -> str:
    text, truncated = cut_to_budget(doc.text, max_tokens)
    note = " (cut to fit; the page goes on)" if truncated else ""
    # The page is fenced with a marker it cannot contain, so it cannot close the fence itself.
    fence = "=" * 8 + hashlib.sha256(doc.text.encode()).hexdigest()[:8]
    return (
        f"Label this page. Everything between the two {fence} lines is the page{note}.\n"
        f"URL: {doc.url}\nTitle: {doc.title}\n{fence}\n{text}\n{fence}\n"
        "Answer with the JSON object only."
    )


def cache_key(model: str, doc: Document) -> str:
    return hashlib.sha256(
        f"{model}\n{PROMPT_VERSION}\n{text_hash(doc.title + chr(10) + doc.text)}".encode()
    ).hexdigest()[:40]


def parse_answer(content: str | None, doc: Document) -> LlmLabels:
    """Validate a model's answer; ValueError saying what is wrong."""
    if not content or not content.strip():
        raise ValueError("empty answer")
    text = content.strip()
    if text.startswith("```"):
        text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        match = re.search(r"\{.*\}", text, flags=re.DOTALL)
        if not match:
            raise ValueError("no JSON object in the answer") from None
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError as exc:
            raise ValueError(f"malformed JSON ({exc.msg})") from None
    try:
        labels = LlmLabels.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise ValueError(f"answer does not fit the schema ({problems})") from None
    if not evidence_in_text(labels.evidence, f"{doc.title}\n{doc.text}"):
        raise ValueError(f"evidence is not quoted from the page: {labels.evidence[:80]!r}")
    return labels


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def evidence_in_text(evidence: str, text: str) -> bool:
    """The evidence sentence appears in the page, ignoring case, spacing and punctuation."""
    quoted = _words(evidence.strip().strip("\"'“”…."))
    return bool(quoted) and quoted in _words(text)


@dataclass
class Ledger:
    """Calls, cache hits, tokens and failures of one run."""

    model: str
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    skipped: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)
    wall_seconds: float = 0.0

    def cost(self, config: LlmConfig) -> float | None:
        if config.price_input is None or config.price_output is None:
            return None
        return round(
            self.prompt_tokens / 1e6 * config.price_input
            + self.completion_tokens / 1e6 * config.price_output,
            6,
        )


class LlmCache:
    """Validated answers in SQLite (table `llm_cache`), keyed by model + prompt version + text."""

    def __init__(self, db: Any):
        self.table = db.table("llm_cache")
        if not self.table.exists():
            self.table.create(
                {"key": str, "model": str, "prompt_version": str, "labels": str, "prompt_tokens": int,
                 "completion_tokens": int, "created_at": str},
                pk="key",
            )  # fmt: skip

    def get(self, key: str) -> LlmLabels | None:
        rows = list(self.table.rows_where("key = ?", [key], limit=1))
        if not rows:
            return None
        try:
            return LlmLabels.model_validate_json(rows[0]["labels"])
        except ValidationError:
            return None

    def put(
        self, key: str, model: str, labels: LlmLabels, prompt_tokens: int, completion_tokens: int
    ) -> None:
        from storycrawl.db import utcnow_iso

        with self.table.db.conn:
            self.table.upsert(
                {"key": key, "model": model, "prompt_version": PROMPT_VERSION, "labels": labels.model_dump_json(),
                 "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "created_at": utcnow_iso()},
                pk="key",
            )  # fmt: skip


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
            usage = self._usage(completion, messages)
            choice = completion.choices[0] if completion.choices else None
            message = choice.message if choice else None
            if message is not None and getattr(message, "refusal", None):
                last = f"refused: {message.refusal[:80]}"
                self._fault("refusal")
                attempt += 1
                continue
            try:
                return parse_answer(message.content if message else None, doc), usage
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

    def _usage(self, completion: Any, messages: list[dict[str, str]]) -> tuple[int, int]:
        usage = getattr(completion, "usage", None)
        prompt = getattr(usage, "prompt_tokens", None)
        output = getattr(usage, "completion_tokens", None)
        if prompt is None:  # some local servers send no usage: estimate at 4 characters a token
            prompt = sum(len(m["content"]) for m in messages) // 4
            self._count("usage_estimated")
        if output is None:
            content = completion.choices[0].message.content if completion.choices else ""
            output = len(content or "") // 4
        self.ledger.prompt_tokens += prompt
        self.ledger.completion_tokens += output
        self._count("prompt_tokens", prompt)
        self._count("completion_tokens", output)
        return prompt, output

    async def close(self) -> None:
        await self.client.close()
