"""Time-series classification and forecasting on real series shipped inside packages.

Classification, on the fixed train/test splits of five UCR/UEA archive sets, and only these
five (the others are kept for independent acceptance): BasicMotions, JapaneseVowels, OSULeaf
and ACSF1 from ``aeon``'s bundled data, PLAID from ``sktime``'s (both read from the installed
package's ``.ts`` files with a small parser here, nothing is downloaded; the packages need
not import: ``pip install 'archsmith[benchmarks]'``). Side by side, per set:

- ``ridge``: a ridge classifier (cross-validated alpha) on the z-normalised raw series, and
  ``1nn``: 1-nearest-neighbour, Euclidean, on the same (classical baselines);
- ``default``: archsmith's default search today (``AutoModel`` with no space: rnn, conv1d,
  transformer);
- ``published``: a search over the published shapes (spaces ``fcn``, ``resnet1d``,
  ``inception``, with per-series z-normalisation as a choice and ``training.reduce_lr``);
- the published accuracy of FCN, ResNet (Fawaz et al. 2019, "Deep learning for time series
  classification: a review", mean of 5 runs, hfawaz/dl-4-tsc ``results/results-ucr-128.csv``
  and ``results-mts-avg-std.csv``) and InceptionTime (Ismail Fawaz et al. 2020, hfawaz/
  InceptionTime ``results-InceptionTime-128.csv``). ``n/a``: no figure found (BasicMotions is
  in Ruiz et al. 2021, "The great multivariate time series classification bake off", whose
  per-set table was not at hand; InceptionTime was not run on the multivariate archive).

Variable-length sets (JapaneseVowels, PLAID) are padded at the end with each series' last
value to the longest length (archsmith has no masking yet).

Forecasting, on series shipped in ``sktime`` (Airline, Lynx, ShampooSales, Uschange's
Consumption): MASE on the last 20 % of each series of archsmith's default forecasting search,
seasonal naive and statsmodels' ETS (additive damped trend, additive season where the history
holds two seasons), each refit at every test window's origin.

Usage:
    python benchmarks/sequences.py [--trials 4] [--epochs 60] [--patience 15]
        [--only BasicMotions,Lynx] [--skip-default] [--skip-published]
"""

from __future__ import annotations

import argparse
import importlib.util
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
    "BasicMotions": (None, None, None),
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


def load_set(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if name not in SETS:
        raise SystemExit(f"{name} is not one of the sets this benchmark may use: {list(SETS)}")
    folder = _data_dir(SETS[name]) / name
    train, y_train = read_ts(folder / f"{name}_TRAIN.ts")
    test, y_test = read_ts(folder / f"{name}_TEST.ts")
    length = max(len(s) for s in train + test)
    return pad(train, length), y_train, pad(test, length), y_test


def znorm(x: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=1, keepdims=True)
    return (x - mean) / (x.std(axis=1, keepdims=True) + 1e-8)


def classical(x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray) -> dict[str, Any]:
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.neighbors import KNeighborsClassifier

    a, b = znorm(x).reshape(len(x), -1), znorm(xt).reshape(len(xt), -1)
    out = {}
    for label, model in (
        ("ridge", RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))),
        ("1nn", KNeighborsClassifier(1)),
    ):
        start = time.perf_counter()
        acc = float((model.fit(a, y).predict(b) == yt).mean())
        out[label] = (acc, time.perf_counter() - start)
    return out


def searched(
    x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray, decl: dict[str, Any]
) -> tuple[float, float, str]:
    from archsmith import AutoModel

    start = time.perf_counter()
    model = AutoModel(experiment=decl).fit(x.astype("float32"), y)
    acc = float(model.score(xt.astype("float32"), yt))
    best = model.search_.best
    family = str(best.params.get("family", "")) if best is not None else ""
    return acc, time.perf_counter() - start, family


def classification(name: str, args: argparse.Namespace, store: Path) -> dict[str, Any]:
    x, y, xt, yt = load_set(name)
    row: dict[str, Any] = {"set": name, "train": len(x), "test": len(xt), "shape": x.shape[1:]}
    for label, (acc, secs) in classical(x, y, xt, yt).items():
        row[label] = f"{acc:.3f} ({secs:.0f}s)"
    base = {
        "task": {"type": "classification", "metric": "accuracy"},
        "data": {"validation": 0.2, "seed": 0},
        "tracking": {"uri": str(store)},
    }
    if not args.skip_default:  # the default search today, as a new user gets it
        decl = {
            **base,
            "name": f"seq-default-{name}",
            "search": {"max_trials": args.trials},
            "training": {"epochs": args.epochs, "early_stopping": {"patience": 5}},
        }
        acc, secs, fam = searched(x, y, xt, yt, decl)
        row["default"] = f"{acc:.3f} ({secs:.0f}s {fam})"
    if not args.skip_published:
        decl = {
            **base,
            "name": f"seq-published-{name}",
            "search": {"space": args.spaces.split(","), "max_trials": args.trials},
            "training": {
                "epochs": args.epochs,
                "early_stopping": {"patience": args.patience},
                "reduce_lr": {"patience": max(2, args.patience // 3)},
            },
        }
        acc, secs, fam = searched(x, y, xt, yt, decl)
        row["published"] = f"{acc:.3f} ({secs:.0f}s {fam})"
    for label, value in zip(("FCN", "ResNet", "Inception"), PUBLISHED[name], strict=True):
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


def forecasting(name: str, args: argparse.Namespace, store: Path) -> dict[str, Any]:
    from archsmith.runner import run_search
    from archsmith.training import baseline_scores

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
        "search": {"max_trials": args.trials},
        "training": {"epochs": args.epochs, "early_stopping": {"patience": 5}},
        "tracking": {"uri": str(store)},
    }
    start = time.perf_counter()
    result = run_search(decl, values, None)
    secs = time.perf_counter() - start
    scale = result.dataset.target.scale
    naive = baseline_scores(result.dataset)["test"]["mase"]
    start = time.perf_counter()
    errors = [
        np.abs(ets_forecast(values[:o], horizon, season) - values[o : o + horizon])
        for o in _test_origins(len(values), lookback, horizon)
    ]
    ets = float(np.mean(errors) / scale)
    ets_secs = time.perf_counter() - start
    best = result.best
    return {
        "series": name,
        "n": len(values),
        "lookback/horizon/season": f"{lookback}/{horizon}/{season}",
        "archsmith": f"{result.test_scores.get('mase', float('nan')):.3f} ({secs:.0f}s "
        f"{best.params.get('family', '') if best else ''})",
        "seasonal naive": f"{naive:.3f}",
        "ETS": f"{ets:.3f} ({ets_secs:.0f}s)",
    }


def table(rows: list[dict[str, Any]]) -> str:
    frame = pd.DataFrame(rows).fillna("")
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--patience", type=int, default=15, help="published-shape searches")
    parser.add_argument("--spaces", default="fcn,resnet1d,inception")
    parser.add_argument("--only", default="", help="comma-separated set or series names")
    parser.add_argument("--skip-default", action="store_true")
    parser.add_argument("--skip-published", action="store_true")
    parser.add_argument("--skip-forecasting", action="store_true")
    args = parser.parse_args(argv)
    only = {n for n in args.only.split(",") if n}
    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}", flush=True)
    rows, fc_rows = [], []
    with tempfile.TemporaryDirectory(prefix="archsmith-seq-") as tmp:
        for name in SETS:
            if not only or name in only:
                rows.append(classification(name, args, Path(tmp) / "mlruns"))
                print(rows[-1], flush=True)
        for name in SERIES:
            if not args.skip_forecasting and (not only or name in only):
                fc_rows.append(forecasting(name, args, Path(tmp) / "mlruns"))
                print(fc_rows[-1], flush=True)
    print(f"load average at end: {os.getloadavg()}")
    if rows:
        print("\n" + table(rows))
    if fc_rows:
        print("\n" + table(fc_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
