"""Cost of the build check (``search.build_check``) on every shipped space.

For each shipped space it loads the data of the family benchmarks (``families.py``,
``families_tabular.py``; scikit-learn's digits as a table for the tabular MLP spaces),
then times ``builders.check_space``: every option of every block choice built once at the
low and once at the high end of the numeric params, without training. It prints one row
per space: the builds, the seconds, the seconds per build, and the outcome.

Usage:
    python benchmarks/build_check.py [--only mlp,cnn]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import families  # noqa: E402
import families_tabular  # noqa: E402


def _tabular() -> tuple[Any, Any, dict[str, Any]]:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True, as_frame=True)
    return x, y, {"type": "classification", "metric": "accuracy"}


def _from(family: str) -> Callable[[], tuple[Any, Any, dict[str, Any]]]:
    def load() -> tuple[Any, Any, dict[str, Any]]:
        task, x, y = families_tabular.cases()[family]
        return x, y, task

    return load


#: space -> its data (x, y, task)
DATA: dict[str, Callable[[], tuple[Any, Any, dict[str, Any]]]] = {
    "mlp": _tabular,
    "resnet_mlp": _tabular,
    "cells": _tabular,
    "realmlp": _tabular,
    "tabm": _tabular,
    "cnn": families.digits,
    "resnet": families.digits,
    "rnn": families.bumps,
    "conv1d": families.bumps,
    "transformer": families.bumps,
    "fcn": families.bumps,
    "resnet1d": families.bumps,
    "inception": families.bumps,
    "text_bag": families.reviews,
    "text_sequence": families.reviews,
    "text_tfidf": families.reviews,
    **{
        f: _from(f)
        for f in (
            "rbf",
            "autoencoder",
            "spiking",
            "dbn",
            "som",
            "capsule",
            "gan",
            "siamese",
            "gnn",
            "conv_autoencoder",
        )
    },
}


def main() -> None:
    from archsmith import builders
    from archsmith.datasets import load_dataset
    from archsmith.search_space import branch_probes
    from archsmith.search_space import load_space
    from archsmith.search_space import shipped_spaces
    from archsmith.spec import load_experiment

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=None, help="comma-separated space names")
    args = parser.parse_args()
    rows = []
    for name in sorted(shipped_spaces()):
        if args.only and name not in args.only.split(","):
            continue
        x, y, task = DATA[name]()
        exp = load_experiment({"name": "check", "task": task, "search": {"space": name}})
        data = load_dataset(x, y, task=exp.task, data=exp.data)
        space = load_space(name, builders.CATALOG)
        builds = len(branch_probes(space))
        builders.check_space(space, data, "off")  # imports Keras before the clock starts
        start = time.perf_counter()
        try:
            builders.check_space(space, data)
            outcome = "ok"
        except Exception as exc:  # a shipped space that fails is what this looks for
            outcome = f"{type(exc).__name__}: {str(exc)[:120]}"
        seconds = time.perf_counter() - start
        rows.append((name, data.kind, builds, seconds, outcome))
        print(f"{name}: {builds} builds in {seconds:.1f} s ({outcome})", flush=True)
    print("\n| Space | Data | Builds | Seconds | Seconds per build | Outcome |")
    print("|---|---|---:|---:|---:|---|")
    for name, kind, builds, seconds, outcome in rows:
        print(
            f"| {name} | {kind} | {builds} | {seconds:.1f} | {seconds / builds:.2f} | {outcome} |"
        )


if __name__ == "__main__":
    main()
