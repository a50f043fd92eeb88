"""Blocks for flat feature vectors: dense stacks and residual MLPs."""

from __future__ import annotations

from typing import Any

import keras


def _activation(name: str) -> keras.layers.Layer:
    return keras.layers.Activation(name)


def dense_stack(
    x: Any, *, layers: int, units: int, activation: str, dropout: float, batch_norm: bool, l2: float
) -> Any:
    """``layers`` x [Dense -> (BatchNorm) -> activation -> (Dropout)]."""
    reg = keras.regularizers.L2(l2) if l2 > 0 else None
    for _ in range(layers):
        x = keras.layers.Dense(units, use_bias=not batch_norm, kernel_regularizer=reg)(x)
        if batch_norm:
            x = keras.layers.BatchNormalization()(x)
        x = _activation(activation)(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout)(x)
    return x


def residual_dense(
    x: Any, *, blocks: int, units: int, activation: str, dropout: float, batch_norm: bool
) -> Any:
    """A projection to ``units`` then ``blocks`` pre-activation residual blocks."""
    x = keras.layers.Dense(units)(x)
    for _ in range(blocks):
        h = x
        for _ in range(2):
            if batch_norm:
                h = keras.layers.BatchNormalization()(h)
            h = _activation(activation)(h)
            if dropout > 0:
                h = keras.layers.Dropout(dropout)(h)
            h = keras.layers.Dense(units)(h)
        x = keras.layers.Add()([x, h])
    return _activation(activation)(x)
