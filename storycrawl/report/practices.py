"""Recurring practices, found in the data: phrases that many included stories share and that
the stories left out (explainers, news, other roles) use much less, grouped when they occur in
the same stories.

No list of expected findings: the candidates are every two- and three-word phrase of the
stories' text (no stopword at either end, no number alone). A phrase is kept when at least
MIN_STORIES included stories use it, it is not in most of them (then it is the topic, not a
practice), and it is at least LIFT times as frequent among included stories as among the
classified stories that were left out. Phrases whose stories overlap (Jaccard >= JOIN) form one
practice, named by its most frequent phrases and shown with its stories and a quote from each.
The text read is bounded: a sample of at most SAMPLE stories, each cut to TEXT_CHARS.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from storycrawl.classify.codebook import sentence_spans
from storycrawl.report.safety import clean
from storycrawl.report.synthesis import Quote

SAMPLE = 1500
TEXT_CHARS = 6000
MIN_STORIES = 3
MAX_SHARE = 0.35
LIFT = 2.0
JOIN = 0.5
MOST = 12

_WORD = re.compile(r"[a-z][a-z0-9'+#.-]*[a-z0-9+#]|[a-z]")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "first",
        "last",
        "next",
        "every",
        "many",
        "much",
        "lot",
        "lots",
        "really",
        "still",
        "even",
        "ever",
        "way",
        "thing",
        "things",
        "something",
        "anything",
        "got",
        "get",
        "gets",
        "getting",
        "make",
        "made",
        "makes",
        "making",
        "go",
        "went",
        "going",
        "come",
        "came",
        "take",
        "took",
        "put",
        "see",
        "saw",
        "know",
        "knew",
        "think",
        "thought",
        "want",
        "wanted",
        "need",
        "needed",
        "use",
        "used",
        "using",
        "said",
        "says",
        "like",
        "well",
        "back",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "time",
        "times",
        "today",
        "yesterday",
        "tomorrow",
        "ago",
        "new",
        "old",
        "good",
        "bad",
        "better",
        "best",
        "big",
        "small",
        "little",
        "long",
        "short",
        "right",
        "left",
        "part",
        "end",
        "start",
        "kind",
        "sort",
        "us",
        "let",
        "lets",
        "i'm",
        "i've",
        "i'd",
        "we're",
        "we've",
        "it's",
        "that's",
        "don't",
        "didn't",
        "doesn't",
        "isn't",
        "wasn't",
        "can't",
        "won't",
        "per",
        "via",
        "etc",
        "e.g",
        "i.e",
        "vs",
        "yes",
        "okay",
        "ok",
    ]
)


@dataclass
class Practice:
    phrases: list[str]
    rows: list[int]
    quotes: list[Quote] = field(default_factory=list)

    @property
    def label(self) -> str:
        return " / ".join(self.phrases)


def phrases_of(text: str) -> set[str]:
    words = _WORD.findall(text[:TEXT_CHARS].lower())
    found = set()
    for n in (2, 3):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if gram[0] in STOPWORDS or gram[-1] in STOPWORDS:
                continue
            if all(w in STOPWORDS for w in gram[1:-1]) and n == 3:
                continue
            found.add(" ".join(gram))
    return found


def find_practices(
    included: list[tuple[int, str, str]], background: list[str]
) -> tuple[list[Practice], int]:
    """Practices among the included stories ((number, url, text) each), measured against the
    background texts; returns them and how many included stories were read."""
    if len(included) < MIN_STORIES:
        return [], len(included)
    stories_of: dict[str, list[int]] = {}
    for index, (_, _, text) in enumerate(included):
        for phrase in phrases_of(text):
            stories_of.setdefault(phrase, []).append(index)
    background_df: Counter[str] = Counter()
    for text in background:
        background_df.update(phrases_of(text))
    n_in, n_bg = len(included), max(1, len(background))
    candidates = []
    for phrase, indexes in stories_of.items():
        df = len(indexes)
        if df < MIN_STORIES or df > MAX_SHARE * n_in:
            continue
        rate_in = df / n_in
        rate_bg = (background_df.get(phrase, 0) + 1) / (n_bg + 1)
        if rate_in >= LIFT * rate_bg:
            candidates.append((df, rate_in / rate_bg, phrase))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
    clusters: list[tuple[list[str], set[int]]] = []
    for _, _, phrase in candidates[:400]:
        members = set(stories_of[phrase])
        for phrases, stories in clusters:
            overlap = len(members & stories) / len(members | stories)
            if overlap >= JOIN or any(phrase in p or p in phrase for p in phrases):
                if len(phrases) < 4 and not any(phrase in p or p in phrase for p in phrases):
                    phrases.append(phrase)
                stories |= members
                break
        else:
            clusters.append(([phrase], members))
    practices = []
    for phrases, stories in clusters[:MOST]:
        lead = phrases[0]
        rows = sorted(included[i][0] for i in stories)
        practice = Practice(phrases, rows)
        for i in sorted(stories_of[lead], key=lambda i: included[i][0]):
            number, url, text = included[i]
            sentence = _sentence_with(text, lead)
            if sentence:
                practice.quotes.append(Quote(number, url, clean(sentence)))
            if len(practice.quotes) >= 3:
                break
        practices.append(practice)
    return practices, n_in


def _sentence_with(text: str, phrase: str) -> str:
    pattern = re.compile(r"\b" + r"\W+".join(map(re.escape, phrase.split())) + r"\b", re.IGNORECASE)
    for start, end in sentence_spans(text[:TEXT_CHARS]):
        sentence = text[start:end]
        if len(sentence) <= 320 and pattern.search(sentence) and sentence in text:
            return sentence
    return ""
