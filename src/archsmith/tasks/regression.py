"""Regression: one number per row."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from archsmith.tasks.base import BaseTask

if TYPE_CHECKING:
    from archsmith.datasets import Target
    from archsmith.training import Loss


def standardised_mse(target: Target) -> Loss:
    """Mean squared error in standardised units: the loss scale is the same for every
    target, so learning-rate ranges carry over between datasets."""
    from archsmith.training import Loss

    return Loss("mean_squared_error", weights=1.0 / (target.std**2))


class Regression(BaseTask):
    """Values: ``predict`` gives float64 values; no classes."""

    task_type = "regression"
    target_kinds = ("continuous",)
    has_classes = False

    def predictions(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return outputs.reshape(-1).astype("float64")

    def score(self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
        from sklearn import metrics as m

        pred = outputs.reshape(-1)
        if metric == "rmse":
            return float(np.sqrt(m.mean_squared_error(y, pred)))
        if metric == "mae":
            return float(m.mean_absolute_error(y, pred))
        if metric == "r2":
            return float(m.r2_score(y, pred))
        raise self.unknown(metric)

    def loss(self, target: Target) -> Loss:
        return standardised_mse(target)


TASK = Regression()
