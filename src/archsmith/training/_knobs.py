"""Training knobs a space can search, and class weights.

- ``optimizer.schedule``: ``constant`` (the default), ``cosine`` (the learning rate decays
  along a half cosine to 0 over ``training.epochs``, set at each epoch start) or
  ``plateau`` (halved when the validation loss has not improved for a few epochs);
- ``label_smoothing``: the classification loss against smoothed targets (``(1 - s)`` on the
  true class, ``s`` spread over all classes);
- ``training.class_weight``: ``balanced`` (each class weighs ``n / (classes * count)``, as
  scikit-learn's ``class_weight="balanced"``) or a mapping ``{label: weight}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from archsmith.datasets import Target
from archsmith.exceptions import SpecError
from archsmith.families.losses import SmoothedSparseCrossentropy
from archsmith.spec import TrainingSpec

#: optimizer settings that are not arguments of the Keras optimizer
NOT_OPTIMIZER_ARGS = frozenset({"name", "schedule"})


def schedule_callbacks(
    config: Mapping[str, Any], training: TrainingSpec
) -> list[keras.callbacks.Callback]:
    """The Keras callbacks of the trial's ``optimizer.schedule`` (none for ``constant``)."""
    optimizer = config.get("optimizer") or {}
    schedule = optimizer.get("schedule") or "constant"
    if schedule == "cosine":
        start, epochs = float(optimizer.get("learning_rate", 1e-3)), training.epochs
        return [
            keras.callbacks.LearningRateScheduler(
                lambda epoch: start * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))
            )
        ]
    if schedule == "plateau":
        patience = training.early_stopping.patience if training.early_stopping else 6
        return [
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=0.5, patience=max(1, patience // 2), min_lr=1e-6
            )
        ]
    return []


def smoothed_binary(label_smoothing: float, target: Target) -> keras.losses.Loss:
    """Binary cross-entropy with label smoothing."""
    return keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing)


def smoothed_sparse(label_smoothing: float, target: Target) -> keras.losses.Loss:
    """Sparse categorical cross-entropy with label smoothing."""
    return SmoothedSparseCrossentropy(label_smoothing, len(target.classes))


def class_weights(training: TrainingSpec, target: Target, y: np.ndarray) -> dict[int, float] | None:
    """``training.class_weight`` as Keras' ``{class index: weight}``; None when not declared.

    Raises:
        SpecError: the task has no classes (``training.class_weight`` is for
            classification), or the mapping names a label that is not a class.
    """
    declared = training.class_weight
    if declared is None:
        return None
    if not target.classes or np.asarray(y).ndim != 1:
        raise SpecError(
            "training.class_weight weighs the classes of a classification task, but this "
            "task's target has no single class per row; remove training.class_weight",
            path="training.class_weight",
        )
    if declared == "balanced":
        counts = np.bincount(np.asarray(y, dtype="int64"), minlength=len(target.classes))
        total, k = float(counts.sum()), len(counts)
        return {i: total / (k * c) if c else 1.0 for i, c in enumerate(counts.tolist())}
    names = {str(c): i for i, c in enumerate(target.classes)}
    unknown = sorted(str(label) for label in declared if str(label) not in names)
    if unknown:
        raise SpecError(
            f"training.class_weight names {unknown}, which are not classes of target "
            f"'{target.name}'; expected labels among: {', '.join(names)}",
            path="training.class_weight",
        )
    weights = {i: 1.0 for i in range(len(target.classes))}
    weights.update({names[str(label)]: float(w) for label, w in declared.items()})
    return weights
