"""Scoring a classifier against labelled pages (the fields of the shared guide's dev.jsonl).

Used by `scrapy evaluate` and by the quality gate in the tests.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from storycrawl.classify.base import Classifier, Document, classify_all
from storycrawl.dates import parse_datetime
from storycrawl.items import ROLES


@dataclass
class LineError:
    line: int
    message: str


@dataclass
class InputRow:
    line: int
    data: dict[str, Any]
    document: Document


def read_documents(lines: Iterable[str | bytes]) -> Iterator[InputRow | LineError]:
    """JSON lines with `url`, `title`, `text` (and optionally `published`): a Document per good
    line, a LineError (with its number) per bad one. Blank lines are skipped. Lines given as
    bytes (a file opened in binary) that are not UTF-8 are bad lines, not a crash."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield LineError(number, f"not UTF-8 text (byte {exc.start})")
                continue
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield LineError(number, f"not JSON ({exc.msg})")
            continue
        if not isinstance(data, dict):
            yield LineError(number, "not a JSON object")
            continue
        if not isinstance(data.get("text"), str) or not data["text"].strip():
            yield LineError(number, "no text")
            continue
        if not isinstance(data.get("url"), str) or not data["url"].strip():
            yield LineError(number, "no url")
            continue
        if not isinstance(data.get("hints") or {}, dict):
            yield LineError(number, "hints must be a JSON object of names to values")
            continue
        try:
            document = Document(
                url=data["url"],
                title=data.get("title") or "",
                text=data["text"],
                published=parse_datetime(data.get("published")),
                hints={k: str(v) for k, v in (data.get("hints") or {}).items()},
            )
        except ValidationError as exc:
            yield LineError(
                number,
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()),
            )
            continue
        yield InputRow(number, data, document)


def gold_role(row: dict[str, Any]) -> str:
    role = row.get("author_role") or row.get("role") or "other"
    return "other" if role in ("unknown", None) else role


@dataclass
class Misclassified:
    url: str
    title: str
    wrong: list[str]
    expected: dict[str, Any]
    got: dict[str, Any]
    evidence: str
    note: str = ""


@dataclass
class Evaluation:
    classifier: str
    rows: int
    include: dict[str, float] = field(default_factory=dict)
    job_posting: dict[str, float] = field(default_factory=dict)
    first_hand_accuracy: float = 0.0
    role_accuracy: float = 0.0
    source_type_accuracy: float = 0.0
    role_confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    # Include precision and recall when only stories at or above a confidence floor count
    # (what `scrapy report --min-confidence` trades), one row per floor.
    include_by_confidence: list[dict[str, float]] = field(default_factory=list)
    misclassified: list[Misclassified] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


CONFIDENCE_FLOORS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.9)


def include_by_confidence(decisions: list[tuple[bool, float, bool]]) -> list[dict[str, float]]:
    """(predicted include, confidence, labelled include) per row: P/R/F1 per confidence floor."""
    positives = sum(truth for _, _, truth in decisions)
    table = []
    for floor in CONFIDENCE_FLOORS:
        kept = [
            truth for included, confidence, truth in decisions if included and confidence >= floor
        ]
        tp = sum(kept)
        table.append({"min_confidence": floor, **_prf(tp, len(kept) - tp, positives - tp)})
    return table


def evaluate(rows: list[InputRow], classifier: Classifier) -> Evaluation:
    """Score every row; the row's labels are the truth."""
    counts = Counter()
    confusion: dict[str, Counter] = {role: Counter() for role in ROLES}
    misclassified = []
    decisions = []
    results = classify_all(classifier, [row.document for row in rows])
    for row, result in zip(rows, results, strict=True):
        gold = row.data
        expected = {
            "include": bool(gold["include"]),
            "is_job_posting": bool(gold["is_job_posting"]),
            "is_first_hand": bool(gold["is_first_hand"]),
            "role": gold_role(gold),
            "source_type": gold["source_type"],
        }
        got = {
            "include": result.include,
            "is_job_posting": result.is_job_posting,
            "is_first_hand": result.is_first_hand,
            "role": result.role,
            "source_type": result.source_type,
        }
        decisions.append((result.include, result.confidence, expected["include"]))
        for name, truth in (("include", expected["include"]), ("job", expected["is_job_posting"])):
            predicted = got["include"] if name == "include" else got["is_job_posting"]
            key = "tp" if truth and predicted else "fp" if predicted else "fn" if truth else "tn"
            counts[f"{name}_{key}"] += 1
        counts["first_hand_ok"] += expected["is_first_hand"] == got["is_first_hand"]
        counts["role_ok"] += expected["role"] == got["role"]
        counts["source_type_ok"] += expected["source_type"] == got["source_type"]
        confusion.setdefault(expected["role"], Counter())[got["role"]] += 1
        wrong = [k for k in expected if expected[k] != got[k]]
        if wrong:
            misclassified.append(
                Misclassified(
                    url=row.document.url,
                    title=row.document.title,
                    wrong=wrong,
                    expected={k: expected[k] for k in wrong},
                    got={k: got[k] for k in wrong},
                    evidence=result.evidence
                    if set(wrong) - {"source_type"}
                    else result.source_type_evidence,
                    note=str(gold.get("note") or ""),
                )
            )
    n = max(1, len(rows))
    return Evaluation(
        classifier=classifier.name,
        rows=len(rows),
        include=_prf(counts["include_tp"], counts["include_fp"], counts["include_fn"]),
        job_posting=_prf(counts["job_tp"], counts["job_fp"], counts["job_fn"]),
        first_hand_accuracy=round(counts["first_hand_ok"] / n, 3),
        role_accuracy=round(counts["role_ok"] / n, 3),
        source_type_accuracy=round(counts["source_type_ok"] / n, 3),
        role_confusion={
            gold: dict(predicted) for gold, predicted in confusion.items() if predicted
        },
        include_by_confidence=include_by_confidence(decisions),
        misclassified=misclassified,
    )


REQUIRED_LABELS = ("include", "is_job_posting", "is_first_hand", "source_type")


def read_labelled(path: Path) -> tuple[list[InputRow], list[LineError]]:
    rows, errors = [], []
    with path.open(encoding="utf-8") as handle:
        for entry in read_documents(handle):
            if isinstance(entry, LineError):
                errors.append(entry)
            elif missing := [k for k in REQUIRED_LABELS if k not in entry.data]:
                errors.append(LineError(entry.line, f"missing labels: {', '.join(missing)}"))
            else:
                rows.append(entry)
    return rows, errors


def render_text(evaluation: Evaluation, *, max_misclassified: int = 50) -> str:
    inc, job = evaluation.include, evaluation.job_posting
    lines = [
        f"classifier: {evaluation.classifier}    rows: {evaluation.rows}",
        "",
        "label            precision  recall  f1     (tp/fp/fn)",
        f"include          {inc['precision']:.3f}      {inc['recall']:.3f}   {inc['f1']:.3f}  ({inc['tp']}/{inc['fp']}/{inc['fn']})",
        f"is_job_posting   {job['precision']:.3f}      {job['recall']:.3f}   {job['f1']:.3f}  ({job['tp']}/{job['fp']}/{job['fn']})",
        "",
        (
            f"accuracy: first-hand {evaluation.first_hand_accuracy:.3f}   role {evaluation.role_accuracy:.3f}   "
            f"source type {evaluation.source_type_accuracy:.3f}"
        ),
        "",
        "role confusion (rows: labelled, columns: predicted)",
    ]
    roles = list(ROLES)
    short = {r: r.replace("_engineer", "_eng").replace("data_scientist", "data_sci") for r in roles}
    lines.append(" " * 18 + "".join(f"{short[r]:>13}" for r in roles))
    for gold in roles:
        row = evaluation.role_confusion.get(gold, {})
        lines.append(f"{gold:<18}" + "".join(f"{row.get(r, 0):>13}" for r in roles))
    lines += ["", "include with a confidence floor (scrapy report --min-confidence)"]
    lines.append("min confidence   precision  recall  f1     (tp/fp/fn)")
    for row in evaluation.include_by_confidence:
        lines.append(
            f"{row['min_confidence']:<16.2f} {row['precision']:.3f}      {row['recall']:.3f}   "
            f"{row['f1']:.3f}  ({row['tp']}/{row['fp']}/{row['fn']})"
        )
    lines += ["", f"misclassified: {len(evaluation.misclassified)}"]
    for miss in evaluation.misclassified[:max_misclassified]:
        diffs = ", ".join(f"{k} {miss.expected[k]}→{miss.got[k]}" for k in miss.wrong)
        lines.append(f"- {miss.url}\n    {diffs}\n    evidence: {miss.evidence}")
    if len(evaluation.misclassified) > max_misclassified:
        lines.append(
            f"  ... and {len(evaluation.misclassified) - max_misclassified} more (use --json for all)"
        )
    return "\n".join(lines)
