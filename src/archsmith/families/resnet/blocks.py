"""The ResNet block: a stem convolution and stages of basic residual blocks (images)."""

from __future__ import annotations

from typing import Any

import keras

from archsmith.families._layers import BN_MOMENTUM
from archsmith.families._layers import check_image
from archsmith.families._layers import pool_image


def resnet_stages(
    x: Any,
    *,
    stages: int,
    blocks: int,
    filters: int,
    kernel: int,
    batch_norm: bool,
    dropout: float,
    activation: str,
    global_pool: str,
) -> Any:
    """A ResNet: a stem convolution, then ``stages`` stages of ``blocks`` basic residual blocks.

    Stage ``s`` has ``filters * 2**s`` filters and halves the feature map (stride 2) at its
    first block while the map is at least 2 pixels wide.
    """
    check_image(x, "resnet_stages")

    def norm(h: Any) -> Any:
        return keras.layers.BatchNormalization(momentum=BN_MOMENTUM)(h) if batch_norm else h

    x = keras.layers.Conv2D(filters, kernel, padding="same", use_bias=not batch_norm)(x)
    x = keras.layers.Activation(activation)(norm(x))
    for s in range(stages):
        width = filters * 2**s
        for b in range(blocks):
            stride = 2 if s > 0 and b == 0 and min(x.shape[1], x.shape[2]) >= 2 else 1
            h = keras.layers.Conv2D(width, kernel, strides=stride, padding="same")(x)
            h = keras.layers.Activation(activation)(norm(h))
            h = norm(keras.layers.Conv2D(width, kernel, padding="same")(h))
            shortcut = x
            if stride != 1 or x.shape[-1] != width:
                shortcut = keras.layers.Conv2D(width, 1, strides=stride, padding="same")(x)
            x = keras.layers.Activation(activation)(keras.layers.Add()([shortcut, h]))
            if dropout > 0:
                x = keras.layers.Dropout(dropout)(x)
    return pool_image(x, global_pool)
