"""Pruning benchmark: best score and wall time with and without each Optuna pruner.

Runs the same TPE search (same seed, same trial count, every trial allowed the same epochs,
no early stopping) on the bundled churn table (``examples/data/churn.csv``) once per pruner
and prints, for each, the best validation score, the search's wall time, how many trials
were pruned, the epochs they ran before being stopped, and all epochs trained. The CPU
seconds of this process are printed beside the wall time: on a shared machine they vary
less. A one-trial
warm-up search runs first, so no row pays for importing TensorFlow.

Usage:
    python benchmarks/pruning.py [--trials 12] [--epochs 12] [--pruners none,median,...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from archsmith.engines import TrialState
from archsmith.runner import run_search
from archsmith.spec import load_experiment

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "churn.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--pruners", default="none,median,successive_halving,hyperband")
    args = parser.parse_args()

    # a one-trial warm-up, so that no row pays for importing and first-tracing TensorFlow
    warm = tempfile.mkdtemp(prefix="archsmith-prune-")
    run_search(
        load_experiment(
            EXAMPLE,
            search={"space": "mlp", "max_trials": 1},
            training={"epochs": 1},
            tracking={"uri": warm},
        )
    )
    rows = []
    for pruner in args.pruners.split(","):
        store = tempfile.mkdtemp(prefix="archsmith-prune-")
        exp = load_experiment(
            EXAMPLE,
            search={
                "space": "mlp",
                "max_trials": args.trials,
                "pruner": pruner,
                "seed": 0,
            },
            training={"epochs": args.epochs, "early_stopping": None},
            tracking={"uri": store, "experiment": f"prune-{pruner}"},
        )
        start, cpu = time.perf_counter(), time.process_time()
        result = run_search(exp)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        epochs = {r.number: r.epochs for r in result.new_trials}
        pruned = [r for r in result.trials if r.state is TrialState.PRUNED]
        rows.append(
            (
                pruner,
                result.best.value if result.best else float("nan"),
                wall,
                cpu,
                len(pruned),
                [epochs[r.number] for r in pruned],
                sum(epochs.values()),
            )
        )
        print(f"{pruner}: done in {wall:.1f}s", flush=True)

    metric = "roc_auc"
    print(
        f"\n{args.trials} trials, up to {args.epochs} epochs each, TPE seed 0, "
        f"churn.csv (validation {metric})\n"
    )
    print(
        f"{'pruner':<20} {'best ' + metric:>12} {'wall s':>8} {'CPU s':>7} {'pruned':>7} "
        f"{'epochs run':>11}  epochs of pruned trials"
    )
    for pruner, best, wall, cpu, n_pruned, pruned_epochs, total in rows:
        print(
            f"{pruner:<20} {best:>12.4f} {wall:>8.1f} {cpu:>7.1f} {n_pruned:>7} {total:>11}  "
            f"{pruned_epochs}"
        )


if __name__ == "__main__":
    main()
