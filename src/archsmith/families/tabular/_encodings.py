"""Encodings of the numeric columns of a table, inside the model, chosen by the space.

The ``numeric_encoding`` block comes first in a tabular model. It receives the feature
vector that the input layers build (``_build._inputs``): the standardised numeric columns
first (missing values at the mean), then the 0/1 "was missing" flags and the categories
(one-hot or embedded). It encodes the numeric columns and passes the rest through:

- ``standard``: as they are (standardised, today's default);
- ``robust``: ``(x - median) / IQR`` then smooth clipping ``x / sqrt(1 + (x / 3)^2)``
  (RealMLP's preprocessing, Holzmüller et al. 2024);
- ``quantile``: the empirical CDF of the training values, mapped to a standard normal;
- ``ple``: piecewise-linear encoding on bins at the training quantiles (Gorishniy et al.
  2022, "On Embeddings for Numerical Features in Tabular Deep Learning");
- ``periodic``: learned frequencies, ``[cos, sin](2 pi c x)``, then linear + ReLU per
  column (the PLR embedding of the same paper).

Quantiles, medians and bins are computed from the training rows by the data-driven
initialisation hook that training runs before fitting (``initialise_from``) and kept as
non-trainable weights, so they are saved in the ``.keras`` file. Everything is written with
``keras.ops`` and registered as serializable: models reload in safe mode on every backend.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
from keras import ops

#: a bound that stands for "no clipping" (kept finite so weights stay finite)
_FAR = 1.0e9


def _numeric_count(schema: Any, width: int) -> int:
    """How many leading features are the standardised numeric columns."""
    numeric = getattr(schema, "numeric", None)
    return width if numeric is None else min(len(numeric), width)


def quantile_edges(x: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges at the quantiles of each column, duplicates removed, padded to ``bins + 1``.

    Returns ``(edges, valid)``: edges ``(columns, bins + 1)`` in increasing order (a column
    with fewer distinct quantiles repeats its last edge) and ``valid`` ``(columns, bins)``,
    1 for bins of positive width.
    """
    cols = x.shape[1]
    edges = np.zeros((cols, bins + 1), dtype="float32")
    valid = np.zeros((cols, bins), dtype="float32")
    for j in range(cols):
        column = x[:, j][np.isfinite(x[:, j])]
        if column.size == 0:
            continue
        found = np.unique(np.quantile(column, np.linspace(0.0, 1.0, bins + 1)))
        edges[j, : found.size] = found
        edges[j, found.size :] = found[-1]
        valid[j, : found.size - 1] = 1.0
    return edges, valid


class _NumericPart(keras.layers.Layer):
    """Base: encode the first ``numeric`` features, pass the others through."""

    def __init__(self, numeric: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.numeric = int(numeric)

    def encoded_width(self) -> int:
        return self.numeric

    def encode(self, x: Any) -> Any:
        raise NotImplementedError

    def call(self, x: Any) -> Any:
        x = ops.cast(x, self.compute_dtype)
        if self.numeric == 0:
            return x
        coded = self.encode(x[:, : self.numeric])
        if x.shape[-1] == self.numeric:
            return coded
        return ops.concatenate([coded, x[:, self.numeric :]], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape[:-1], input_shape[-1] - self.numeric + self.encoded_width())

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "numeric": self.numeric}


class _BinnedPart(_NumericPart):
    """A numeric part whose bins come from the training quantiles."""

    def __init__(self, numeric: int, bins: int, **kwargs: Any) -> None:
        super().__init__(numeric, **kwargs)
        self.bins = int(bins)

    def build(self, input_shape: Any) -> None:
        grid = np.linspace(-2.0, 2.0, self.bins + 1, dtype="float32")  # until initialised
        self.edges = self.add_weight(
            shape=(self.numeric, self.bins + 1),
            initializer=keras.initializers.Constant(np.tile(grid, (self.numeric, 1))),
            trainable=False,
            name="edges",
        )
        self.valid = self.add_weight(
            shape=(self.numeric, self.bins),
            initializer="ones",
            trainable=False,
            name="valid",
        )

    def initialise_from(self, inputs: np.ndarray, **_: Any) -> dict[str, float]:
        """Bins at the quantiles of the training values of each numeric column."""
        edges, valid = quantile_edges(np.asarray(inputs)[:, : self.numeric], self.bins)
        self.edges.assign(edges)
        self.valid.assign(valid)
        return {}

    def fractions(self, x: Any) -> Any:
        """``(rows, numeric, bins)``: where each value lies in each bin (unclipped)."""
        left = self.edges[:, :-1]
        width = ops.maximum(self.edges[:, 1:] - left, 1e-9)
        return (ops.expand_dims(x, -1) - left) / width

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "bins": self.bins}


@keras.saving.register_keras_serializable(package="archsmith")
class PiecewiseLinearEncoding(_BinnedPart):
    """Each numeric value -> ``bins`` components: 1 for bins below it, 0 above, the fraction
    inside its own bin; the first bin extends below the lowest edge and the last valid bin
    above the highest. Bins of zero width (repeated quantiles) give 0.

    Args:
        numeric: number of leading numeric features.
        bins: bins per column (fewer where a column has fewer distinct quantiles).
    """

    def encoded_width(self) -> int:
        return self.numeric * self.bins

    def encode(self, x: Any) -> Any:
        t = self.fractions(x)
        index = ops.arange(self.bins, dtype=self.compute_dtype)
        last = ops.sum(self.valid, axis=-1, keepdims=True) - 1.0  # last valid bin
        lower = ops.where(index == 0.0, -_FAR, 0.0)
        upper = ops.where(index == last, _FAR, 1.0)
        t = ops.minimum(ops.maximum(t, lower), upper) * self.valid
        return ops.reshape(t, (-1, self.numeric * self.bins))


@keras.saving.register_keras_serializable(package="archsmith")
class QuantileScaling(_BinnedPart):
    """Each numeric value -> its training quantile (piecewise linear between ``bins + 1``
    quantiles), mapped to a standard normal and so bounded by about +-3.1.

    Args:
        numeric: number of leading numeric features.
        bins: quantiles per column.
    """

    def encode(self, x: Any) -> Any:
        t = ops.clip(self.fractions(x), 0.0, 1.0) * self.valid
        count = ops.sum(self.valid, axis=-1)
        u = ops.sum(t, axis=-1) / ops.maximum(count, 1.0)
        z = math.sqrt(2.0) * ops.erfinv(ops.clip(2.0 * u - 1.0, -0.998, 0.998))
        return ops.where(count > 0.0, z, 0.0)


@keras.saving.register_keras_serializable(package="archsmith")
class RobustScaling(_NumericPart):
    """``(x - median) / IQR`` per numeric column, then smooth clipping of outliers:
    ``x / sqrt(1 + (x / 3)^2)`` (near identity in the bulk, bounded by +-3).

    A column whose quartiles coincide is scaled by half its range instead (RealMLP's rule),
    a constant column becomes 0.

    Args:
        numeric: number of leading numeric features.
    """

    def build(self, input_shape: Any) -> None:
        self.center = self.add_weight(
            shape=(self.numeric,), initializer="zeros", trainable=False, name="center"
        )
        self.scale = self.add_weight(
            shape=(self.numeric,), initializer="ones", trainable=False, name="scale"
        )

    def initialise_from(self, inputs: np.ndarray, **_: Any) -> dict[str, float]:
        """Median and inverse interquartile range of the training values."""
        x = np.asarray(inputs, dtype="float64")[:, : self.numeric]
        q25, median, q75 = np.nanquantile(x, [0.25, 0.5, 0.75], axis=0)
        spread = np.nanmax(x, axis=0) - np.nanmin(x, axis=0)
        iqr = np.where(q75 > q25, q75 - q25, 0.5 * spread)
        scale = np.divide(1.0, iqr, out=np.zeros_like(iqr), where=iqr > 0)
        self.center.assign(np.nan_to_num(median).astype("float32"))
        self.scale.assign(np.nan_to_num(scale).astype("float32"))
        return {}

    def encode(self, x: Any) -> Any:
        z = (x - self.center) * self.scale
        return z / ops.sqrt(1.0 + ops.square(z / 3.0))


@keras.saving.register_keras_serializable(package="archsmith")
class PeriodicEmbedding(_NumericPart):
    """PLR embedding per numeric column: ``relu(W_j [cos, sin](2 pi c_j x_j) + b_j)``.

    Args:
        numeric: number of leading numeric features.
        frequencies: learned frequencies per column (``c_j``, drawn from N(0, sigma)).
        sigma: standard deviation of the initial frequencies.
        dim: size of each column's embedding.
    """

    def __init__(
        self, numeric: int, frequencies: int, sigma: float, dim: int, **kwargs: Any
    ) -> None:
        super().__init__(numeric, **kwargs)
        self.frequencies = int(frequencies)
        self.sigma = float(sigma)
        self.dim = int(dim)

    def build(self, input_shape: Any) -> None:
        self.c = self.add_weight(
            shape=(self.numeric, self.frequencies),
            initializer=keras.initializers.RandomNormal(stddev=self.sigma),
            name="frequencies",
        )
        fan_in = 2 * self.frequencies
        self.w = self.add_weight(
            shape=(self.numeric, fan_in, self.dim),
            initializer=keras.initializers.RandomUniform(-(fan_in**-0.5), fan_in**-0.5),
            name="kernel",
        )
        self.b = self.add_weight(
            shape=(self.numeric, self.dim),
            initializer=keras.initializers.RandomUniform(-(fan_in**-0.5), fan_in**-0.5),
            name="bias",
        )

    def encoded_width(self) -> int:
        return self.numeric * self.dim

    def encode(self, x: Any) -> Any:
        angle = 2.0 * math.pi * self.c * ops.expand_dims(x, -1)  # (rows, numeric, freq)
        v = ops.concatenate([ops.cos(angle), ops.sin(angle)], axis=-1)
        h = ops.relu(ops.einsum("rnf,nfd->rnd", v, self.w) + self.b)
        return ops.reshape(h, (-1, self.numeric * self.dim))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "frequencies": self.frequencies,
            "sigma": self.sigma,
            "dim": self.dim,
        }


def numeric_encoding(
    x: Any,
    *,
    schema: Any,
    method: str,
    bins: int = 32,
    frequencies: int = 32,
    sigma: float = 0.1,
    dim: int = 16,
) -> Any:
    """Encode the numeric columns of the feature vector (see the module docstring)."""
    numeric = _numeric_count(schema, int(x.shape[-1]))
    if method == "standard" or numeric == 0:
        return x
    name = "archsmith_numeric_encoding"
    if method == "robust":
        return RobustScaling(numeric, name=name)(x)
    if method == "quantile":
        return QuantileScaling(numeric, bins, name=name)(x)
    if method == "ple":
        return PiecewiseLinearEncoding(numeric, bins, name=name)(x)
    if method == "periodic":
        return PeriodicEmbedding(numeric, frequencies, sigma, dim, name=name)(x)
    raise ValueError(
        f"method must be one of standard, robust, quantile, ple, periodic, but got {method!r}"
    )
