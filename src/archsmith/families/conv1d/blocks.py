"""The 1-D convolutional block: FCN or ResNet-1D, pooled over time (sequences)."""

from __future__ import annotations

from typing import Any

import keras

from archsmith.families._layers import BN_MOMENTUM
from archsmith.families._layers import check_sequence
from archsmith.families._layers import pool_sequence
from archsmith.families._layers import step_mask
from archsmith.families._layers import zero_padding


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

    Padded series (``data.pad``): batch norm and pooling over the real steps, the padded
    steps zeroed after each convolution (a series pools as it does unpadded).
    """
    check_sequence(x, "conv1d")
    mask = step_mask(x)
    x = zero_padding(x, mask)

    def conv(h: Any, size: int) -> Any:
        h = keras.layers.Conv1D(filters, size, padding="same", use_bias=not batch_norm)(h)
        if batch_norm:
            h = keras.layers.BatchNormalization(momentum=BN_MOMENTUM)(h, mask=mask)
        return h

    for _ in range(blocks):
        if style == "fcn":
            x = zero_padding(keras.layers.Activation(activation)(conv(x, kernel)), mask)
        else:
            h = x
            for size in (kernel, kernel // 2 + 1, 3):
                h = zero_padding(keras.layers.Activation(activation)(conv(h, size)), mask)
            shortcut = x if x.shape[-1] == filters else conv(x, 1)
            x = keras.layers.Activation(activation)(keras.layers.Add()([shortcut, h]))
            x = zero_padding(x, mask)
        if dropout > 0:
            x = keras.layers.Dropout(dropout)(x)
    return pool_sequence(x, pooling, mask)
