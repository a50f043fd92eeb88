"""Search-side training helpers: the pruning reporter (a Keras 3 callback), latency and
predict time.

Written against ``keras`` (never ``tf.keras``), so they work on every Keras backend.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from archsmith.datasets import Dataset
from archsmith.training._fit import outputs

#: ``report(epoch, value) -> stop?``: hands an intermediate value to the engine's pruner.
Report = Callable[[int, float], bool]


class PruningReporter(keras.callbacks.Callback):
    """Reports the search's metric on the validation split after every epoch.

    The value is the same metric the trial is finally scored with (the task's score of the
    validation outputs), so the pruner compares like with like. When ``report`` answers
    True the training stops at this epoch end and ``pruned_epoch`` holds the (1-based)
    number of epochs run. ``archsmith.tasks.pruning_reporter`` makes one for a dataset
    and metric.

    Args:
        x: the validation inputs.
        score: the metric's value from the network's outputs on ``x``.
        report: the engine's ``report`` for this trial.
    """

    def __init__(
        self, x: Mapping[str, np.ndarray], score: Callable[[np.ndarray], float], report: Report
    ) -> None:
        super().__init__()
        self.x = x
        self.score = score
        self.report = report
        self.reported: list[float] = []
        self.pruned_epoch: int | None = None

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        out = outputs(self.model, self.x)
        if not np.isfinite(out).all():
            return  # the NaN guard fails this trial; nothing sensible to report
        value = self.score(out)
        self.reported.append(value)
        if self.report(epoch, value):
            self.pruned_epoch = epoch + 1
            self.model.stop_training = True


def latency_ms(model: keras.Model, dataset: Dataset, repeats: int = 20) -> float:
    """Median time of a one-row prediction (inference mode), in milliseconds.

    Measured on the current device with the first validation row, after two warm-up
    calls; the model does not need to be trained (the architecture sets the cost).
    """
    row = {k: v[:1] for k, v in dataset.validation.x.items()}
    for _ in range(2):
        keras.ops.convert_to_numpy(model(row, training=False))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(model(row, training=False))
        times.append((time.perf_counter() - start) * 1000)
    return float(statistics.median(times))


def predict_ms_per_row(model: keras.Model, dataset: Dataset, rows: int = 256) -> float:
    """Time to predict a batch of validation rows (up to ``rows``), per row, in ms.

    Measured after training, after one warm-up call, as the faster of two calls: the
    steady cost of predicting many rows at once (a leaderboard column, not a constraint).
    """
    batch = {k: v[:rows] for k, v in dataset.validation.x.items()}
    n = len(next(iter(batch.values())))
    outputs(model, batch)
    times = []
    for _ in range(2):
        start = time.perf_counter()
        outputs(model, batch)
        times.append(time.perf_counter() - start)
    return 1000 * min(times) / max(n, 1)
