"""Multilabel classification: a set of labels per example, one sigmoid per label."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from archsmith.tasks.base import BaseTask

if TYPE_CHECKING:
    from archsmith.datasets import Target
    from archsmith.training import Loss


def _label_key(label: object) -> str:
    """A label as a piece of an MLflow metric name."""
    return re.sub(r"[^A-Za-z0-9_\-./ ]", "_", str(label)) or "label"


class Multilabel(BaseTask):
    """Labels predicted at ``target.threshold``; ``predict`` gives the ``(N, labels)`` 0/1
    matrix (``Target.classes`` order), as scikit-learn's multilabel estimators do."""

    task_type = "multilabel"
    target_kinds = ("multilabel",)
    matrix_targets = True

    def labels(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return (outputs >= target.threshold).astype("int32")

    def score(self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
        """``f1_micro``, ``f1_macro``, ``subset_accuracy`` (every label right),
        ``hamming_accuracy`` (share of right label decisions), ``roc_auc`` (macro over the
        labels that have both values in ``y``)."""
        from sklearn import metrics as m

        pred = self.labels(outputs, target)
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
        raise self.unknown(metric)

    def all_scores(self, y: np.ndarray, outputs: np.ndarray, target: Target) -> dict[str, float]:
        """Every metric, and per label ``precision.<label>``, ``recall.<label>``,
        ``f1.<label>`` and ``support.<label>`` (examples having it)."""
        from sklearn import metrics as m

        out = super().all_scores(y, outputs, target)
        precision, recall, f1, support = m.precision_recall_fscore_support(
            y.astype("int32"), self.labels(outputs, target), average=None, zero_division=0
        )
        for j, label in enumerate(target.classes):
            key = _label_key(label)
            out[f"precision.{key}"] = float(precision[j])
            out[f"recall.{key}"] = float(recall[j])
            out[f"f1.{key}"] = float(f1[j])
            out[f"support.{key}"] = float(support[j])
        return out

    def loss(self, target: Target) -> Loss:
        import keras

        from archsmith.training import Loss

        return Loss(
            "binary_crossentropy",
            metrics=(keras.metrics.BinaryAccuracy(threshold=target.threshold),),
        )


TASK = Multilabel()
