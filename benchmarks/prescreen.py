"""Does pre-screening (``search.prescreen``) help? Best validation score after N trained trials.

For each data set and seed it runs the same Optuna search (same seed, same N trained trials,
same epochs) without pre-screening and with each proxy asked for, and prints the best
validation score reached (mean ± sd over the seeds) and the search's wall time. Data:

- ``table``: scikit-learn's breast cancer table (569 rows, 30 columns), space ``mlp``;
- ``images``: scikit-learn's 8x8 digits as images (1,797), space ``cnn``.

With N at most 10, Optuna's TPE is still in its random start-up, so "off" is a random
search and the rows compare random candidates with the best of ``--candidates`` random
candidates by proxy. A one-trial warm-up runs first, so no row pays for importing
TensorFlow. The machine may be shared: compare the wall times within one run only.

Usage:
    python benchmarks/prescreen.py [--trials 5] [--epochs 3] [--candidates 8]
        [--seeds 0,1,2] [--proxies off,naswot,synflow] [--data table,images]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


def _table() -> tuple[Any, Any, str]:
    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return x, y, "mlp"


def _images() -> tuple[Any, Any, str]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images, data.target, "cnn"


DATA: dict[str, Callable[[], tuple[Any, Any, str]]] = {"table": _table, "images": _images}


def _search(
    data: str, seed: int, proxy: str | None, args: argparse.Namespace, trials: int
) -> tuple[float, float]:
    """(best validation accuracy, wall seconds) of one search."""
    from archsmith.runner import run_search

    x, y, space = DATA[data]()
    search: dict[str, Any] = {"space": space, "max_trials": trials, "seed": seed}
    if proxy is not None:
        search["prescreen"] = {"proxy": proxy, "candidates": args.candidates}
    start = time.perf_counter()
    result = run_search(
        {
            "name": f"prescreen-{data}-{proxy or 'off'}-{seed}",
            "task": {"type": "classification", "metric": "accuracy"},
            "search": search,
            "training": {"epochs": args.epochs},
            "tracking": {"uri": tempfile.mkdtemp(prefix="archsmith-prescreen-")},
        },
        x,
        y,
    )
    assert result.best is not None and result.best.value is not None
    return result.best.value, time.perf_counter() - start


def _cell(values: list[float], digits: int) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--proxies", default="off,naswot,synflow", help="off: no screening")
    parser.add_argument("--data", default="table,images")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    proxies = [None if p == "off" else p for p in args.proxies.split(",")]
    _search("table", 0, None, args, trials=1)  # warm-up: imports, first traces
    rows = []
    for data in args.data.split(","):
        for proxy in proxies:
            scores, walls = [], []
            for seed in seeds:
                score, wall = _search(data, seed, proxy, args, args.trials)
                scores.append(score)
                walls.append(wall)
                print(
                    f"{data} {proxy or 'off'} seed {seed}: {score:.4f} in {wall:.1f} s", flush=True
                )
            rows.append((data, proxy or "off", scores, walls))
    print(
        f"\n{args.trials} trained trials, {args.epochs} epochs, {args.candidates} candidates "
        f"per trial, seeds {args.seeds}"
    )
    print("| Data | Pre-screening | Best validation accuracy | Wall seconds |")
    print("|---|---|---:|---:|")
    for data, proxy, scores, walls in rows:
        print(f"| {data} | {proxy} | {_cell(scores, 4)} | {_cell(walls, 1)} |")


if __name__ == "__main__":
    main()
