"""CNN blocks: random augmentation and stacks of convolution blocks (images)."""

from __future__ import annotations

from typing import Any

import keras

from archsmith.families._layers import BN_MOMENTUM
from archsmith.families._layers import check_image
from archsmith.families._layers import pool_image


def augment(
    x: Any, *, flip: str, rotation: float, zoom: float, contrast: float, translation: float
) -> Any:
    """Random image transformations, active only in training (identity at inference)."""
    check_image(x, "augment")
    if flip != "none":
        x = keras.layers.RandomFlip(flip)(x)
    if rotation > 0:
        x = keras.layers.RandomRotation(rotation, fill_mode="nearest")(x)
    if zoom > 0:
        x = keras.layers.RandomZoom(zoom, fill_mode="nearest")(x)
    if translation > 0:
        x = keras.layers.RandomTranslation(translation, translation, fill_mode="nearest")(x)
    if contrast > 0:
        # images are standardised before this block: no clipping to a pixel range
        x = keras.layers.RandomContrast(contrast, value_range=(-1e6, 1e6))(x)
    return x


def conv_stack(
    x: Any,
    *,
    blocks: int,
    filters: int,
    growth: float,
    kernel: int,
    convs: int,
    pooling: str,
    batch_norm: bool,
    dropout: float,
    activation: str,
    global_pool: str,
) -> Any:
    """``blocks`` x [``convs`` x (Conv2D -> BN -> act) -> pool -> dropout] -> global pool.

    Block ``b`` has ``filters * growth**b`` filters; pooling stops once the feature map is
    1 pixel wide.
    """
    check_image(x, "conv_stack")
    for b in range(blocks):
        width = max(1, round(filters * growth**b))
        for _ in range(convs):
            x = keras.layers.Conv2D(width, kernel, padding="same", use_bias=not batch_norm)(x)
            if batch_norm:
                x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
            x = keras.layers.Activation(activation)(x)
        if pooling != "none" and min(x.shape[1], x.shape[2]) >= 2:
            pool = keras.layers.MaxPooling2D if pooling == "max" else keras.layers.AveragePooling2D
            x = pool(2)(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout)(x)
    return pool_image(x, global_pool)
