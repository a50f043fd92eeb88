"""Forecasting: the next ``horizon`` values of a series; the seasonal-naive baseline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from archsmith.datasets import seasonal_naive
from archsmith.tasks._ets import available as ets_available
from archsmith.tasks._ets import fitted_params
from archsmith.tasks._ets import forecast as ets_forecast
from archsmith.tasks.base import BaseTask
from archsmith.tasks.regression import standardised_mse

if TYPE_CHECKING:
    from archsmith.datasets import Dataset
    from archsmith.datasets import Split
    from archsmith.datasets import Target
    from archsmith.training import Loss


class Forecasting(BaseTask):
    """``(N, horizon)`` values; scores over every step; MASE = MAE / ``target.scale``."""

    task_type = "forecasting"
    target_kinds = ("forecast",)
    has_classes = False

    def labels(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return outputs.reshape(len(outputs), -1)

    def score(self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
        err = outputs.reshape(y.shape) - y
        if metric == "mae":
            return float(np.abs(err).mean())
        if metric == "rmse":
            return float(np.sqrt((err**2).mean()))
        if metric == "mase":
            return float(np.abs(err).mean() / target.scale)
        raise self.unknown(metric)

    def naive_scores(self, split: Split, target: Target) -> dict[str, float]:
        """Scores of the seasonal-naive forecast (repeat the window's last season)."""
        (windows,) = split.x.values()  # the one sequence input
        return self.all_scores(
            split.y, seasonal_naive(windows, target.horizon, target.seasonality), target
        )

    def baseline_scores(self, dataset: Dataset) -> dict[str, dict[str, float]]:
        out = {"validation": self.naive_scores(dataset.validation, dataset.target)}
        if dataset.test is not None:
            out["test"] = self.naive_scores(dataset.test, dataset.target)
        return out

    def reference_scores(
        self, dataset: Dataset, names: Sequence[str]
    ) -> dict[str, dict[str, dict[str, float]]]:
        """Scores of classical forecasters by name (``ets``: statsmodels' exponential
        smoothing, see ``archsmith.tasks._ets``) and split; those that cannot run here
        (statsmodels not installed) are left out."""
        if "ets" not in names or not ets_available():
            return {}
        target = dataset.target
        (train_x,) = dataset.train.x.values()
        params = fitted_params(train_x, dataset.train.y, target.seasonality)
        out: dict[str, dict[str, float]] = {}
        for split_name, split in (("validation", dataset.validation), ("test", dataset.test)):
            if split is not None:
                (windows,) = split.x.values()
                guess = ets_forecast(windows, target.horizon, target.seasonality, params)
                out[split_name] = self.all_scores(split.y, guess, target)
        return {"ets": out}

    def loss(self, target: Target) -> Loss:
        return standardised_mse(target)


TASK = Forecasting()
