"""Autoencoders (dense, optionally variational).

The ``autoencoder`` block maps the feature vector through an encoder down to a latent code
and a mirrored decoder back to the feature width: its output is the reconstruction. For
anomaly detection the task head (``archsmith.builders``) compares it with the features: the
model outputs each row's reconstruction error, and training minimises its mean over normal
rows. The convolutional autoencoder for images (``families/conv_autoencoder``) shares
:class:`LatentSample` and the head.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="archsmith")
class LatentSample(keras.layers.Layer):
    """Variational latent code: ``mean + exp(log_var / 2) * noise`` while training.

    In inference the code is the mean, so scores are deterministic. Adds
    ``kl_weight * KL(q(z|x) || N(0, I))`` (mean over rows) to the model's losses.

    Args:
        kl_weight: weight of the KL divergence term.
        seed: seed of the noise.
    """

    def __init__(self, kl_weight: float = 1.0, seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kl_weight = float(kl_weight)
        self.seed = int(seed)
        self.noise = keras.random.SeedGenerator(self.seed)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        mean, log_var = inputs
        log_var = ops.clip(log_var, -10.0, 10.0)
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(self.kl_weight * ops.mean(kl))
        if not training:
            return mean
        eps = keras.random.normal(ops.shape(mean), seed=self.noise)
        return mean + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "kl_weight": self.kl_weight, "seed": self.seed}


def _dense(x: Any, units: int, activation: str, dropout: float, batch_norm: bool) -> Any:
    x = keras.layers.Dense(units, use_bias=not batch_norm)(x)
    if batch_norm:
        x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Activation(activation)(x)
    return keras.layers.Dropout(dropout)(x) if dropout > 0 else x


def autoencoder(
    x: Any,
    *,
    layers: int,
    units: int,
    latent: int,
    activation: str,
    dropout: float,
    batch_norm: bool,
    variational: bool,
    kl_weight: float = 1.0e-3,
) -> Any:
    """Encoder widths ``units, units/2, …`` (at least ``latent``), a latent code, mirrored decoder.

    Returns the reconstruction, as wide as the block's input. ``kl_weight`` only applies
    when ``variational`` (a space may make it conditional on it).
    """
    width = int(x.shape[-1])
    widths = [max(latent, units // 2**i) for i in range(layers)]
    h = x
    for w in widths:
        h = _dense(h, w, activation, dropout, batch_norm)
    if variational:
        mean = keras.layers.Dense(latent)(h)
        log_var = keras.layers.Dense(latent, kernel_initializer="zeros")(h)
        h = LatentSample(kl_weight)([mean, log_var])
    else:
        h = keras.layers.Dense(latent)(h)
    for w in reversed(widths):
        h = _dense(h, w, activation, dropout, batch_norm)
    return keras.layers.Dense(width)(h)
