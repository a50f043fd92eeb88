"""Glue overhead and memory of a search: time per trial outside Keras fit/evaluate.

Runs a real search (default 30 trials) on scikit-learn's bundled breast-cancer data and
prints, per trial and in total, the seconds spent outside ``model.fit`` and the validation
predictions (building, compiling, tracking, engine ask/tell, saving the best model), their
share of the trial time, and the process RSS after trial 1 and after the last trial.

Usage:
    python benchmarks/overhead.py [--trials 30] [--epochs 10] [--patience N] [--store DIR]

Without ``--patience`` every trial runs all its epochs (no early stopping), which gives the
shortest, most glue-sensitive trials; ``--epochs 50 --patience 5`` is the library default.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sklearn.datasets import load_breast_cancer

from archsmith.runner import run_search


def rss_mb() -> float:
    """Resident set size of this process (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--patience", type=int, default=None, help="early stopping patience")
    parser.add_argument("--store", default=None, help="tracking folder (default: a temp dir)")
    args = parser.parse_args()

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    store = args.store or tempfile.mkdtemp(prefix="archsmith-bench-")
    marks: list[tuple[float, float, float, float]] = []  # (end time, fit, eval, rss)
    start = time.perf_counter()

    def progress(result, best, done, total):  # type: ignore[no-untyped-def]
        marks.append((time.perf_counter(), result.fit_seconds, result.eval_seconds, rss_mb()))

    exp = {
        "name": "overhead",
        "task": {"type": "classification", "metric": "roc_auc"},
        "search": {"max_trials": args.trials, "seed": 0},
        "training": {
            "epochs": args.epochs,
            "early_stopping": {"patience": args.patience} if args.patience else None,
        },
        "tracking": {"uri": str(Path(store) / "mlruns")},
    }
    result = run_search(exp, X, y, progress=progress)
    wall = time.perf_counter() - start

    rows = []
    previous = None
    for i, (end, fit, evaluate, rss) in enumerate(marks):
        if previous is not None:  # trial 1 also pays for the search set-up; reported apart
            trial = end - previous
            glue = trial - fit - evaluate
            rows.append((i, trial, glue, glue / trial, rss))
        previous = end
    setup = marks[0][0] - start - marks[0][1] - marks[0][2]
    stop = f", early stopping patience {args.patience}" if args.patience else ""
    print(
        f"trials: {len(marks)}  epochs/trial: {args.epochs}{stop}  wall: {wall:.1f}s  "
        f"(after the loop: {wall - (marks[-1][0] - start):.1f}s logging the best model)"
    )
    print(
        f"trial 1 glue incl. search set-up (data, MLflow/Optuna stores, TF warm-up): {setup:.2f}s"
    )
    print(f"{'trial':>5} {'seconds':>8} {'glue s':>8} {'glue %':>7} {'RSS MB':>7}")
    for i, trial, glue, share, rss in rows:
        print(f"{i + 1:>5} {trial:8.3f} {glue:8.3f} {100 * share:6.1f}% {rss:7.0f}")
    glues = [row[2] for row in rows]
    shares = [row[3] for row in rows]
    print(
        f"glue per trial (trials 2..{len(marks)}): mean {statistics.mean(glues):.3f}s, "
        f"median {statistics.median(glues):.3f}s, max {max(glues):.3f}s; "
        f"share mean {100 * statistics.mean(shares):.1f}%, "
        f"median {100 * statistics.median(shares):.1f}%"
    )
    print(
        f"RSS after trial 1: {marks[0][3]:.0f} MB; after trial {len(marks)}: "
        f"{marks[-1][3]:.0f} MB; growth {marks[-1][3] - marks[0][3]:+.0f} MB"
    )
    print(
        f"best {result.experiment.task.metric}: {result.best.value:.4f} "  # type: ignore[union-attr]
        f"(trial {result.best.number})"
    )  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
