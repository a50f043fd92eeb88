"""Training batches of a streamed table as a Keras ``PyDataset`` (every backend takes one).

The batches are read from the file in order (see ``archsmith.datasets`` ``TableStream``):
Keras asks for them by index, in order within an epoch, so the reader goes on from where
it stopped; any other index (Keras peeks at batch 0 first to learn the structure) starts
a new pass. Each epoch shuffles the rows within each chunk with a new seed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np


class StreamBatches(keras.utils.PyDataset):
    """``(inputs, targets)`` batches of the training rows of ``stream``."""

    def __init__(self, stream: Any, batch_size: int) -> None:
        super().__init__(workers=1, use_multiprocessing=False)
        self.stream = stream
        self.batch_size = batch_size
        self._batches = math.ceil(stream.rows[0] / batch_size)
        self._reader: Iterator[tuple[dict[str, np.ndarray], np.ndarray]] | None = None
        self._next = 0
        self._passes = 0

    def __len__(self) -> int:
        return self._batches

    def __getitem__(self, index: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        if self._reader is None or index != self._next:
            self._reader = self.stream.batches(self.batch_size, seed=self._passes)
            self._passes += 1
            self._next = 0
            for _ in range(index):
                next(self._reader)
                self._next += 1
        self._next = index + 1
        return next(self._reader)

    def on_epoch_end(self) -> None:
        self._reader = None
