"""Radial basis function networks: a layer of Gaussian units with trainable centres and widths.

The centres start at the k-means centroids of the training features (or at training rows
drawn at random) and each width at the spread of its cluster, through the data-driven
initialisation hook that training runs before fitting (``initialise_from``). The head of
the task (softmax, sigmoid or rescaled linear output) then reads the unit activations, as
in the classic RBF network; everything stays trainable by backpropagation afterwards.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="archsmith")
class RadialBasis(keras.layers.Layer):
    """``units`` Gaussian units ``exp(-gamma_j * ||x - c_j||^2)``.

    Args:
        units: number of centres.
        width_scale: multiplies the initial widths (sigma) found from the data.
        init: ``kmeans`` (centroids of k-means on the training features) or ``sample``
            (training rows drawn at random).
        normalise: divide the activations by their sum (normalised RBF network).
        seed: seed of k-means and of the row sample.
    """

    def __init__(
        self,
        units: int,
        width_scale: float = 1.0,
        init: str = "kmeans",
        normalise: bool = False,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if init not in ("kmeans", "sample"):
            raise ValueError(f"init must be 'kmeans' or 'sample', but got init={init!r}")
        self.units = int(units)
        self.width_scale = float(width_scale)
        self.init = init
        self.normalise = bool(normalise)
        self.seed = int(seed)

    def build(self, input_shape: Any) -> None:
        dim = int(input_shape[-1])
        self.centres = self.add_weight(
            shape=(self.units, dim),
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed),
            name="centres",
        )
        # standardised features: squared distances are about 2 * dim apart
        gamma = 1.0 / (2.0 * dim * self.width_scale**2)
        self.log_gamma = self.add_weight(
            shape=(self.units,),
            initializer=keras.initializers.Constant(math.log(gamma)),
            name="log_gamma",
        )

    def call(self, x: Any) -> Any:
        x = ops.cast(x, self.compute_dtype)
        sq = (
            ops.sum(ops.square(x), axis=-1, keepdims=True)
            - 2.0 * ops.matmul(x, ops.transpose(self.centres))
            + ops.sum(ops.square(self.centres), axis=-1)
        )
        phi = ops.exp(-ops.exp(self.log_gamma) * ops.relu(sq))
        if self.normalise:
            phi = phi / (ops.sum(phi, axis=-1, keepdims=True) + 1e-7)
        return phi

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape[:-1], self.units)

    def initialise_from(self, inputs: np.ndarray) -> dict[str, float]:
        """Centres from the training features, widths from the spread around each centre."""
        from sklearn.cluster import KMeans

        x = np.asarray(inputs, dtype="float64")
        rng = np.random.default_rng(self.seed)
        distinct = len(np.unique(x, axis=0))
        k = min(self.units, distinct)
        if self.init == "kmeans" and k >= 1:
            km = KMeans(n_clusters=k, n_init=1, random_state=self.seed).fit(x)
            centres, assign = km.cluster_centers_, km.labels_
        else:
            centres = x[rng.choice(len(x), k, replace=False)]
            assign = _nearest(x, centres)
        # sigma_j: root mean square distance of the rows nearest to centre j
        sq = ((x - centres[assign]) ** 2).sum(axis=1)
        counts = np.bincount(assign, minlength=k)
        sums = np.bincount(assign, weights=sq, minlength=k)
        spread = np.sqrt(np.divide(sums, counts, out=np.zeros(k), where=counts > 0))
        typical = float(np.median(spread[spread > 0])) if (spread > 0).any() else 1.0
        spread = np.where(spread > 0, spread, typical)
        if k < self.units:  # fewer distinct rows than units: repeat rows, jittered
            extra = x[rng.choice(len(x), self.units - k)] + rng.normal(
                0, 0.1, (self.units - k, x.shape[1])
            )
            centres = np.vstack([centres, extra])
            spread = np.concatenate([spread, np.full(self.units - k, typical)])
        sigma = spread * self.width_scale
        self.centres.assign(centres.astype("float32"))
        self.log_gamma.assign(np.log(1.0 / (2.0 * sigma**2)).astype("float32"))
        return {"mean_sq_distance": float(sq.mean()), "mean_sigma": float(sigma.mean())}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "width_scale": self.width_scale,
            "init": self.init,
            "normalise": self.normalise,
            "seed": self.seed,
        }


def _nearest(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    sq = (x**2).sum(1)[:, None] - 2 * x @ centres.T + (centres**2).sum(1)[None]
    return np.asarray(sq.argmin(axis=1))


def rbf(
    x: Any, *, units: int, width_scale: float, init: str, normalise: bool, dropout: float
) -> Any:
    """One layer of ``units`` Gaussian units (the task head follows, as in RBF networks)."""
    x = RadialBasis(units, width_scale=width_scale, init=init, normalise=normalise)(x)
    return keras.layers.Dropout(dropout)(x) if dropout > 0 else x
