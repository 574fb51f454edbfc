"""Themes in the engineers' own words: quotes for each code, and the time splits stories state.

A quote is a sentence copied from a story's stored text: the sentence where the codebook found
the code's cues. It is checked to be in the text (`verified`) before it is shown, and it links
to the story's row. Only a bounded number of texts is ever read: the most confident stories
carrying each code, and the stories whose text mentions a share of time.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass

from storycrawl.classify.codebook import scan, sentence_spans
from storycrawl.report.reader import ReportReader
from storycrawl.report.safety import clean
from storycrawl.report.synthesis import Finding, Quote

QUOTES_PER_THEME = 3
CANDIDATES_PER_THEME = 12
MAX_QUOTE_CHARS = 320


def verified(quote: str, text: str) -> bool:
    """The quote is in the stored text, character for character."""
    return bool(quote) and quote in text


class QuoteCandidates:
    """The most confident stories carrying each code, gathered while the stories stream."""

    def __init__(self, per_code: int = CANDIDATES_PER_THEME) -> None:
        self.per_code = per_code
        self.heaps: dict[str, list[tuple[float, int, str]]] = {}

    def add(self, story: dict) -> None:
        confidence = float(story.get("confidence") or 0.0)
        entry = (confidence, -story["number"], story["url"])
        for key in {*(story.get("responsibilities") or []), *(story.get("activities") or [])}:
            heap = self.heaps.setdefault(key, [])
            if len(heap) < self.per_code:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)

    def urls(self) -> set[str]:
        return {url for heap in self.heaps.values() for _, _, url in heap}

    def ranked(self, key: str) -> list[tuple[int, str]]:
        return [(-neg, url) for _, neg, url in sorted(self.heaps.get(key, []), reverse=True)]


def code_sentences(text: str, key: str) -> list[str]:
    """Sentences of the text where the code's cues are, most cues first."""
    spans = [(a, b) for a, b, owners in scan(text) if any(k == key for k, _ in owners)]
    if not spans:
        return []
    scored = []
    for start, end in sentence_spans(text):
        hits = sum(1 for a, _ in spans if start <= a < end)
        length = end - start
        if hits and 40 <= length <= MAX_QUOTE_CHARS:
            scored.append((-hits, start, text[start:end]))
    return [sentence for _, _, sentence in sorted(scored)]


def attach_quotes(
    findings: list[Finding], candidates: QuoteCandidates, texts: dict[str, str]
) -> int:
    """2-3 verified quotes per finding, from different stories; returns how many failed the
    check (none should: they are slices of the text)."""
    failed = 0
    for finding in findings:
        for number, url in candidates.ranked(finding.key):
            text = texts.get(url) or ""
            for sentence in code_sentences(text, finding.key)[:1]:
                if not verified(sentence, text):
                    failed += 1
                    continue
                finding.quotes.append(Quote(number, url, clean(sentence)))
            if len(finding.quotes) >= QUOTES_PER_THEME:
                break
    return failed


# A stated share of time: "40% of my time", "half my week", "~40 % data and evals".
_SHARE = r"(?:~|about |around |roughly )?\d{1,3}\s?%|half|a third|a quarter|two thirds|most"
_TIME_SPLIT = re.compile(
    rf"(?:\b(?:{_SHARE})\b[^.!?\n]{{0,60}}\b(?:my|our|the team's|their) (?:time|week|days?|hours)\b"
    rf"|\b(?:my|our) (?:time|week|days?)\b[^.!?\n]{{0,80}}(?:{_SHARE}))",
    re.IGNORECASE,
)
MAX_TIME_SPLIT_STORIES = 300


@dataclass
class TimeSplit:
    number: int
    url: str
    quote: str


def time_splits(
    reader: ReportReader, where: str, params: list, numbers: dict[str, int], most: int = 12
) -> list[TimeSplit]:
    """Sentences in which a story says how its author's time splits, quoted as written."""
    if "text" not in reader.columns["stories"]:
        return []
    sql = (
        f"select s.url, s.text from {reader.from_clause()} where {where} and "
        "(s.text like '%of my time%' or s.text like '%of our time%' or s.text like '%my week%' "
        "or s.text like '%my time goes%' or s.text like '%my days%' or s.text like '%of the week%') "
        f"order by s.published desc limit {MAX_TIME_SPLIT_STORIES}"
    )
    found = []
    for url, text in reader.execute(sql, params):
        if url not in numbers or not text:
            continue
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            if len(sentence) <= MAX_QUOTE_CHARS and _TIME_SPLIT.search(sentence):
                if verified(sentence, text):
                    found.append(TimeSplit(numbers[url], url, clean(sentence)))
                break
    found.sort(key=lambda t: t.number)
    return found[:most]
