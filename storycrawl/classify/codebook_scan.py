"""One pass over a text for every cue of the codebook: an Aho-Corasick automaton finds where a
cue can start, and only the cues that can start there are tried, anchored at that spot.

A cue is a regex fragment. Each one is reduced to the literal prefixes any of its matches must
begin with ("golden (?:set|dataset)" -> "golden "; "(?:cut|reduc)\\w* latency" -> "cut",
"reduc"); the automaton (pyahocorasick, C) finds every prefix in the lowercased text at once.
At a word start the candidates are matched and the longest match wins; every cue matching that
same longest span adds its codes. A cue with no literal prefix is refused at build time, so
the cost never silently falls back to trying every cue everywhere.
Spans that count for no code (quoted speech, "OAuth tokens") are consumed like cues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import ahocorasick

Owners = tuple[tuple[str, int], ...]
_META = set(".^$*+?{}[]\\|()")
_QUOTE_START = re.compile(r"[“\"‘]|(?<![\w'’])'")


def _split_top(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _group_end(pattern: str, open_at: int) -> int:
    depth, i, in_class = 0, open_at, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced group in {pattern!r}")


def _pure(pattern: str) -> bool:
    """A pattern that only matches itself (letters, spaces, escaped punctuation)."""
    return bool(pattern) and re.fullmatch(r"(?:[^.^$*+?{}\[\]\\|()]|\\[^\w])+", pattern) is not None


def _unescape(pattern: str) -> str:
    return re.sub(r"\\(.)", r"\1", pattern)


def literal_prefixes(pattern: str) -> set[str] | None:
    """Lowercase literal prefixes that every match of the pattern starts with, or None."""
    alternatives = _split_top(pattern)
    if len(alternatives) > 1:
        found: set[str] = set()
        for alternative in alternatives:
            prefixes = literal_prefixes(alternative)
            if not prefixes:
                return None
            found |= prefixes
        return found
    literal, i = "", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            escaped = pattern[i + 1 : i + 2]
            if not escaped or escaped.isalnum():
                break  # \w, \d, \b...: not a literal
            char, step = escaped, 2
        elif ch == "(":
            if not pattern.startswith("(?:", i):
                break
            end = _group_end(pattern, i)
            if pattern[end + 1 : end + 2] in ("?", "*", "{"):
                break
            inner = _split_top(pattern[i + 3 : end])
            if all(_pure(alternative) for alternative in inner):
                # "(?:our|the) agents?" -> "our agent", "the agent": longer, rarer prefixes.
                rest = literal_prefixes(pattern[end + 1 :]) or {""}
                return {(literal + _unescape(a)).lower() + r for a in inner for r in rest}
            if literal:
                break
            return literal_prefixes(pattern[i + 3 : end])
        elif ch in _META:
            break
        else:
            char, step = ch, 1
        after = pattern[i + step : i + step + 1]
        if after in ("?", "*", "{"):
            break
        literal += char
        i += step
        if after == "+":
            break
    return {literal.lower()} if literal else None


class CueScanner:
    def __init__(
        self, cues: dict[str, dict[str, int]], neutral: Iterable[str], quotes: Iterable[str]
    ):
        """cues: fragment -> {code: weight}; neutral: fragments that consume a span and count for
        nothing; quotes: patterns of quoted speech, tried where a quotation mark opens."""
        entries = [(f, tuple(sorted(o.items()))) for f, o in cues.items()]
        entries += [(f, ()) for f in neutral]
        starts: dict[str, list[tuple[re.Pattern[str], Owners]]] = {}
        for fragment, owners in entries:
            prefixes = literal_prefixes(fragment)
            if not prefixes:
                raise ValueError(f"codebook cue {fragment!r} has no literal prefix")
            cue = (re.compile(rf"(?:{fragment})(?![\w-])", re.IGNORECASE), owners)
            for prefix in prefixes:
                starts.setdefault(prefix, []).append(cue)
        self.automaton = ahocorasick.Automaton()
        for prefix, found in starts.items():
            self.automaton.add_word(prefix, (len(prefix) - 1, tuple(found)))
        self.automaton.make_automaton()
        self.quotes = re.compile("|".join(f"(?:{q})" for q in quotes))

    def scan(self, text: str) -> list[tuple[int, int, Owners]]:
        """(start, end, codes with weights) of every cue in the text, in text order."""
        lower = text.lower()
        if len(lower) != len(text):  # a few characters change length when lowercased
            lower = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
        candidates: dict[int, list] = {}
        for end, (back, cues) in self.automaton.iter(lower):
            start = end - back
            if start and (lower[start - 1].isalnum() or lower[start - 1] == "_"):
                continue  # not a word start
            if start in candidates:
                candidates[start].extend(cues)
            else:
                candidates[start] = list(cues)
        for match in _QUOTE_START.finditer(text):
            quoted = self.quotes.match(text, match.start())
            if quoted:
                candidates.setdefault(match.start(), []).append(quoted.end())
        spans, consumed_to = [], 0
        for start in sorted(candidates):
            if start < consumed_to:
                continue
            best_end, owners = -1, ()
            for cue in candidates[start]:
                if isinstance(cue, int):  # quoted speech: consumed whole
                    end, cue_owners = cue, ()
                else:
                    match = cue[0].match(text, start)
                    if match is None:
                        continue
                    end, cue_owners = match.end(), cue[1]
                if end > best_end:
                    best_end, owners = end, cue_owners
                elif end == best_end and cue_owners != owners:
                    owners = _merge(owners, cue_owners)
            if best_end > start:
                consumed_to = best_end
                if owners:
                    spans.append((start, best_end, owners))
        return spans


def _merge(a: Owners, b: Owners) -> Owners:
    merged = dict(a)
    for key, weight in b:
        merged[key] = max(merged.get(key, 0), weight)
    return tuple(sorted(merged.items()))
