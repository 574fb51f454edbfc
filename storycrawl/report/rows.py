"""What a story's row shows: a one-line summary, and its evidence as quote, reason and internals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from storycrawl.classify.codebook import summary_sentence

_QUOTED = re.compile(r"^\s*“(?P<quote>.+?)”\s*(?:—\s*(?P<rest>.*))?$", re.DOTALL)
_CUES = re.compile(r"\bwork: (?P<cues>[^(;]+)")
ROLE_WORDS = {
    "ai_engineer": "an AI engineer",
    "ml_engineer": "an ML engineer",
    "data_scientist": "a data scientist",
    "software_engineer": "a software engineer",
    "researcher": "a researcher",
    "other": "someone outside engineering",
}


@dataclass
class Evidence:
    quote: str  # the sentence the classifier quoted from the page ("" when it gave none)
    reason: str  # a short reason in words
    internals: str  # the classifier's own account (cues and scores), folded away in the HTML


def one_line(story: dict[str, Any]) -> str:
    """The model's summary, else the sentence of the text that says most about the work (the
    stored codebook summary, or one chosen now from the start of the text), else the title."""
    if story.get("summary"):
        return str(story["summary"])
    head = story.get("head") or ""
    if head:
        sentence = summary_sentence(head, title=story.get("title") or "")
        if sentence:
            return sentence
    return story.get("title") or ""


def evidence_of(story: dict[str, Any]) -> Evidence:
    raw = (story.get("evidence") or "").strip()
    match = _QUOTED.match(raw)
    if match:
        quote, internals = match["quote"].strip(), (match["rest"] or "").strip()
    elif (story.get("classifier") or "").startswith("llm"):
        quote, internals = raw.strip('“”" '), ""
    else:
        quote, internals = "", raw
    role = ROLE_WORDS.get(story.get("role") or "", "the author")
    voice = "in the author's own words" if story.get("is_first_hand") else "not first-hand"
    reason = f"{role}, {voice}"
    cues = _CUES.search(internals)
    if cues:
        names = [c.strip() for c in cues["cues"].split(",") if c.strip()][:3]
        reason += f": {', '.join(names)}"
    confidence = story.get("confidence")
    if confidence is not None:
        reason += f" (confidence {confidence:.2f})"
    return Evidence(quote, reason, internals)
