"""Pairs or triplets drawn from labelled examples for training a pair model (a Keras
``PyDataset``, so this module imports Keras; the similarity task imports it when it trains)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import keras
import numpy as np

from archsmith.datasets import draw_pairs
from archsmith.datasets import draw_triplets

#: the inputs of a triplet, each the examples' inputs prefixed ``<role>_``
ROLES = ("anchor", "positive", "negative")


class Draws(keras.utils.PyDataset):
    """Pairs or triplets drawn from labelled examples, drawn anew at every epoch end."""

    def __init__(
        self,
        x: Mapping[str, np.ndarray],
        labels: np.ndarray,
        mode: str,
        count: int,
        batch_size: int,
        seed: int,
    ) -> None:
        super().__init__()
        self.x, self.labels, self.mode = x, labels, mode
        self.count, self.batch_size = count, batch_size
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def on_epoch_end(self) -> None:
        if self.mode == "triplets":
            self.ids = dict(
                zip(ROLES, draw_triplets(self.labels, self.count, self.rng), strict=True)
            )
            self.y = np.zeros(self.count, dtype="float32")
        else:
            a, b, same = draw_pairs(self.labels, self.count, self.rng)
            self.ids, self.y = {"a": a, "b": b}, same.astype("float32")

    def __len__(self) -> int:
        return math.ceil(self.count / self.batch_size)

    def __getitem__(self, index: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        batch = {
            f"{role}_{k}": v[ids[part]] for role, ids in self.ids.items() for k, v in self.x.items()
        }
        return batch, self.y[part]

    def fixed(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The current draw as arrays (a validation set)."""
        x = {f"{role}_{k}": v[ids] for role, ids in self.ids.items() for k, v in self.x.items()}
        return x, self.y
