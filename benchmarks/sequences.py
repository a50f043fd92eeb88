"""Time-series classification and forecasting on real series shipped inside packages.

Classification, on the fixed train/test splits of five UCR/UEA archive sets, and only these
five (the others are kept for independent acceptance): BasicMotions, JapaneseVowels, OSULeaf
and ACSF1 from ``aeon``'s bundled data, PLAID from ``sktime``'s (both read from the installed
package's ``.ts`` files with a small parser here, nothing is downloaded; the packages need
not import: ``pip install 'archsmith[benchmarks]'``). Side by side, per set:

- ``ridge``: a ridge classifier (cross-validated alpha) on the z-normalised raw series,
  ``1nn``: 1-nearest-neighbour, Euclidean, on the same, and ``minirocket``: aeon's MiniRocket
  transform + ridge classifier (Dempster et al. 2021; needs numba), the classical baselines;
- ``default``: archsmith's default search (no space: fcn, resnet1d, inception, conv1d, whose
  first trials are the published FCN, ResNet and InceptionTime shapes), with epochs scaled to
  the data (``training.min_steps``), the learning rate reduced on plateaus
  (``training.reduce_lr``) and a wall-clock budget per set (``search.time_budget``);
- the published accuracy of FCN, ResNet (Fawaz et al. 2019, "Deep learning for time series
  classification: a review", mean of 5 runs, hfawaz/dl-4-tsc ``results/results-ucr-128.csv``
  and ``results-mts-avg-std.csv``) and InceptionTime (Ismail Fawaz et al. 2020, hfawaz/
  InceptionTime ``results-InceptionTime-128.csv``); for the multivariate BasicMotions, ResNet
  and InceptionTime on its default train/test split (fold 0) in Ruiz et al. 2021, "The great
  multivariate time series classification bake off" (time-series-machine-learning/tsml-eval
  ``results/classification/Multivariate/ResNet_ACC.csv`` and ``ByClassifier/Multivariate/
  InceptionTime_TESTFOLDS.csv``: 1.0 on every one of the 30 resamples). ``n/a``: no figure
  found (FCN on BasicMotions; InceptionTime on JapaneseVowels).

Variable-length sets (JapaneseVowels, PLAID) are padded at the end with each series' last
value to the longest length for the classical baselines and handed to archsmith as a list of
series of different lengths with ``data.pad: true`` (padded with zeros and masked).

Every cell (set x method, series x method) is cached in a JSON file (``--cache``) under a key
that holds its settings, so an interrupted run resumes where it stopped.

Forecasting, on series shipped in ``sktime`` (Airline, Lynx, ShampooSales, Uschange's
Consumption): MASE on the last 20 % of each series of archsmith's default forecasting search
(``linear_forecast``, whose first trials are NLinear, DLinear and a ridge-penalised NLinear,
then ``rnn``, ``conv1d``, ``transformer``; ``search.ensemble: true``, the served model an
average of trials where it wins on validation, and ``search.refit: true``, retrained on every
window before the test cut; ``--fc-no-refit`` leaves the refit out, ``--fc-min-steps N`` sets
``training.min_steps``, ``--fc-preset balanced`` runs a preset instead), seasonal naive and
statsmodels' ETS (additive damped trend, additive season where the history holds two
seasons), each refit at every test window's origin; the ETS leaderboard row (trial -3) too.

Usage:
    python benchmarks/sequences.py [--trials 3] [--epochs 50] [--min-steps 1500]
        [--budget 10m] [--only BasicMotions,Lynx] [--skip-default] [--cache FILE]
        [--fc-trials 6] [--fc-epochs 100] [--fc-min-steps 0] [--fc-no-refit]
        [--fc-preset balanced] [--fc-seed 0] [--fc-folds 0]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import numpy as np
import pandas as pd

#: the only archive sets this project may use here, and the package that ships each
SETS = {
    "BasicMotions": "aeon",
    "JapaneseVowels": "aeon",
    "OSULeaf": "aeon",
    "ACSF1": "aeon",
    "PLAID": "sktime",
}

#: published test accuracy: FCN, ResNet (Fawaz et al. 2019), InceptionTime (2020); None: n/a
PUBLISHED: dict[str, tuple[float | None, float | None, float | None]] = {
    "BasicMotions": (None, 1.0, 1.0),
    "JapaneseVowels": (0.993, 0.992, None),
    "OSULeaf": (0.9785, 0.9802, 0.9421),
    "ACSF1": (0.898, 0.916, 0.92),
    "PLAID": (0.9039, 0.9404, 0.9441),
}

#: forecasting series: (csv in sktime's data, column, lookback, horizon, seasonality)
SERIES = {
    "Airline": ("Airline/Airline.csv", "Passengers", 24, 12, 12),
    "Lynx": ("Lynx/Lynx.csv", "0", 20, 5, 10),
    "ShampooSales": ("ShampooSales/ShampooSales.csv", "Sales", 12, 3, 12),
    "Uschange": ("Uschange/Uschange.csv", "Consumption", 16, 4, 4),
}


def _data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{package} is not installed: pip install 'archsmith[benchmarks]'")
    return Path(spec.origin).parent / "datasets" / "data"


def read_ts(path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    """A ``.ts`` file -> series ``(steps, channels)`` and their labels."""
    series, labels = [], []
    in_data = False
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            in_data = line.lower() == "@data"
            continue
        *dims, label = line.split(":")
        channels = [np.array([float(v) for v in d.split(",")]) for d in dims]
        steps = min(len(c) for c in channels)
        series.append(np.stack([c[:steps] for c in channels], axis=1))
        labels.append(label)
    return series, np.asarray(labels)


def pad(series: list[np.ndarray], length: int) -> np.ndarray:
    """Pad each series at the end with its last value to ``length`` steps."""
    return np.stack([np.pad(s, ((0, length - len(s)), (0, 0)), mode="edge") for s in series])


def load_set(name: str) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray], np.ndarray]:
    """The train and test series ``(steps, channels)`` of an allowed set, and their labels."""
    if name not in SETS:
        raise SystemExit(f"{name} is not one of the sets this benchmark may use: {list(SETS)}")
    folder = _data_dir(SETS[name]) / name
    train, y_train = read_ts(folder / f"{name}_TRAIN.ts")
    test, y_test = read_ts(folder / f"{name}_TEST.ts")
    return train, y_train, test, y_test


def znorm(x: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=1, keepdims=True)
    return (x - mean) / (x.std(axis=1, keepdims=True) + 1e-8)


def classical(label: str, x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray) -> float:
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.neighbors import KNeighborsClassifier

    if label == "minirocket":
        from aeon.transformations.collection.convolution_based import MiniRocket

        rocket = MiniRocket(random_state=0)
        a = rocket.fit_transform(np.transpose(x, (0, 2, 1)).astype("float64"))
        b = rocket.transform(np.transpose(xt, (0, 2, 1)).astype("float64"))
        model: Any = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
    else:
        a, b = znorm(x).reshape(len(x), -1), znorm(xt).reshape(len(xt), -1)
        model = (
            RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
            if label == "ridge"
            else KNeighborsClassifier(1)
        )
    return float((model.fit(a, y).predict(b) == yt).mean())


def searched(x: Any, y: np.ndarray, xt: Any, yt: np.ndarray, decl: dict[str, Any]) -> dict:
    from archsmith import AutoModel

    model = AutoModel(experiment=decl).fit(x, y)
    acc = float(model.score(xt, yt))
    board = model.leaderboard_
    best = model.search_.best
    return {
        "value": acc,
        "family": str(best.params.get("family", "")) if best is not None else "",
        "trials": len(board),
    }


class Cache:
    """Results of finished cells in a JSON file, keyed by cell and settings."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = json.loads(path.read_text()) if path.exists() else {}

    def cell(self, key: str, run: Any) -> dict[str, Any]:
        if key not in self.data:
            start = time.perf_counter()
            found = run()
            found = found if isinstance(found, dict) else {"value": found}
            found["seconds"] = round(time.perf_counter() - start, 1)
            found["date"] = time.strftime("%Y-%m-%d")
            self.data[key] = found
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        return self.data[key]


def _shown(found: dict[str, Any]) -> str:
    extra = " ".join(str(found[k]) for k in ("family",) if found.get(k))
    return f"{found['value']:.3f} ({found['seconds']:.0f}s{' ' + extra if extra else ''})"


def classification(name: str, args: argparse.Namespace, store: Path, cache: Cache) -> dict:
    train, y, test, yt = load_set(name)
    length = max(len(s) for s in train + test)
    x, xt = pad(train, length), pad(test, length)
    equal = len({len(s) for s in train + test}) == 1
    row: dict[str, Any] = {"set": name, "train": len(x), "test": len(xt), "shape": x.shape[1:]}
    for label in ("ridge", "1nn", "minirocket"):
        found = cache.cell(f"{name}/{label}", lambda label=label: classical(label, x, y, xt, yt))
        row[label] = _shown(found)
    if not args.skip_default:  # the default search, as a new user gets it, trained longer
        decl = {
            "name": f"seq-default-{name}",
            "task": {"type": "classification", "metric": "accuracy"},
            "data": {"validation": 0.2, "seed": 0, **({} if equal else {"pad": True})},
            "search": {"max_trials": args.trials, "time_budget": args.budget},
            "training": {
                "epochs": args.epochs,
                "min_steps": args.min_steps,
                "early_stopping": {"patience": args.patience},
                "reduce_lr": {"patience": max(2, args.patience // 2)},
            },
            "tracking": {"uri": str(store)},
        }
        settings = f"t{args.trials}-e{args.epochs}-s{args.min_steps}-p{args.patience}-{args.budget}"
        # a padded model takes series up to its longest training series: longer test
        # series (JapaneseVowels: 29 steps against 26) are cut to that length here
        longest = max(len(s) for s in train)
        inputs = (x, xt) if equal else (train, [s[:longest] for s in test])
        found = cache.cell(
            f"{name}/default/{settings}",
            lambda: searched(
                [s.astype("float32") for s in inputs[0]] if not equal else x.astype("float32"),
                y,
                [s.astype("float32") for s in inputs[1]] if not equal else xt.astype("float32"),
                yt,
                decl,
            ),
        )
        row["default search"] = _shown(found)
    for label, value in zip(("FCN", "ResNet", "InceptionTime"), PUBLISHED[name], strict=True):
        row[label] = "n/a" if value is None else f"{value:.3f}"
    return row


def _test_origins(n: int, lookback: int, horizon: int) -> list[int]:
    cut = round(n * (1 - 0.2))  # data.test = 0.2, as the searches below
    return list(range(max(lookback, cut), n - horizon + 1))


def ets_forecast(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = "add" if season > 1 and len(history) >= 2 * season + 2 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(
            history,
            trend="add",
            damped_trend=True,
            seasonal=seasonal,
            seasonal_periods=season if seasonal else None,
        ).fit()
    return np.asarray(model.forecast(horizon))


def forecasting(name: str, args: argparse.Namespace, store: Path, cache: Cache) -> dict:
    from archsmith.datasets import default_spaces
    from archsmith.exceptions import SpecError
    from archsmith.runner import run_search
    from archsmith.search_space import find_space
    from archsmith.spec import load_experiment
    from archsmith.tasks import baseline_scores
    from archsmith.tasks import reference_scores

    path, column, lookback, horizon, season = SERIES[name]
    values = pd.read_csv(_data_dir("sktime") / path)[column].to_numpy(dtype="float64")
    decl = {
        "name": f"fc-{name}",
        "task": {
            "type": "forecasting",
            "lookback": lookback,
            "horizon": horizon,
            "seasonality": season,
        },
        "data": {"validation": 0.2, "test": 0.2, "seed": 0},
        "search": {"max_trials": args.fc_trials, "ensemble": True, "refit": not args.fc_no_refit},
        "training": {
            "epochs": args.fc_epochs,
            "early_stopping": {"patience": 10},
            **({"min_steps": args.fc_min_steps} if args.fc_min_steps else {}),
        },
        "tracking": {"uri": str(store)},
    }
    if args.fc_preset:  # the preset's search and training fields instead
        decl = {k: v for k, v in decl.items() if k not in ("search", "training")}
        decl["preset"] = args.fc_preset
    if args.fc_seed:
        decl["search"] = {**decl.get("search", {}), "seed": args.fc_seed}

    def search() -> dict[str, Any]:
        folds = args.fc_folds
        while True:  # as a user would: fewer folds where the series is too short for them
            if folds >= 2:
                decl["data"] = {**decl["data"], "folds": folds}
            try:
                result = run_search(decl, values, None)
                break
            except SpecError as exc:
                if exc.path != "data.folds" or folds < 2:
                    raise
                folds -= 1
                decl["data"] = {k: v for k, v in decl["data"].items() if k != "folds"}
        scale = result.dataset.target.scale
        naive = baseline_scores(result.dataset)["test"]["mase"]
        best = result.best
        ets_row = reference_scores(result.dataset, ["ets"]).get("ets", {})
        family = str(best.params.get("family", "")) if best else ""
        members = len(result.ensemble)
        return {
            "value": result.test_scores.get("mase", float("nan")),
            "family": (f"ensemble of {members}, best {family}" if members > 1 else family)
            + (f", {folds} folds" if folds >= 2 else ""),
            "naive": naive,
            "ets_row": ets_row.get("test", {}).get("mase", float("nan")),
            "scale": scale,
        }

    names = default_spaces("sequence", "forecasting")
    texts = "".join(find_space(n).read_text() for n in names)  # a new default: a new cell
    digest = hashlib.sha256(texts.encode()).hexdigest()[:8]
    spaces = "+".join(names)
    settings = f"t{args.fc_trials}-e{args.fc_epochs}-s{args.fc_min_steps}-{spaces}-{digest}"
    settings += "-ensemble"
    settings += "" if args.fc_no_refit else "-refit"
    if args.fc_preset:  # keyed by the fields the preset gives this task
        applied = load_experiment({k: v for k, v in decl.items() if k != "tracking"})
        fields = applied.model_dump(mode="json", include={"search", "training", "data"})
        preset = json.dumps(fields, sort_keys=True, default=str)
        settings = f"{args.fc_preset}-{hashlib.sha256(preset.encode()).hexdigest()[:8]}-{digest}"
    settings += f"-seed{args.fc_seed}" if args.fc_seed else ""
    settings += f"-folds{args.fc_folds}" if args.fc_folds else ""
    found = cache.cell(f"{name}/default/{settings}", search)

    def ets() -> float:
        errors = [
            np.abs(ets_forecast(values[:o], horizon, season) - values[o : o + horizon])
            for o in _test_origins(len(values), lookback, horizon)
        ]
        return float(np.mean(errors) / found["scale"])

    ets_found = cache.cell(f"{name}/ets", ets)
    return {
        "series": name,
        "n": len(values),
        "lookback/horizon/season": f"{lookback}/{horizon}/{season}",
        f"archsmith {args.fc_preset or 'default search'}": _shown(found),
        "seasonal naive": f"{found['naive']:.3f}",
        "ETS leaderboard row": f"{found.get('ets_row', float('nan')):.3f}",
        "ETS (full history)": _shown(ets_found),
    }


def table(rows: list[dict[str, Any]]) -> str:
    frame = pd.DataFrame(rows).fillna("")
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--min-steps", type=int, default=1500, help="training.min_steps")
    parser.add_argument("--patience", type=int, default=20)
    parser.add_argument("--budget", default="10m", help="search.time_budget per set")
    parser.add_argument("--fc-trials", type=int, default=6)
    parser.add_argument(
        "--fc-preset",
        choices=("fast", "balanced", "best"),
        help="forecasting: the preset's search and training fields instead of the --fc-* ones",
    )
    parser.add_argument(
        "--fc-folds",
        type=int,
        default=0,
        help="forecasting data.folds: time-ordered folds (fewer where a series is too short)",
    )
    parser.add_argument(
        "--fc-seed", type=int, default=0, help="forecasting search.seed (the sampler's)"
    )
    parser.add_argument(
        "--fc-no-refit",
        action="store_true",
        help="serve the searched models as trained on the training windows (no search.refit)",
    )
    parser.add_argument("--fc-epochs", type=int, default=100)
    parser.add_argument(
        "--fc-min-steps", type=int, default=0, help="forecasting training.min_steps (0: none)"
    )
    parser.add_argument("--only", default="", help="comma-separated set or series names")
    parser.add_argument("--skip-default", action="store_true")
    parser.add_argument("--skip-forecasting", action="store_true")
    parser.add_argument(
        "--cache", type=Path, default=Path(__file__).parent / ".cache" / "sequences.json"
    )
    args = parser.parse_args(argv)
    only = {n for n in args.only.split(",") if n}
    cache = Cache(args.cache)
    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}", flush=True)
    rows, fc_rows = [], []
    with tempfile.TemporaryDirectory(prefix="archsmith-seq-") as tmp:
        for name in SETS:
            if not only or name in only:
                rows.append(classification(name, args, Path(tmp) / "mlruns", cache))
                print(rows[-1], flush=True)
        for name in SERIES:
            if not args.skip_forecasting and (not only or name in only):
                fc_rows.append(forecasting(name, args, Path(tmp) / "mlruns", cache))
                print(fc_rows[-1], flush=True)
    print(f"load average at end: {os.getloadavg()}")
    if rows:
        print("\n" + table(rows))
    if fc_rows:
        print("\n" + table(fc_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
