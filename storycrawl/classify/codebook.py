"""The codebook: what AI engineers' stories are about, as fixed codes.

One list shared by the heuristic coder (the cues below), the LLM prompt (the code names and
labels) and the report (counts, shares and quotes of included stories per code). Its coverage
is measured on a labelled sample of stories (tests/data/codebook/sample.jsonl, scored by
tests/test_report_codebook.py).

Cheap by construction: every cue of every code is one alternative of a single compiled regex,
run once over the text. A match is mapped to its codes by which cue fragments it fully matches,
memoised by the matched words. Two kinds of span are consumed first and count for no code:
quoted speech (a user's question quoted in a story is not the author's work) and credentials
called tokens ("OAuth tokens" are not LLM tokens).
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from storycrawl.classify.codebook_scan import CueScanner, Owners


@dataclass(frozen=True)
class Code:
    key: str
    label: str
    cues: tuple[str, ...]  # regex fragments, matched case-insensitively on word boundaries

    @property
    def pattern(self) -> re.Pattern[str]:
        return _code_pattern(self)


_TABLES = tomllib.loads(Path(__file__).with_name("codebook.toml").read_text(encoding="utf-8"))
# Core responsibilities (the kinds of systems AI engineers build and own) and daily activities
# (what the work looks like day to day), from codebook.toml.
RESPONSIBILITIES: tuple[Code, ...] = tuple(
    Code(c["key"], c["label"], tuple(c["cues"])) for c in _TABLES["responsibilities"]
)
ACTIVITIES: tuple[Code, ...] = tuple(
    Code(c["key"], c["label"], tuple(c["cues"])) for c in _TABLES["activities"]
)
# Tools named in stories: canonical name -> pattern.
TOOLS: dict[str, str] = dict(_TABLES["tools"])
# Consumed before any cue, and coded as nothing: quoted speech (a user's question quoted in a
# story is not the author's work), and credentials called tokens ("OAuth tokens").
_NEUTRAL = tuple(_TABLES["neutral"]["patterns"])
_TOOL_PREFIX = "tool:"


def _fragments() -> dict[str, dict[str, int]]:
    """Each cue fragment and the codes (and tools) it stands for, with its weight: a cue
    marked `!` is specific enough to count twice (a responsibility needs a weight of two)."""
    owners: dict[str, dict[str, int]] = {}
    for code in (*RESPONSIBILITIES, *ACTIVITIES):
        for cue in code.cues:
            weight = 2 if cue.startswith("!") else 1
            owners.setdefault(cue.lstrip("!"), {})[code.key] = weight
    for name, pattern in TOOLS.items():
        owners.setdefault(pattern, {})[_TOOL_PREFIX + name] = 1
    return owners


_QUOTES = tuple(_TABLES["neutral"]["quotes"])
_SCANNER = CueScanner(_fragments(), _NEUTRAL, _QUOTES)
_PATTERNS = {
    code.key: re.compile(
        r"\b(?:" + "|".join(c.lstrip("!") for c in code.cues) + r")(?![\w-])", re.IGNORECASE
    )
    for code in (*RESPONSIBILITIES, *ACTIVITIES)
}


def _code_pattern(code: Code) -> re.Pattern[str]:
    return _PATTERNS[code.key]


def scan(text: str) -> list[tuple[int, int, Owners]]:
    """(start, end, codes with weights) of every cue in the text, in one pass."""
    return _SCANNER.scan(text)


def matches(codes: tuple[Code, ...], text: str) -> list[str]:
    keys = {code.key for code in codes}
    found = {key for _, _, owners in scan(text) for key, _ in owners}
    return [code.key for code in codes if code.key in keys & found]


# Sentences: ends of sentences and line breaks.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?P<close>[\"”’)]?)\s+(?=[\"“‘(]?[A-Z0-9])|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the text, stripped of surrounding space."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start() + len(match["close"] or "")))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            out.append((a + lead, a + trail))
    return out


MAX_CHARS = 30000
SUMMARY_LIMIT = 220


def code_story(text: str, *, min_hits: int = 1, title: str = "") -> dict:
    """Codebook keys found in a story (responsibilities need two cues, activities one), the
    tools it names, and a one-line summary: the sentence that touches most of its codes."""
    sample = text[:MAX_CHARS]
    hits: dict[str, int] = {}
    tools: list[str] = []
    spans = scan(sample)
    for _, _, owners in spans:
        for key, weight in owners:
            if key.startswith(_TOOL_PREFIX):
                name = key[len(_TOOL_PREFIX) :]
                if name not in tools:
                    tools.append(name)
            else:
                hits[key] = hits.get(key, 0) + weight
    responsibilities = [c.key for c in RESPONSIBILITIES if hits.get(c.key, 0) >= max(min_hits, 2)]
    activities = [c.key for c in ACTIVITIES if hits.get(c.key, 0) >= min_hits]
    return {
        "responsibilities": responsibilities,
        "activities": activities,
        "tools": [name for name in TOOLS if name in tools],
        "summary": summary_sentence(sample, spans, set(responsibilities) | set(activities), title),
    }


def summary_sentence(
    text: str,
    spans: list[tuple[int, int, Owners]] | None = None,
    codes: set[str] | None = None,
    title: str = "",
) -> str:
    """The sentence that says most about the story's work: the most distinct codes, first-person
    voice a plus, the opening sentence (often a hook or a date line) only when nothing beats it.
    Only sentences holding a cue are scored; with none, the first full sentence after the
    opening."""
    spans = scan(text) if spans is None else spans
    sentences = sentence_spans(text)
    if not sentences:
        return ""
    found: dict[int, set[str]] = {}
    ends = [end for _, end in sentences]
    for start, _, owners in spans:
        index = bisect.bisect_right(ends, start)
        if index < len(sentences):
            found.setdefault(index, set()).update(
                k for k, _ in owners if codes is None or k in codes or k.startswith(_TOOL_PREFIX)
            )
    title_key = title.strip().lower()

    def usable(index: int) -> bool:
        start, end = sentences[index]
        sentence = text[start:end]
        return 7 <= len(sentence.split()) and end - start <= 400 and sentence.lower() != title_key

    best, best_score = None, 0.0
    for index, keys in found.items():
        if not keys or not usable(index):
            continue
        sentence = text[slice(*sentences[index])]
        score = len({k for k in keys if not k.startswith(_TOOL_PREFIX)}) + 0.3 * len(keys)
        if _FIRST_PERSON.search(sentence):
            score += 0.5
        if index == 0:
            score -= 0.6
        if score > best_score or (score == best_score and best is not None and index < best):
            best, best_score = index, score
    if best is None:
        fallback = [i for i in range(min(len(sentences), 60)) if usable(i)]
        best = next((i for i in fallback if i > 0), fallback[0] if fallback else None)
    if best is None:
        return ""
    sentence = text[slice(*sentences[best])]
    if len(sentence) <= SUMMARY_LIMIT:
        return sentence
    return sentence[:SUMMARY_LIMIT].rsplit(" ", 1)[0] + "…"


_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|we|we're|we've|our|my)\b", re.IGNORECASE)


def label_of(key: str) -> str:
    for code in (*RESPONSIBILITIES, *ACTIVITIES):
        if code.key == key:
            return code.label
    return key
