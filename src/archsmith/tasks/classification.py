"""Classification: one class per row, binary (one sigmoid) or multiclass (softmax)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from archsmith.tasks.base import BaseTask

if TYPE_CHECKING:
    from archsmith.datasets import Target
    from archsmith.training import Loss


class Multiclass(BaseTask):
    """Several classes: ``(N, classes)`` probabilities, sparse categorical cross-entropy."""

    task_type = "classification"
    target_kinds = ("multiclass",)

    def labels(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return outputs.argmax(axis=-1).astype("int32")

    def predictions(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return target.decode(self.labels(outputs, target))

    def probabilities(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        """``(N, n_classes)`` class probabilities from the network's outputs."""
        totals = outputs.sum(axis=-1, keepdims=True)
        if np.abs(totals - 1).max(initial=0) > 1e-3:  # not a softmax (capsule lengths):
            return outputs / np.maximum(totals, 1e-12)  # normalised to sum to one
        return outputs

    def roc_auc(self, y: np.ndarray, proba: np.ndarray, labels: list[int]) -> float:
        from sklearn import metrics as m

        return float(m.roc_auc_score(y, proba, multi_class="ovr", labels=labels))

    def score(self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
        from sklearn import metrics as m

        labels = list(range(len(target.classes)))
        pred = self.labels(outputs, target)
        if metric == "accuracy":
            return float(m.accuracy_score(y, pred))
        if metric == "balanced_accuracy":
            return float(m.balanced_accuracy_score(y, pred))
        if metric == "f1_macro":
            return float(m.f1_score(y, pred, average="macro", labels=labels, zero_division=0))
        proba = self.probabilities(outputs, target)
        if metric == "log_loss":
            return float(m.log_loss(y, np.clip(proba, 1e-7, 1 - 1e-7), labels=labels))
        if metric == "roc_auc":
            return self.roc_auc(y, proba, labels)
        raise self.unknown(metric)

    def loss(self, target: Target) -> Loss:
        from archsmith.training import Loss
        from archsmith.training import smoothed_sparse

        return Loss(
            "sparse_categorical_crossentropy", metrics=("accuracy",), smoothed=smoothed_sparse
        )


class Binary(Multiclass):
    """Two classes: one sigmoid output (the second class's probability)."""

    target_kinds = ("binary",)

    def labels(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        """The second class where its probability is at or above the target's decision
        threshold (0.5 unless ``task.threshold: tune`` chose one)."""
        return (outputs.reshape(-1) >= target.threshold).astype("int32")

    def tuned_threshold(
        self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target
    ) -> float | None:
        """The decision threshold that maximises ``metric`` on ``(y, outputs)``: tried at
        0.5 and at 99 quantiles of the probabilities; ties go to the one nearest 0.5."""
        from dataclasses import replace

        p = outputs.reshape(-1)
        candidates = np.unique(np.append(np.quantile(p, np.linspace(0.01, 0.99, 99)), 0.5))
        best, best_score = 0.5, -np.inf
        for t in sorted(candidates, key=lambda c: abs(c - 0.5)):
            value = self.score(metric, y, outputs, replace(target, threshold=float(t)))
            if value > best_score + 1e-12:
                best, best_score = float(t), value
        return best

    def probabilities(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        p = outputs.reshape(-1, 1)
        return np.hstack([1 - p, p])

    def roc_auc(self, y: np.ndarray, proba: np.ndarray, labels: list[int]) -> float:
        from sklearn import metrics as m

        return float(m.roc_auc_score(y, proba[:, 1]))

    def loss(self, target: Target) -> Loss:
        from archsmith.training import Loss
        from archsmith.training import smoothed_binary

        return Loss("binary_crossentropy", metrics=("accuracy",), smoothed=smoothed_binary)


BINARY = Binary()
MULTICLASS = Multiclass()
