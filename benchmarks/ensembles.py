"""What ensembles of trials, refit and k-fold bagging add over the best single trial, on
real scikit-learn data (nothing is downloaded).

For each dataset one seeded search per setting (the same trials are drawn in every
setting, as the sampler is seeded), each scored on the same held-out test split (20 %,
``data.test``):

- ``single``: the plain search (the best trial is served);
- ``ensemble``: ``search.ensemble: true``;
- ``ensemble+refit``: ``search.ensemble: true`` and ``search.refit: true``;
- ``folds+ensemble``: ``data.folds: 3`` and ``search.ensemble: true``.

Per setting it prints the best single trial's validation score (the mean over the folds
with folds) and test score, and the served model's (the ensemble where it won) validation
and test score, with the members and weights and the wall seconds. Scores are the task's
default metric: accuracy (higher is better) or rmse (lower is better).

Usage:
    python benchmarks/ensembles.py [--trials 8] [--epochs 20] [--only breast_cancer]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from sklearn import datasets as skdata

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.runner import run_search
from archsmith.tracking import open_tracker

DATASETS = {
    "breast_cancer": (skdata.load_breast_cancer, "classification"),
    "wine": (skdata.load_wine, "classification"),
    "diabetes": (skdata.load_diabetes, "regression"),
    "digits": (skdata.load_digits, "classification"),
}
SETTINGS = {
    "single": ({}, {}),
    "ensemble": ({"ensemble": True}, {}),
    "ensemble+refit": ({"ensemble": True, "refit": True}, {}),
    "folds+ensemble": ({"ensemble": True}, {"folds": 3}),
}


def _test_score(path: Path, result: Any) -> float:
    dataset = result.dataset
    model = builders.load_model(path)
    strings = builders.takes_strings(model)
    out = training.outputs(model, dataset.schema.raw_inputs(dataset.test.frame, strings))
    return tasks.score(result.experiment.task.metric, dataset.test.y, out, dataset.target)


def run(name: str, trials: int, epochs: int, store: Path) -> list[str]:
    load, task = DATASETS[name]
    x, y = load(return_X_y=True, as_frame=True)
    lines = []
    for setting, (search, data) in SETTINGS.items():
        declaration = {
            "name": f"{name}-{setting.replace('+', '-')}",
            "task": {"type": task},
            "data": {"test": 0.2, **data},
            "search": {"max_trials": trials, **search},
            "training": {"epochs": epochs},
            "tracking": {"uri": str(store)},
        }
        start = time.perf_counter()
        result = run_search(declaration, x, y)
        seconds = time.perf_counter() - start
        metric = result.experiment.task.metric
        best_run = str(result.best.attrs["mlflow_run_id"])
        best_path = open_tracker(result.tracking_uri).artifact_path(best_run, "model/model.keras")
        single_test = _test_score(best_path, result)
        served = result.leaderboard[result.leaderboard["trial"] == -2]
        served_val = float(served["score"].iloc[0]) if len(served) else result.best.value
        members = dict(result.ensemble) or {result.best.number: 1.0}
        lines.append(
            f"| {name} | {setting} | {metric} | {result.best.value:.4f} | {single_test:.4f} | "
            f"{served_val:.4f} | {result.test_scores[metric]:.4f} | "
            f"{', '.join(f'{n}:{w:.2f}' for n, w in members.items())} | {seconds:.0f} |"
        )
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--only", default="breast_cancer,wine,diabetes")
    parser.add_argument("--store", default=None)
    args = parser.parse_args()
    store = Path(args.store or tempfile.mkdtemp(prefix="archsmith-ensembles-"))
    print(
        "| data | setting | metric | best trial val | best trial test | served val | "
        "served test | members:weights | s |"
    )
    print("|---|---|---|--:|--:|--:|--:|---|--:|")
    for name in args.only.split(","):
        run(name, args.trials, args.epochs, store)


if __name__ == "__main__":
    main()
