"""Benchmark of the image, sequence, text, multilabel and forecasting families.

For each family (or block choice between families) it runs one search on data that ships
with a library or is generated here, and prints the best trial's test score, the number of
trials, the wall time, and a scikit-learn baseline fit on the same training + validation
rows and scored on the same test rows:

- digits: scikit-learn's 8x8 digit images, spaces cnn, resnet; baseline SVC (RBF);
- bumps: generated series (a 3-step bump up or down at a random place), spaces rnn,
  conv1d, transformer; baseline logistic regression on the raw steps;
- reviews: the generated film reviews of examples/data, spaces text_bag, text_sequence;
  baseline TF-IDF (1-2 grams) + logistic regression;
- tags: the reviews' topics as a multilabel target, space text_bag; baseline one
  logistic regression per label on TF-IDF;
- seasonal: a generated daily series with a weekly season, trend and noise, forecasting
  7 steps from 28, spaces conv1d, rnn, transformer; baselines seasonal naive and ridge
  regression on the window.

Usage:
    python benchmarks/families.py [--trials 10] [--epochs 30] [--only digits,seasonal]
        [--spaces transformer]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def digits() -> tuple[Any, Any, dict[str, Any]]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images, data.target, {"type": "classification", "metric": "accuracy"}


def bumps(n: int = 1200, steps: int = 48) -> tuple[Any, Any, dict[str, Any]]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, steps, 1)).astype("float32")
    y = rng.integers(0, 2, n)
    start = rng.integers(0, steps - 3, n)
    for k in range(3):
        x[np.arange(n), start + k, 0] += np.where(y == 1, 1.5, -1.5)
    return x, y, {"type": "classification", "metric": "accuracy"}


def reviews() -> tuple[Any, Any, dict[str, Any]]:
    frame = pd.read_csv(ROOT / "examples" / "data" / "reviews.csv")
    return list(frame["review"]), frame["sentiment"], {"type": "classification"}


def tags() -> tuple[Any, Any, dict[str, Any]]:
    frame = pd.read_csv(ROOT / "examples" / "data" / "reviews.csv")
    return list(frame["review"]), list(frame["tags"]), {"type": "multilabel"}


def seasonal(n: int = 1500) -> tuple[Any, Any, dict[str, Any]]:
    rng = np.random.default_rng(1)
    t = np.arange(n)
    week = np.array([0.0, -1.0, -0.5, 0.5, 2.0, 3.5, -2.0])
    series = (
        20 + 0.002 * t + week[t % 7] + 0.6 * np.sin(2 * np.pi * t / 365) + rng.normal(0, 0.5, n)
    )
    task = {"type": "forecasting", "horizon": 7, "lookback": 28, "seasonality": 7}
    return series, None, task


# -- scikit-learn baselines on the search's own splits --------------------------------------
def _fit_rows(ds: Any) -> tuple[Any, Any]:
    x = pd.concat([ds.train.frame, ds.validation.frame], ignore_index=True)
    return x, np.concatenate([ds.train.y, ds.validation.y])


def svc_baseline(ds: Any) -> tuple[str, float]:
    from sklearn.svm import SVC

    x, y = _fit_rows(ds)
    model = SVC(gamma="scale", C=10).fit(x.to_numpy(), y)
    return "SVC(rbf)", float((model.predict(ds.test.frame.to_numpy()) == ds.test.y).mean())


def logistic_baseline(ds: Any) -> tuple[str, float]:
    from sklearn.linear_model import LogisticRegression

    x, y = _fit_rows(ds)
    model = LogisticRegression(max_iter=2000).fit(x.to_numpy(), y)
    return "logistic", float((model.predict(ds.test.frame.to_numpy()) == ds.test.y).mean())


def tfidf_baseline(ds: Any) -> tuple[str, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    x, y = _fit_rows(ds)
    texts, test = x.iloc[:, 0], ds.test.frame.iloc[:, 0]
    if ds.target.kind == "multilabel":
        model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2)), OneVsRestClassifier(LogisticRegression())
        )
        pred = model.fit(texts, y.astype(int)).predict(test)
        return "tfidf+logistic", float(f1_score(ds.test.y, pred, average="micro"))
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression())
    return "tfidf+logistic", float((model.fit(texts, y).predict(test) == ds.test.y).mean())


def forecast_baselines(ds: Any) -> tuple[str, float]:
    from sklearn.linear_model import Ridge

    from archsmith.tasks import forecasting

    naive = forecasting.TASK.naive_scores(ds.test, ds.target)["mase"]
    x, y = _fit_rows(ds)
    pred = Ridge(alpha=1.0).fit(x.to_numpy(), y).predict(ds.test.frame.to_numpy())
    ridge = float(np.abs(pred - ds.test.y).mean() / ds.target.scale)
    return f"seasonal-naive {naive:.3f} | ridge", ridge


DATA: dict[str, tuple[Callable[[], Any], Callable[[Any], tuple[str, float]], list[Any]]] = {
    "digits": (digits, svc_baseline, [["cnn"], ["resnet"]]),
    "bumps": (bumps, logistic_baseline, [["rnn"], ["conv1d"], ["transformer"]]),
    "reviews": (reviews, tfidf_baseline, [["text_bag"], ["text_sequence"]]),
    "tags": (tags, tfidf_baseline, [["text_bag"]]),
    "seasonal": (seasonal, forecast_baselines, [["conv1d"], ["rnn"], ["transformer"]]),
}


def run(name: str, spaces: list[str], trials: int, epochs: int, store: Path) -> dict[str, Any]:
    from archsmith.runner import run_search

    load, baseline, _ = DATA[name]
    x, y, task = load()
    decl = {
        "name": f"bench-{name}-{'-'.join(spaces)}",
        "task": task,
        "data": {"validation": 0.2, "test": 0.2, "seed": 0, "kind": "auto"},
        "search": {"space": spaces, "max_trials": trials},
        "training": {"epochs": epochs, "early_stopping": {"patience": 5}},
        "tracking": {"uri": str(store)},
    }
    start = time.perf_counter()
    result = run_search(decl, x, y)
    wall = time.perf_counter() - start
    metric = result.experiment.task.metric
    base_name, base_score = baseline(result.dataset)
    return {
        "data": name,
        "spaces": "+".join(spaces),
        "metric": metric,
        "test": round(result.test_scores.get(metric, float("nan")), 4),
        "validation": round(float(result.best.value), 4) if result.best else None,
        "trials": len(result.trials),
        "wall_s": round(wall, 1),
        "baseline": base_name,
        "baseline_test": round(base_score, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--only", default="", help="comma-separated data names")
    parser.add_argument(
        "--spaces", default="", help="comma-separated spaces: run only the rows that use them"
    )
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(DATA)
    wanted = {s for s in args.spaces.split(",") if s}
    rows = []
    with tempfile.TemporaryDirectory(prefix="archsmith-bench-") as tmp:
        for name in names:
            for spaces in DATA[name][2]:
                if wanted and not set(spaces) & wanted:
                    continue
                row = run(name, spaces, args.trials, args.epochs, Path(tmp) / "mlruns")
                print(row, flush=True)
                rows.append(row)
    print()
    frame = pd.DataFrame(rows)
    print("| " + " | ".join(frame.columns) + " |")
    print("|" + "---|" * len(frame.columns))
    for row in frame.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
