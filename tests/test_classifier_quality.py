"""Quality gate: the heuristic classifier must not fall below its pinned scores.

`tests/data/labelled/baseline.json` pins the scores measured when the heuristic last changed, on
the tuning sets and on the holdout sets (never used for tuning). A change that lowers any of them
fails here; a change that raises them should pin the new figures (see the README there).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storycrawl.classify.evaluate import evaluate, read_labelled
from storycrawl.classify.heuristic import HeuristicClassifier

LABELLED = Path(__file__).parent / "data" / "labelled"
BASELINE = json.loads((LABELLED / "baseline.json").read_text())
# Measured scores may wobble by rounding only.
TOLERANCE = 0.001


@pytest.fixture(scope="module", params=sorted(BASELINE["sets"]))
def scored(request):
    rows, errors = read_labelled(LABELLED / f"{request.param}.jsonl")
    assert errors == []
    return request.param, evaluate(rows, HeuristicClassifier())


def test_scores_do_not_fall_below_the_baseline(scored):
    name, result = scored
    pinned = BASELINE["sets"][name]
    measured = {
        "include_precision": result.include["precision"],
        "include_recall": result.include["recall"],
        "job_posting_precision": result.job_posting["precision"],
        "job_posting_recall": result.job_posting["recall"],
        "first_hand_accuracy": result.first_hand_accuracy,
        "role_accuracy": result.role_accuracy,
        "source_type_accuracy": result.source_type_accuracy,
    }
    fallen = {k: (measured[k], v) for k, v in pinned.items() if measured[k] < v - TOLERANCE}
    assert fallen == {}, f"{name}: measured below pinned (measured, pinned): {fallen}"
