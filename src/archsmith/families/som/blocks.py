"""Self-organising maps (Kohonen): a grid of prototype vectors that self-organises on the data.

The map trains with its own step, not backpropagation: for each mini-batch, every row's
best-matching unit (BMU, the nearest prototype) pulls the prototypes of the units around it
on the grid towards the row, weighted by a Gaussian neighbourhood whose radius and learning
rate shrink over training (linear or exponential schedule). This runs in the layer's
``initialise_from`` hook, which training calls before anything else; for the clustering
task there is nothing else. In the network the layer outputs the squared distances of a
row to every unit (``(N, rows * cols)``); its prototypes are not trainable by backprop.

Backends: the update is eager ``keras.ops`` arithmetic plus ``Variable.assign`` (written
for TensorFlow, JAX and PyTorch; only TensorFlow is installed and tested).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

#: backends the map's own training step is written for
SOM_BACKENDS = ("tensorflow", "jax", "torch")
SCHEDULES = ("exponential", "linear")


@keras.saving.register_keras_serializable(package="archsmith")
class SelfOrganisingMap(keras.layers.Layer):
    """A ``rows`` x ``cols`` map; outputs squared distances to every unit, row-major order.

    ``unit_coordinates()`` gives the grid position of each unit (training uses it to find
    the map and to compute the topographic error).

    Args:
        rows, cols: grid size.
        epochs: passes over the training sample when the map self-organises.
        learning_rate: initial step size (decays to 1 % of it).
        sigma: initial neighbourhood radius in grid units (default: half the larger side).
        sigma_end: final neighbourhood radius.
        schedule: ``exponential`` or ``linear`` decay of radius and step size.
        batch_size: rows per update.
        seed: seed of the initial prototypes (training rows) and the row order.
    """

    def __init__(
        self,
        rows: int,
        cols: int,
        epochs: int = 10,
        learning_rate: float = 0.5,
        sigma: float | None = None,
        sigma_end: float = 0.5,
        schedule: str = "exponential",
        batch_size: int = 64,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {list(SCHEDULES)}, but got {schedule!r}")
        if rows < 1 or cols < 1 or rows * cols < 2:
            raise ValueError(f"a map needs at least 2 units, but got rows={rows}, cols={cols}")
        self.rows = int(rows)
        self.cols = int(cols)
        self.epochs = int(epochs)
        self.learning_rate = float(learning_rate)
        self.sigma = float(sigma) if sigma is not None else max(rows, cols) / 2.0
        self.sigma_end = float(sigma_end)
        self.schedule = schedule
        self.batch_size = int(batch_size)
        self.seed = int(seed)

    @property
    def units(self) -> int:
        return self.rows * self.cols

    def unit_coordinates(self) -> np.ndarray:
        """``(units, 2)`` grid positions (row, column) of the units, row-major."""
        r, c = np.divmod(np.arange(self.units), self.cols)
        return np.stack([r, c], axis=1).astype("float32")

    def build(self, input_shape: Any) -> None:
        self.prototypes = self.add_weight(
            shape=(self.units, int(input_shape[-1])),
            initializer=keras.initializers.RandomNormal(stddev=0.1, seed=self.seed),
            trainable=False,
            name="prototypes",
        )

    def call(self, x: Any) -> Any:
        x = ops.cast(x, self.compute_dtype)
        sq = (
            ops.sum(ops.square(x), axis=-1, keepdims=True)
            - 2.0 * ops.matmul(x, ops.transpose(self.prototypes))
            + ops.sum(ops.square(self.prototypes), axis=-1)
        )
        return ops.relu(sq)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape[:-1], self.units)

    def _decay(self, start: float, end: float, progress: float) -> float:
        if self.schedule == "linear":
            return start + (end - start) * progress
        return start * (end / start) ** progress

    def initialise_from(self, inputs: np.ndarray) -> dict[str, float]:
        """Self-organise on ``inputs``; return the quantisation and topographic errors."""
        backend = keras.backend.backend()
        if backend not in SOM_BACKENDS:
            raise RuntimeError(
                f"the self-organising map's training supports the backends "
                f"{list(SOM_BACKENDS)}, but Keras runs on {backend!r}; change KERAS_BACKEND"
            )
        data = np.asarray(inputs, dtype="float32")
        rng = np.random.default_rng(self.seed)
        start = data[rng.choice(len(data), self.units, replace=len(data) < self.units)]
        self.prototypes.assign(start + rng.normal(0, 0.01, start.shape).astype("float32"))
        coords = self.unit_coordinates()
        grid_sq = ops.convert_to_tensor(((coords[:, None] - coords[None]) ** 2).sum(-1))
        batches = -(-len(data) // self.batch_size)
        total = max(1, self.epochs * batches - 1)
        step = 0
        for _ in range(self.epochs):
            order = rng.permutation(len(data))
            for begin in range(0, len(data), self.batch_size):
                x = ops.convert_to_tensor(data[order[begin : begin + self.batch_size]])
                sigma = self._decay(self.sigma, self.sigma_end, step / total)
                rate = self._decay(self.learning_rate, self.learning_rate * 0.01, step / total)
                bmu = ops.argmin(self.call(x), axis=-1)
                h = ops.exp(-ops.take(grid_sq, bmu, axis=0) / (2.0 * sigma**2))  # (n, units)
                pull = ops.matmul(ops.transpose(h), x) - ops.expand_dims(ops.sum(h, 0), 1) * (
                    self.prototypes
                )
                n = ops.cast(ops.shape(x)[0], "float32")
                self.prototypes.assign(self.prototypes + rate * pull / n)
                step += 1
        distances = np.asarray(ops.convert_to_numpy(self.call(ops.convert_to_tensor(data))))
        # on the training sample (training scores the validation split the same way)
        return {"train_quantisation_error": float(np.sqrt(distances.min(axis=1)).mean())}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rows": self.rows,
            "cols": self.cols,
            "epochs": self.epochs,
            "learning_rate": self.learning_rate,
            "sigma": self.sigma,
            "sigma_end": self.sigma_end,
            "schedule": self.schedule,
            "batch_size": self.batch_size,
            "seed": self.seed,
        }


def som(
    x: Any,
    *,
    rows: int,
    cols: int,
    epochs: int,
    learning_rate: float,
    sigma_end: float,
    schedule: str,
) -> Any:
    """A self-organising map; outputs the squared distances to its units."""
    return SelfOrganisingMap(
        rows,
        cols,
        epochs=epochs,
        learning_rate=learning_rate,
        sigma_end=sigma_end,
        schedule=schedule,
    )(x)
