"""Sequence blocks ``(batch, steps, channels)``: recurrent, 1-D convolutional, transformer."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import keras
from keras import ops

_CELLS = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def _check_sequence(x: Any, block: str) -> None:
    if len(x.shape) != 3:
        raise ValueError(
            f"{block} takes sequences (batch, steps, channels), but got a tensor of shape "
            f"{tuple(x.shape)}; use it in a space for: [sequence] (or after text_embedding)"
        )


def rnn(
    x: Any,
    *,
    cell: str,
    units: int,
    layers: int,
    bidirectional: bool,
    dropout: float,
    recurrent_dropout: float,
) -> Any:
    """``layers`` stacked recurrent layers (SimpleRNN, LSTM or GRU); the last one's state."""
    _check_sequence(x, "rnn")
    factory = getattr(keras.layers, _CELLS[cell])
    for i in range(layers):
        layer = factory(
            units,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            return_sequences=i < layers - 1,
        )
        x = keras.layers.Bidirectional(layer)(x) if bidirectional else layer(x)
    return x


def conv1d(
    x: Any,
    *,
    style: str,
    filters: int,
    kernel: int,
    blocks: int,
    batch_norm: bool,
    dropout: float,
    activation: str,
    pooling: str = "avg",
) -> Any:
    """A fully convolutional network (``fcn``) or a ResNet-1D (``resnet``), pooled.

    ``pooling``: ``avg`` or ``max`` over time (classification), or ``flatten`` (keeps where
    things happened: forecasting).

    ``fcn``: ``blocks`` x (Conv1D -> BN -> act). ``resnet``: ``blocks`` residual blocks of
    three convolutions (kernels ``kernel``, ``kernel // 2 + 1``, 3) with a 1x1 shortcut.
    """
    _check_sequence(x, "conv1d")

    def conv(h: Any, size: int) -> Any:
        h = keras.layers.Conv1D(filters, size, padding="same", use_bias=not batch_norm)(h)
        if batch_norm:
            h = keras.layers.BatchNormalization(momentum=0.9)(h)
        return h

    for _ in range(blocks):
        if style == "fcn":
            x = keras.layers.Activation(activation)(conv(x, kernel))
        else:
            h = x
            for size in (kernel, kernel // 2 + 1, 3):
                h = keras.layers.Activation(activation)(conv(h, size))
            shortcut = x if x.shape[-1] == filters else conv(x, 1)
            x = keras.layers.Activation(activation)(keras.layers.Add()([shortcut, h]))
        if dropout > 0:
            x = keras.layers.Dropout(dropout)(x)
    return _pool(x, pooling)


def _pool(x: Any, how: str) -> Any:
    if how == "max":
        return keras.layers.GlobalMaxPooling1D()(x)
    if how == "flatten":
        return keras.layers.Flatten()(x)
    if how == "last":
        return LastStep()(x)
    return keras.layers.GlobalAveragePooling1D()(x)


@keras.saving.register_keras_serializable(package="archsmith")
class PositionEmbedding(keras.layers.Layer):
    """Adds a position signal to ``(batch, steps, dim)``: learned or sinusoidal.

    Args:
        mode: ``learned`` (a trained vector per position) or ``sinusoidal`` (fixed).
    """

    def __init__(self, mode: str = "learned", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mode = mode

    def build(self, input_shape: Any) -> None:
        steps, dim = int(input_shape[-2]), int(input_shape[-1])
        if self.mode == "learned":
            self.table = self.add_weight(
                shape=(steps, dim), initializer="random_normal", name="positions"
            )
        else:
            position = [[p] for p in range(steps)]
            rates = [1.0 / math.pow(10000.0, (2 * (i // 2)) / dim) for i in range(dim)]
            angles = [[p[0] * r for r in rates] for p in position]
            table = [
                [math.sin(a) if i % 2 == 0 else math.cos(a) for i, a in enumerate(row)]
                for row in angles
            ]
            self.table = ops.convert_to_tensor(table, dtype="float32")

    def call(self, x: Any) -> Any:
        return x + ops.cast(self.table, x.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="archsmith")
class LastStep(keras.layers.Layer):
    """The last step of a sequence: ``(batch, steps, dim)`` -> ``(batch, dim)``."""

    def call(self, x: Any) -> Any:
        return x[:, -1, :]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], input_shape[-1])


def transformer(
    x: Any,
    *,
    blocks: int,
    heads: int,
    key_dim: int,
    ff_units: int,
    dropout: float,
    positional: str,
    pooling: str,
) -> Any:
    """A transformer encoder: projection to ``heads * key_dim``, positions, ``blocks`` blocks.

    Each block: LayerNorm -> multi-head self-attention -> residual, LayerNorm -> feed-forward
    (``ff_units``, GELU) -> residual (pre-norm). ``pooling``: ``avg``, ``max``, ``last`` or
    ``flatten``.
    """
    _check_sequence(x, "transformer")
    width = heads * key_dim
    x = keras.layers.Dense(width)(x)
    if positional != "none":
        x = PositionEmbedding(positional)(x)
    for _ in range(blocks):
        h = keras.layers.LayerNormalization(epsilon=1e-6)(x)
        h = keras.layers.MultiHeadAttention(heads, key_dim, dropout=dropout)(h, h)
        x = keras.layers.Add()([x, keras.layers.Dropout(dropout)(h)])
        h = keras.layers.LayerNormalization(epsilon=1e-6)(x)
        h = keras.layers.Dense(ff_units, activation="gelu")(h)
        h = keras.layers.Dense(width)(keras.layers.Dropout(dropout)(h))
        x = keras.layers.Add()([x, h])
    x = keras.layers.LayerNormalization(epsilon=1e-6)(x)
    return _pool(x, pooling)


SEQUENCE_BLOCKS: dict[str, Callable[..., Any]] = {
    "rnn": rnn,
    "conv1d": conv1d,
    "transformer": transformer,
}
