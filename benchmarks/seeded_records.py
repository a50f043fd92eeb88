"""Records of one seeded search, to compare two commits (issue 12: the redesign changes no record).

usage:
    python benchmarks/seeded_records.py --out before.json        # run on one commit
    python benchmarks/seeded_records.py --out after.json         # run on the other
    python benchmarks/seeded_records.py --compare before.json after.json

The search: the churn example (examples/data/churn.csv), Optuna TPE, seed 0, 6 trials of at
most 8 epochs, in a temporary store. Recorded per trial: Optuna's state, value and params,
and the MLflow child run's params, final metrics and ``archsmith.*`` tags; for the parent
run, its params and final metrics. Timings (``*_seconds``, ``latency_ms``) and run ids are
left out: they differ from run to run. ``--compare`` prints every difference (floats within
a relative tolerance of 1e-6) and exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TIMINGS = ("_seconds", "latency_ms", "seconds")
VOLATILE_PARAMS = {"storage", "search_id", "study"}


def _keep(name: str) -> bool:
    return not name.endswith(TIMINGS) and name not in VOLATILE_PARAMS


def record(trials: int, epochs: int) -> dict[str, Any]:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    from mlflow.tracking import MlflowClient

    from archsmith import run_search

    with tempfile.TemporaryDirectory() as tmp:
        declaration = {
            "name": "seeded",
            "task": {"type": "classification", "target": "churned", "metric": "roc_auc"},
            "data": {
                "train": str(ROOT / "examples/data/churn.csv"),
                "validation": 0.2,
                "test": 0.2,
                "seed": 0,
            },
            "search": {
                "engine": "optuna",
                "algorithm": "tpe",
                "space": ["mlp"],
                "max_trials": trials,
                "seed": 0,
            },
            "training": {"epochs": epochs, "early_stopping": {"patience": 3}},
            "tracking": {"uri": str(Path(tmp) / "mlruns"), "experiment": "seeded"},
        }
        result = run_search(declaration, progress=lambda *a: None)
        client = MlflowClient(result.tracking_uri)
        parent = client.get_run(result.run_id)
        children = client.search_runs(
            [parent.info.experiment_id],
            filter_string=f"tags.mlflow.parentRunId = '{result.run_id}'",
        )
        runs = {}
        for run in children:
            runs[run.info.run_name] = {
                "status": run.info.status,
                "params": {k: v for k, v in run.data.params.items() if _keep(k)},
                "metrics": {k: v for k, v in run.data.metrics.items() if _keep(k)},
                "tags": {k: v for k, v in run.data.tags.items() if k.startswith("archsmith.")},
            }
        return {
            "optuna": [
                {
                    "number": t.number,
                    "state": str(t.state.name if hasattr(t.state, "name") else t.state),
                    "value": t.value,
                    "params": dict(t.params),
                }
                for t in result.trials
            ],
            "mlflow_trials": dict(sorted(runs.items())),
            "mlflow_parent": {
                "params": {k: v for k, v in parent.data.params.items() if _keep(k)},
                "metrics": {k: v for k, v in parent.data.metrics.items() if _keep(k)},
            },
            "test_scores": dict(result.test_scores),
        }


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'after' if key in b else 'before'}")
            else:
                _diff(a[key], b[key], f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items before, {len(b)} after")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _diff(x, y, f"{path}[{i}]", out)
    elif isinstance(a, float) and isinstance(b, float):
        if not (math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or (a != a and b != b)):
            out.append(f"{path}: {a!r} before, {b!r} after")
    elif a != b:
        out.append(f"{path}: {a!r} before, {b!r} after")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the records of a new run here")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        out: list[str] = []
        _diff(before, after, "records", out)
        n = len(before["optuna"])
        print(f"{n} trials, {len(before['mlflow_trials'])} MLflow trial runs compared")
        print("\n".join(out) if out else "identical (floats within rel. 1e-6)")
        return 1 if out else 0
    if not args.out:
        parser.error("give --out FILE or --compare BEFORE AFTER")
    data = record(args.trials, args.epochs)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True, default=str))
    states = [t["state"] for t in data["optuna"]]
    print(f"wrote {args.out}: {len(states)} trials {states}; test {data['test_scores']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
