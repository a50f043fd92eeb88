"""Forecasting: series (long-format table or one 1-D series) -> windows, splits, baseline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._arrays import sequence_schema
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import data_source
from archsmith.datasets._base import fingerprint
from archsmith.datasets._readers import as_frame
from archsmith.datasets._targets import Target
from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError
from archsmith.spec import DataSpec
from archsmith.spec import ForecastingTask


@dataclass(frozen=True)
class Windows:
    """Windows of one split: inputs ``(N, lookback, 1)``, targets ``(N, horizon)``, and
    each window's series number and the time step its targets start at."""

    x: np.ndarray
    y: np.ndarray
    series: np.ndarray
    starts: np.ndarray


def read_series(x: Any, task: ForecastingTask) -> dict[Any, np.ndarray]:
    """The values of each series, in time order, by series id.

    Args:
        x: a long-format DataFrame (``task.series_id``, ``task.timestamp``, ``task.target``
            columns; the first two optional), or one series (1-D array, list, Series).

    Raises:
        DataError: missing columns, non-numeric or missing values.
    """
    if not isinstance(x, pd.DataFrame):
        values = np.asarray(x, dtype=object)
        if values.ndim == 2 and 1 in values.shape:
            values = values.reshape(-1)
        if values.ndim != 1:
            raise DataError(
                "forecasting takes one series (1-D array) or a long-format table with columns "
                f"series id, timestamp and value, but got an array of shape {values.shape}"
            )
        return {"series": _numbers(pd.Series(values), "series")}
    if task.target is None:
        if x.shape[1] != 1:
            raise DataError(
                f"name the value column with task.target; the table has columns {list(x.columns)}"
            )
        target = str(x.columns[0])
    else:
        target = task.target
    wanted = [c for c in (task.series_id, task.timestamp, target) if c is not None]
    missing = [c for c in wanted if c not in x.columns]
    if missing:
        raise DataError(
            f"forecasting column(s) {missing} not found; the table has columns {list(x.columns)}"
        )
    frame = x[wanted]
    if task.timestamp is not None:
        frame = frame.sort_values(task.timestamp, kind="stable")
    if task.series_id is None:
        return {target: _numbers(frame[target], target)}
    return {
        key: _numbers(group[target], f"{target} of series {key!r}")
        for key, group in frame.groupby(task.series_id, sort=True)
    }


def _numbers(values: pd.Series, what: str) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() | ~np.isfinite(numbers.astype("float64").fillna(0.0))
    if bad.any():
        rows = [int(i) for i in np.flatnonzero(bad.to_numpy())[:5]]
        raise DataError(
            f"{what}: {int(bad.sum())} value(s) are missing or not numbers (first positions "
            f"{rows}); fill or drop them before forecasting"
        )
    return numbers.to_numpy(dtype="float32")


def seasonal_naive(x: np.ndarray, horizon: int, seasonality: int) -> np.ndarray:
    """Repeat the last season of each window: ``(N, lookback, 1)`` -> ``(N, horizon)``."""
    lookback = x.shape[1]
    steps = [lookback + j - seasonality * (j // seasonality + 1) for j in range(horizon)]
    return x[:, steps, 0]


def make_windows(
    series: dict[Any, np.ndarray], task: ForecastingTask, data: DataSpec
) -> tuple[Windows, Windows, Windows | None, float, Windows | None]:
    """Windows of every series, split in time order, the MASE scale, and the windows whose
    targets straddle the training and validation parts (None: there are none).

    Each series is cut at ``1 - validation - test`` and ``1 - test`` of its length; a window
    belongs to the split where its forecast starts, and its targets must lie in that split.
    The MASE scale is the mean absolute seasonal difference of the training parts.

    Raises:
        DataError: a series shorter than ``lookback + horizon``, or a split with no window.
    """
    lookback, horizon, season = task.lookback, task.horizon, task.seasonality
    # training, validation, test, and the windows whose targets straddle the training and
    # validation parts (only a refit on train + validation trains on those)
    parts: list[list[tuple[np.ndarray, np.ndarray, int, int]]] = [[], [], [], []]
    diffs: list[np.ndarray] = []
    for number, (key, values) in enumerate(series.items()):
        n = len(values)
        if n < lookback + horizon:
            raise DataError(
                f"series {key!r} has {n} values, shorter than lookback + horizon = "
                f"{lookback} + {horizon} = {lookback + horizon}; lower task.lookback or "
                "task.horizon, or drop that series"
            )
        cuts = (round(n * (1 - data.validation - data.test)), round(n * (1 - data.test)), n)
        diffs.append(np.abs(values[season : cuts[0]] - values[: max(cuts[0] - season, 0)]))
        for origin in range(lookback, n - horizon + 1):
            end = origin + horizon
            if end <= cuts[0]:
                split = 0
            elif origin >= cuts[0] and end <= cuts[1]:
                split = 1
            elif origin >= cuts[1]:
                split = 2
            elif end <= cuts[1]:
                split = 3
            else:
                continue  # its targets straddle validation and test
            parts[split].append(
                (values[origin - lookback : origin], values[origin:end], number, origin)
            )
    names = ("training", "validation", "test")
    for i, part in enumerate(parts[: 3 if data.test > 0 else 2]):
        if not part:
            raise DataError(
                f"the {names[i]} split has no window of lookback + horizon = "
                f"{lookback + horizon} values; the series are too short for "
                f"validation={data.validation}, test={data.test}: lower task.lookback or "
                "task.horizon, or use longer series"
            )

    def stack(part: list[tuple[np.ndarray, np.ndarray, int, int]]) -> Windows:
        return Windows(
            np.stack([p[0] for p in part])[..., None],
            np.stack([p[1] for p in part]),
            np.asarray([p[2] for p in part]),
            np.asarray([p[3] for p in part]),
        )

    joined = np.concatenate(diffs) if diffs else np.zeros(0)
    scale = float(joined.mean()) if joined.size else 0.0
    test = stack(parts[2]) if data.test > 0 else None
    between = stack(parts[3]) if parts[3] else None
    return stack(parts[0]), stack(parts[1]), test, scale if scale > 0 else 1.0, between


def time_folds(
    series: dict[Any, np.ndarray], train: Windows, val: Windows, data: DataSpec
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """``data.folds`` = k time-ordered folds (rolling origins) of the train + validation
    windows: (kept, held) row indexes into them, in that order, for each fold.

    Fold k holds out the validation split; each earlier fold the block of
    ``data.validation`` of every series just before the next one. A fold trains on the
    windows whose targets end before its block starts (an expanding window) and validates
    on those whose forecast lies inside it.

    Raises:
        SpecError: a fold without a training or a validation window.
    """
    k = int(data.folds or 0)
    lengths = np.asarray([len(v) for v in series.values()])
    n = lengths[np.concatenate([train.series, val.series])]
    starts = np.concatenate([train.starts, val.starts])
    ends = starts + train.y.shape[1]  # the step after each window's last target
    out = []
    for j in range(k):  # block j of k, the last one the validation split
        start = np.round(n * (1 - data.test - (k - j) * data.validation)).astype(int)
        stop = np.round(n * (1 - data.test - (k - j - 1) * data.validation)).astype(int)
        held = np.flatnonzero((starts >= start) & (ends <= stop))
        kept = np.flatnonzero(ends <= start)
        if not len(held) or not len(kept):
            usable = k - j - 1  # the later folds have more history
            fewer = f"use at most {usable} folds, " if usable >= 2 else ""
            raise SpecError(
                f"data.folds is {k}: time-ordered folds of data.validation={data.validation} "
                f"of each series, back from the test cut, leave fold {j + 1} no "
                f"{'validation' if not len(held) else 'training'} window (its block starts "
                f"at step {int(start.min())} of the series); {fewer}lower data.validation, "
                "or leave data.folds out",
                path="data.folds",
            )
        out.append((kept, held))
    return tuple(out)


def forecast_target(name: str, train: Windows, task: ForecastingTask, scale: float) -> Target:
    """The forecast target; its mean and std are the inputs' (the model's output units)."""
    std = float(train.x.std()) or 1.0
    return Target(
        name,
        "forecast",
        mean=float(train.x.mean()),
        std=std,
        horizon=task.horizon,
        seasonality=task.seasonality,
        scale=scale,
    )


def window_schema(train: Windows) -> ArraySchema:
    return sequence_schema(train.x)


def load_forecasting_dataset(
    x: Any, y: Any = None, *, task: ForecastingTask, data: DataSpec, base_dir: Path | None = None
) -> Dataset:
    """Build the :class:`Dataset` of forecasting windows, split in time order.

    Raises:
        DataError: no data, missing columns, non-numeric values, series too short.
    """
    source = data_source(x, data, base_dir)
    if source is None:
        raise DataError("no data: pass X to fit() or set data.train in the declaration")
    if isinstance(source, str | Path):
        source = as_frame(source)
    series = read_series(source, task)
    train, val, test, scale, between = make_windows(series, task, data)
    schema = window_schema(train)
    name = task.target or "value"
    target = forecast_target(name, train, task, scale)

    def make(w: Windows) -> Split:
        labels = pd.Series(list(w.y))
        return Split(schema.as_table(w.x), schema.model_inputs(w.x), w.y.astype("float32"), labels)

    parts = [np.ascontiguousarray(v).tobytes() for v in series.values()]
    parts.append(f"{task.lookback}/{task.horizon}".encode())
    return Dataset(
        schema=schema,
        target=target,
        train=make(train),
        validation=make(val),
        test=make(test) if test is not None else None,
        fingerprint=fingerprint(parts, data, data.kind),
        between=make(between) if between is not None else None,
        time_folds=time_folds(series, train, val, data) if data.folds else None,
    )
