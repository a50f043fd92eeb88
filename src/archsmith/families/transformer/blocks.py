"""The transformer block: encoder blocks with positions and a pooled output (sequences)."""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from archsmith.families._layers import check_sequence
from archsmith.families._layers import pool_sequence
from archsmith.families._layers import step_mask


@keras.saving.register_keras_serializable(package="archsmith")
class PositionEmbedding(keras.layers.Layer):
    """Adds a position signal to ``(batch, steps, dim)``: learned or sinusoidal.

    Args:
        mode: ``learned`` (a trained vector per position) or ``sinusoidal`` (fixed).
    """

    def __init__(self, mode: str = "learned", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mode = mode
        self.supports_masking = True  # positions are added step by step: a mask passes on

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
    ``flatten``. Padded series (``data.pad``): attention and pooling skip the padded steps.
    """
    check_sequence(x, "transformer")
    mask = step_mask(x)
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
    return pool_sequence(x, pooling, mask)
