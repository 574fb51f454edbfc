"""The LLM classifier's configuration: OPENAI_API_KEY, OPENAI_BASE_URL and STORYCRAWL_LLM_* settings,
read once into `LlmConfig`; a bad value raises `LlmConfigError` naming it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storycrawl.config import setting_or_env

FORMATS = ("json_schema", "json_object", "text")


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
