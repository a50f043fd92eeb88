"""Scores of multilabel and forecasting targets, and the seasonal-naive forecast baseline."""

from __future__ import annotations

import re

import numpy as np

from archsmith.datasets import ARRAY_KEYS
from archsmith.datasets import Dataset
from archsmith.datasets import Split
from archsmith.datasets import Target
from archsmith.datasets import seasonal_naive

#: name of the baseline row a forecasting search logs beside its trials
BASELINE = "seasonal_naive"


def _label_key(label: object) -> str:
    """A label as a piece of an MLflow metric name."""
    return re.sub(r"[^A-Za-z0-9_\-./ ]", "_", str(label)) or "label"


def kind_score(metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
    """One multilabel or forecasting metric.

    Multilabel (labels predicted at ``target.threshold``): ``f1_micro``, ``f1_macro``,
    ``subset_accuracy`` (every label right), ``hamming_accuracy`` (share of right label
    decisions), ``roc_auc`` (macro over labels that have both values in ``y``).
    Forecast: ``mae``, ``rmse`` over every step, ``mase`` = MAE / ``target.scale``.
    """
    from sklearn import metrics as m

    if target.kind == "forecast":
        err = outputs.reshape(y.shape) - y
        if metric == "mae":
            return float(np.abs(err).mean())
        if metric == "rmse":
            return float(np.sqrt((err**2).mean()))
        if metric == "mase":
            return float(np.abs(err).mean() / target.scale)
        raise ValueError(f"metric {metric!r} does not apply to forecasting")
    pred = (outputs >= target.threshold).astype("int32")
    truth = y.astype("int32")
    if metric == "f1_micro":
        return float(m.f1_score(truth, pred, average="micro", zero_division=0))
    if metric == "f1_macro":
        return float(m.f1_score(truth, pred, average="macro", zero_division=0))
    if metric == "subset_accuracy":
        return float(m.accuracy_score(truth, pred))
    if metric == "hamming_accuracy":
        return float(1.0 - m.hamming_loss(truth, pred))
    if metric == "roc_auc":
        both = [j for j in range(truth.shape[1]) if 0 < truth[:, j].sum() < len(truth)]
        if not both:
            raise ValueError("roc_auc needs a label with both values")
        return float(m.roc_auc_score(truth[:, both], outputs[:, both], average="macro"))
    raise ValueError(f"metric {metric!r} does not apply to multilabel classification")


def kind_scores(y: np.ndarray, outputs: np.ndarray, target: Target) -> dict[str, float]:
    """Every metric of a multilabel or forecasting target.

    Multilabel scores also hold per-label ``precision.<label>``, ``recall.<label>``,
    ``f1.<label>`` and ``support.<label>`` (examples having it).
    """
    from sklearn import metrics as m

    from archsmith.spec import FORECASTING_METRICS
    from archsmith.spec import MULTILABEL_METRICS

    names = FORECASTING_METRICS if target.kind == "forecast" else MULTILABEL_METRICS
    out: dict[str, float] = {}
    for name in names:
        try:
            out[name] = kind_score(name, y, outputs, target)
        except ValueError:
            continue
    if target.kind == "multilabel":
        pred = (outputs >= target.threshold).astype("int32")
        truth = y.astype("int32")
        precision, recall, f1, support = m.precision_recall_fscore_support(
            truth, pred, average=None, zero_division=0
        )
        for j, label in enumerate(target.classes):
            key = _label_key(label)
            out[f"precision.{key}"] = float(precision[j])
            out[f"recall.{key}"] = float(recall[j])
            out[f"f1.{key}"] = float(f1[j])
            out[f"support.{key}"] = float(support[j])
    return out


def naive_scores(split: Split, target: Target) -> dict[str, float]:
    """Scores of the seasonal-naive forecast (repeat the window's last season) on a split."""
    x = split.x[ARRAY_KEYS["sequence"]]
    forecast = seasonal_naive(x, target.horizon, target.seasonality)
    return kind_scores(split.y, forecast, target)


def baseline_scores(dataset: Dataset) -> dict[str, dict[str, float]]:
    """The seasonal-naive baseline's scores by split (``validation``, ``test``), or {}.

    Only forecasting data has a baseline.
    """
    if dataset.target.kind != "forecast":
        return {}
    out = {"validation": naive_scores(dataset.validation, dataset.target)}
    if dataset.test is not None:
        out["test"] = naive_scores(dataset.test, dataset.target)
    return out
