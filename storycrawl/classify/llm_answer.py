"""What the LLM is asked and what it must answer: the prompt, the page as fenced data cut to a
token budget, the answer's schema (`LlmLabels`, `JSON_SCHEMA`) and its validation (the evidence must be
quoted from the page), the injection guard, and the cache key (model + prompt version + text)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from storycrawl.classify.base import Document
from storycrawl.classify.codebook import ACTIVITIES, RESPONSIBILITIES
from storycrawl.items import ROLES, Role
from storycrawl.text import text_hash

PROMPT_VERSION = "2026-11-28.1"
PROMPT_TEMPLATE = Path(__file__).with_name("prompt.md").read_text(encoding="utf-8")
RESPONSIBILITY_KEYS = tuple(code.key for code in RESPONSIBILITIES)
ACTIVITY_KEYS = tuple(code.key for code in ACTIVITIES)

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
