"""Searched tabular models against default gradient boosting, on real tables that ship
inside installed packages (nothing is downloaded).

Each table is split once (seed 0, 20 % held out for the test, stratified for
classification) and scored on that test split, side by side in one run, by:

- ``hgb``: scikit-learn's ``HistGradientBoostingClassifier`` / ``Regressor`` with its
  defaults (categories as pandas categories, missing values as NaN);
- ``mlp``: the default search before issue 13, ``AutoModel(task=..., space="mlp",
  max_trials=--trials, epochs=--epochs)`` (defaults 10 and 50, AutoModel's own);
- ``fast``, ``balanced``, ``best``: ``AutoModel(task=..., preset=...)``, nothing else set;
- ``new`` (only with ``--cells``): the ``mlp`` cell's budget over the spaces of ``--spaces``.

Every finished cell is written to ``--results`` (JSON) and not run again: a long run can
be stopped and resumed, and its table printed again at no cost.

Scores are accuracy (classification) and R² (regression), higher is better; times are the
wall seconds of ``fit`` (the search, with its final model) per cell.

The tables (rows, columns; task):

- ``breast_cancer``: scikit-learn, 569 x 30, binary.
- ``digits``: scikit-learn, 1,797 x 64 pixel intensities as a table, 10 classes.
- ``diabetes``: scikit-learn, 442 x 10, regression (disease progression).
- ``penguins``: palmerpenguins, 344 x 7, 3 species; the categories ``island`` and ``sex``
  and missing values (``sex`` 11, the four measures 2 each) as published.
- ``fair``: statsmodels, 6,366 x 8, binary (any affair); the occupation codes as categories.
- ``randhie``: statsmodels (RAND health insurance experiment), 20,190 x 9, regression of
  ``log(1 + mdvis)`` (outpatient visits).
- ``wine`` (only with ``--only``): scikit-learn, 178 x 13, 3 classes.

Needs the ``benchmarks`` extra (``pip install -e .[benchmarks]``: statsmodels,
palmerpenguins).

Usage:
    python benchmarks/tabular.py [--cells hgb,mlp,fast,balanced,best] [--only fair,penguins]
        [--trials 10] [--epochs 50] [--results tabular_results.json] [--store DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn import datasets as skdata
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from archsmith import AutoModel
from archsmith.datasets import default_spaces
from archsmith.search_space import find_space
from archsmith.spec import PRESETS
from archsmith.spec import default_metric
from archsmith.spec import direction

Table = tuple[pd.DataFrame, pd.Series, str]


def _sklearn(name: str, task: str) -> Callable[[], Table]:
    def load() -> Table:
        x, y = getattr(skdata, f"load_{name}")(return_X_y=True, as_frame=True)
        return x, y, task

    return load


def penguins() -> Table:
    from palmerpenguins import load_penguins

    frame = load_penguins()
    return frame.drop(columns="species"), frame["species"], "classification"


def fair() -> Table:
    from statsmodels.datasets import fair as data

    frame = data.load_pandas().data
    for col in ("occupation", "occupation_husb"):  # codes of occupations, not quantities
        frame[col] = frame[col].astype(int).map(lambda v: f"occ{v}")
    y = (frame.pop("affairs") > 0).map({True: "yes", False: "no"})
    return frame, y, "classification"


def randhie() -> Table:
    from statsmodels.datasets import randhie as data

    frame = data.load_pandas().data
    return frame.drop(columns="mdvis"), np.log1p(frame["mdvis"]), "regression"


TABLES: dict[str, Callable[[], Table]] = {
    "breast_cancer": _sklearn("breast_cancer", "classification"),
    "digits": _sklearn("digits", "classification"),
    "diabetes": _sklearn("diabetes", "regression"),
    "penguins": penguins,
    "fair": fair,
    "randhie": randhie,
}
EXTRA: dict[str, Callable[[], Table]] = {"wine": _sklearn("wine", "classification")}


def split(x: pd.DataFrame, y: pd.Series, task: str) -> tuple[Any, Any, Any, Any]:
    stratify = y if task == "classification" else None
    return train_test_split(x, y, test_size=0.2, random_state=0, stratify=stratify)


def score(task: str, y: Any, predicted: Any) -> float:
    if task == "classification":
        return float(accuracy_score(np.asarray(y).astype(str), np.asarray(predicted).astype(str)))
    return float(r2_score(y, predicted))


def hgb(task: str, x_train: Any, y_train: Any, x_test: Any) -> Any:
    as_categories = {
        c: "category" for c in x_train.columns if not pd.api.types.is_numeric_dtype(x_train[c])
    }
    model = (
        HistGradientBoostingClassifier(random_state=0)
        if task == "classification"
        else HistGradientBoostingRegressor(random_state=0)
    )
    with threadpool_limits(1):  # OpenMP threads thrash on a shared, loaded machine
        model.fit(x_train.astype(as_categories), y_train)
        return model.predict(x_test.astype(as_categories))


def search(
    task: str, x_train: Any, y_train: Any, x_test: Any, args: argparse.Namespace, **kw: Any
) -> tuple[Any, dict[str, Any]]:
    """Predictions of the searched model on ``x_test`` and the best trial's params."""
    store = Path(args.store or tempfile.mkdtemp(prefix="archsmith_tabular_"))
    model = AutoModel(task=task, seed=0, verbose=0, tracking_uri=str(store / "mlruns"), **kw)
    model.fit(x_train, y_train)
    return model.predict(x_test), {**model.best_params_, **served(model)}


def served(model: AutoModel) -> dict[str, Any]:
    """The search's summary of its served model: the validation score of the ensemble
    (``ensemble.score``) and of the best single trial, the members, the trials done."""
    from mlflow import MlflowClient

    result = model.search_
    metrics = MlflowClient(result.tracking_uri).get_run(result.run_id).data.metrics
    keep = ("ensemble.", "trials_", "refit_rows")
    return {f"summary.{k}": v for k, v in metrics.items() if k.startswith(keep)}


def cell_arguments(cell: str, args: argparse.Namespace) -> dict[str, Any]:
    """``AutoModel`` arguments of a searched cell: ``mlp`` is today's default search (the
    ``mlp`` space, ``--trials`` trials of at most ``--epochs`` epochs), a preset name is
    ``AutoModel(preset=...)`` with nothing else set, ``new`` the spaces of ``--spaces``."""
    if cell == "mlp":
        return {"space": "mlp", "max_trials": args.trials, "epochs": args.epochs}
    if cell == "new":
        spaces = [s for s in args.spaces.split(",") if s]
        return {
            "space": spaces if len(spaces) > 1 else spaces[0],
            "max_trials": args.trials,
            "epochs": args.epochs,
        }
    if cell == "best" and args.best_budget:
        return {"preset": cell, "time_budget": args.best_budget}
    return {"preset": cell}


def cell_key(name: str, cell: str, args: argparse.Namespace) -> str:
    """The cache key of one cell: the table, the column and the settings it ran with (a
    preset's: a hash of its fields and of the default tabular spaces' files)."""
    settings = "" if cell == "hgb" else f"/t{args.trials}e{args.epochs}"
    if cell == "new":
        settings += f"/{args.spaces}"
    if cell in PRESET_CELLS:
        spaces = [find_space(name).read_text() for name in default_spaces("tabular")]
        fields = json.dumps([PRESETS[cell], default_spaces("tabular"), spaces], sort_keys=True)
        settings = "/" + hashlib.sha256(fields.encode()).hexdigest()[:8]
        if cell == "best" and args.best_budget:
            settings += f"/budget{args.best_budget}"
    return f"{name}/{cell}{settings}"


PRESET_CELLS = ("fast", "balanced", "best")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10, help="trials of the mlp/new cells")
    parser.add_argument("--epochs", type=int, default=50, help="epochs of the mlp/new cells")
    parser.add_argument("--only", default="", help="comma-separated tables (default: all six)")
    parser.add_argument("--spaces", default="tabm", help="spaces of the 'new' column")
    parser.add_argument(
        "--cells", default="hgb,mlp,fast,balanced,best", help="which columns to run, in order"
    )
    parser.add_argument(
        "--best-budget",
        type=int,
        default=0,
        help="time_budget (s) of the best cell instead of the preset's hour (0: the preset's)",
    )
    parser.add_argument("--store", default="", help="MLflow folder (default: a temporary one)")
    parser.add_argument(
        "--results",
        default="tabular_results.json",
        help="JSON file of finished cells: a cell found there is not run again (resume)",
    )
    args = parser.parse_args(argv)
    tables = {**TABLES, **EXTRA}
    names = [n for n in args.only.split(",") if n] or list(TABLES)
    unknown = sorted(set(names) - set(tables))
    if unknown:
        parser.error(f"unknown table(s) {unknown}; known: {sorted(tables)}")
    chosen = [c for c in args.cells.split(",") if c]
    bad = sorted(set(chosen) - {"hgb", "mlp", "new", *PRESET_CELLS})
    if bad:
        parser.error(f"unknown cell(s) {bad}; known: hgb, mlp, new, {', '.join(PRESET_CELLS)}")
    cache_file = Path(args.results)
    cache: dict[str, dict[str, Any]] = (
        json.loads(cache_file.read_text()) if cache_file.exists() else {}
    )
    print(f"mlp/new: trials={args.trials} epochs={args.epochs}; cache {cache_file}", flush=True)
    header = f"{'table':<14}{'rows':>7} {'task':<15}" + "".join(f"{c:>10}{'s':>8}" for c in chosen)
    print(header, flush=True)
    results: dict[str, dict[str, float]] = {}
    for name in names:
        x, y, task = tables[name]()
        x_train, x_test, y_train, y_test = split(x, y, task)
        row: dict[str, float] = {}
        line = f"{name:<14}{len(x):>7} {task:<15}"
        for cell in chosen:
            key = cell_key(name, cell, args)
            if key not in cache:
                start = time.perf_counter()
                best: dict[str, Any] = {}
                if cell == "hgb":
                    predicted = hgb(task, x_train, y_train, x_test)
                else:
                    predicted, best = search(
                        task,
                        x_train,
                        y_train,
                        x_test,
                        args,
                        name=f"{name}-{cell}",
                        **cell_arguments(cell, args),
                    )
                    print(f"  {name} {cell} best: {best}", flush=True)
                seconds = time.perf_counter() - start
                cache[key] = {
                    "score": score(task, y_test, predicted),
                    "seconds": seconds,
                    "best": {k: v for k, v in best.items() if isinstance(v, str | int | float)},
                    "date": time.strftime("%Y-%m-%d"),
                    "task": task,
                }
                cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True))
            row[cell] = cache[key]["score"]
            line += f"{row[cell]:>10.4f}{cache[key]['seconds']:>8.1f}"
        results[name] = row
        print(line, flush=True)
    _print_ensembles(cache, names, chosen, args)
    if "hgb" in chosen:
        for cell in (c for c in chosen if c != "hgb"):
            wins = sum(r[cell] > r["hgb"] for r in results.values())
            close = sum(r[cell] >= r["hgb"] - 0.005 for r in results.values())
            print(
                f"{cell} beats default gradient boosting on {wins} of {len(results)} tables "
                f"(within 0.5 points or better on {close})"
            )
    return 0


def _print_ensembles(
    cache: dict[str, dict[str, Any]], names: list[str], chosen: list[str], args: Any
) -> None:
    """Per searched cell with an ensemble: its validation score against the best single
    trial's (the ensemble is served only when it is better)."""
    worse = 0
    for name in names:
        for cell in chosen:
            best = cache.get(cell_key(name, cell, args), {}).get("best", {})
            if "summary.ensemble.score" not in best:
                continue
            ens, single = best["summary.ensemble.score"], best["summary.ensemble.single_score"]
            task = cache[cell_key(name, cell, args)].get("task", "classification")
            maximize = direction(task, default_metric(task)) == "max"
            worse += (ens < single) if maximize else (ens > single)
            members = int(best.get("summary.ensemble.members", 1))
            print(
                f"  ensemble {name}/{cell}: validation {ens:.4f} vs best trial {single:.4f}, "
                f"{members} member(s) served"
            )
    print(f"ensembles worse than their best single trial on validation: {worse}")


if __name__ == "__main__":
    raise SystemExit(main())
