"""Pin the heuristic classifier's current scores as the quality gate's baseline.

    python tests/data/labelled/pin_baseline.py [SET ...]     (default: every set already pinned)

Run it after a change to the heuristic that improves the scores, and commit baseline.json with it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from storycrawl.classify.evaluate import evaluate, read_labelled
from storycrawl.classify.heuristic import HeuristicClassifier

ABOUT = (
    "Scores of the heuristic classifier, pinned by tests/test_classifier_quality.py. tune and tune2 "
    "were used to develop it; holdout and holdout2 never were (holdout2 was written blind to the "
    "classifier). Re-pin with tests/data/labelled/pin_baseline.py."
)


def scores(name: str) -> dict[str, float]:
    rows, errors = read_labelled(HERE / f"{name}.jsonl")
    if errors:
        sys.exit(f"{name}: {errors}")
    result = evaluate(rows, HeuristicClassifier())
    return {
        "include_precision": result.include["precision"],
        "include_recall": result.include["recall"],
        "job_posting_precision": result.job_posting["precision"],
        "job_posting_recall": result.job_posting["recall"],
        "first_hand_accuracy": result.first_hand_accuracy,
        "role_accuracy": result.role_accuracy,
        "source_type_accuracy": result.source_type_accuracy,
    }


def main() -> None:
    path = HERE / "baseline.json"
    old = json.loads(path.read_text())["sets"] if path.exists() else {}
    names = sys.argv[1:] or sorted(old) or ["tune", "holdout"]
    sets = {**old, **{name: scores(name) for name in names}}
    path.write_text(json.dumps({"about": ABOUT, "sets": sets}, indent=2) + "\n")
    print(json.dumps(sets, indent=2))


if __name__ == "__main__":
    main()
