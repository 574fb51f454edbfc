"""The LLM classifier's configuration: OPENAI_API_KEY, OPENAI_BASE_URL and STORYCRAWL_LLM_* settings,
read once into `LlmConfig`; a bad value raises `LlmConfigError` naming it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from storycrawl.config import setting_or_env

FORMATS = ("json_schema", "json_object", "text")


def redact_url(url: str) -> str:
    """The URL without secrets: userinfo becomes `***@`, every query value `***` (gateways take
    keys as `?key=`, `?api-key=`, `?sig=`...: no name list is safe, so all values go)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "&".join(f"{name}=***" for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


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
        config.check_ranges()
        return config

    def check_ranges(self) -> None:
        """Each number in its range: a negative budget or a zero timeout would silently turn the
        LLM off (every page falling back to the heuristic), so they are refused by name."""
        limits = (
            ("STORYCRAWL_LLM_CONCURRENCY", self.concurrency, 1, "at least 1"),
            ("STORYCRAWL_LLM_MAX_CALLS", self.max_calls, 0, "0 or more (unset: no cap)"),
            ("STORYCRAWL_LLM_TIMEOUT", self.timeout, None, "more than 0 seconds"),
            ("STORYCRAWL_LLM_RETRIES", self.retries, 0, "0 or more"),
            ("STORYCRAWL_LLM_MAX_WAIT", self.max_wait, 0, "0 or more seconds"),
            ("STORYCRAWL_LLM_BACKOFF", self.backoff, 0, "0 or more seconds"),
            ("STORYCRAWL_LLM_MAX_INPUT_TOKENS", self.max_input_tokens, 100, "at least 100"),
            ("STORYCRAWL_LLM_PRICE_INPUT", self.price_input, 0, "0 or more"),
            ("STORYCRAWL_LLM_PRICE_OUTPUT", self.price_output, 0, "0 or more"),
        )
        for name, value, least, wanted in limits:
            if value is None:
                continue
            bad = not math.isfinite(value) or (value <= 0 if least is None else value < least)
            if bad:
                raise LlmConfigError(f"{name}={value!r}: must be {wanted}")

    @property
    def shown_base_url(self) -> str | None:
        """The base URL as logs and the llm_usage table may show it (no secrets)."""
        return redact_url(self.base_url) if self.base_url else self.base_url

    def secrets(self) -> list[str]:
        """Strings that must never reach a log line: the key, the URL's userinfo and query values."""
        found = [self.api_key] if self.api_key else []
        if self.base_url:
            parts = urlsplit(self.base_url)
            if "@" in parts.netloc:
                found.append(parts.netloc.rsplit("@", 1)[0])
            found += [value for _, value in parse_qsl(parts.query) if value]
        return [secret for secret in found if len(secret) >= 3]

    @staticmethod
    def configured(settings: Any) -> bool:
        return bool(
            setting_or_env(settings, "OPENAI_API_KEY")
            or setting_or_env(settings, "OPENAI_BASE_URL")
        )
