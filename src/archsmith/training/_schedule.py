"""Epochs scaled to the data size (``training.min_steps``): long training where data is small.

The published time-series networks train 1,500-2,000 epochs on a few hundred series: on
small data an epoch is a handful of optimizer steps, and a fixed epoch count under-trains.
The rule: with ``n`` training rows and batch ``b`` an epoch has ``ceil(n / b)`` steps, and a
trial trains for ``max(epochs, ceil(min_steps / steps_per_epoch))`` epochs, at most
:data:`MAX_EPOCHS`; the early-stopping patience is raised to at least a tenth of that, so a
long run is not cut at its first plateau. Large data (an epoch of ``min_steps`` steps or
more) keeps the declared epochs.
"""

from __future__ import annotations

import math

from archsmith.spec import TrainingSpec

#: the most epochs the rule gives (the published FCN / ResNet train 2,000 / 1,500)
MAX_EPOCHS = 2000


def scaled_to_data(training: TrainingSpec, rows: int, batch_size: int) -> TrainingSpec:
    """``training`` with epochs (and early-stopping patience) scaled to ``rows`` training
    rows of batch ``batch_size`` when ``training.min_steps`` is set; unchanged otherwise."""
    if training.min_steps is None or rows <= 0:
        return training
    steps_per_epoch = math.ceil(rows / max(1, batch_size))
    wanted = min(MAX_EPOCHS, math.ceil(training.min_steps / steps_per_epoch))
    epochs = max(training.epochs, wanted)
    if epochs == training.epochs:
        return training
    update: dict[str, object] = {"epochs": epochs}
    stopping = training.early_stopping
    if stopping is not None and stopping.patience < epochs // 10:
        update["early_stopping"] = stopping.model_copy(update={"patience": epochs // 10})
    return training.model_copy(update=update)
