"""Validation and test scores computed from model outputs (numpy, scikit-learn)."""

from __future__ import annotations

import numpy as np

from archsmith.datasets import Target


def labels_from_outputs(outputs: np.ndarray, target: Target) -> np.ndarray:
    """Class indices from probabilities (or values for regression).

    Multilabel: the ``(N, labels)`` 0/1 matrix of labels at or above the threshold.
    """
    if target.kind == "multilabel":
        return (outputs >= target.threshold).astype("int32")
    if target.kind == "forecast":
        return outputs.reshape(len(outputs), -1)
    if target.kind == "binary":
        return (outputs.reshape(-1) >= 0.5).astype("int32")
    if target.kind == "multiclass":
        return outputs.argmax(axis=-1).astype("int32")
    return outputs.reshape(-1)


def predictions(outputs: np.ndarray, target: Target) -> np.ndarray:
    """Predicted labels (classification) or values (regression) from network outputs.

    Multilabel: a 0/1 matrix, one column per label (``Target.classes`` order), as
    scikit-learn's multilabel estimators predict. Forecast: ``(N, horizon)`` values.
    """
    if target.kind in ("multilabel", "forecast"):
        return labels_from_outputs(outputs, target)
    if target.kind == "continuous":
        return outputs.reshape(-1).astype("float64")
    return target.decode(labels_from_outputs(outputs, target))


def probabilities(outputs: np.ndarray, target: Target) -> np.ndarray:
    """``(N, n_classes)`` class probabilities from the network's outputs."""
    if target.kind == "binary":
        p = outputs.reshape(-1, 1)
        return np.hstack([1 - p, p])
    return outputs


def score(metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
    """The value of ``metric`` for encoded targets ``y`` and network ``outputs``."""
    from sklearn import metrics as m

    if target.kind in ("multilabel", "forecast"):
        from archsmith.training._kinds import kind_score

        return kind_score(metric, y, outputs, target)

    if target.kind == "continuous":
        pred = outputs.reshape(-1)
        if metric == "rmse":
            return float(np.sqrt(m.mean_squared_error(y, pred)))
        if metric == "mae":
            return float(m.mean_absolute_error(y, pred))
        if metric == "r2":
            return float(m.r2_score(y, pred))
        raise ValueError(f"metric {metric!r} does not apply to regression")
    labels = list(range(len(target.classes)))
    pred = labels_from_outputs(outputs, target)
    if metric == "accuracy":
        return float(m.accuracy_score(y, pred))
    if metric == "balanced_accuracy":
        return float(m.balanced_accuracy_score(y, pred))
    if metric == "f1_macro":
        return float(m.f1_score(y, pred, average="macro", labels=labels, zero_division=0))
    proba = probabilities(outputs, target)
    if metric == "log_loss":
        return float(m.log_loss(y, np.clip(proba, 1e-7, 1 - 1e-7), labels=labels))
    if metric == "roc_auc":
        if target.kind == "binary":
            return float(m.roc_auc_score(y, proba[:, 1]))
        return float(m.roc_auc_score(y, proba, multi_class="ovr", labels=labels))
    raise ValueError(f"metric {metric!r} does not apply to classification")


def all_scores(y: np.ndarray, outputs: np.ndarray, target: Target) -> dict[str, float]:
    """Every metric that applies to the task (a metric that cannot be computed is left out)."""
    from archsmith.spec import CLASSIFICATION_METRICS
    from archsmith.spec import REGRESSION_METRICS

    if target.kind in ("multilabel", "forecast"):
        from archsmith.training._kinds import kind_scores

        return kind_scores(y, outputs, target)
    names = REGRESSION_METRICS if target.kind == "continuous" else CLASSIFICATION_METRICS
    out: dict[str, float] = {}
    for name in names:
        try:
            out[name] = score(name, y, outputs, target)
        except ValueError:
            continue
    return out
