"""CNN blocks: random augmentation and stacks of convolution blocks (images)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from archsmith.families._layers import BN_MOMENTUM
from archsmith.families._layers import check_image
from archsmith.families._layers import pool_image

#: the fixed views of test-time augmentation, in order (flips only where training flips)
_FLIPS: dict[str, tuple[str, ...]] = {
    "horizontal": ("flip_horizontal",),
    "vertical": ("flip_vertical",),
    "horizontal_and_vertical": ("flip_horizontal", "flip_vertical"),
}
_SHIFTS = ("shift_right", "shift_left", "shift_down", "shift_up")


def augment(
    x: Any,
    *,
    flip: str,
    rotation: float,
    zoom: float,
    contrast: float,
    translation: float,
    tta: int = 1,
) -> Any:
    """Random image transformations, active only in training (identity at inference).

    ``tta`` > 1: test-time augmentation. At inference the model's outputs are the mean of
    its outputs over the first ``tta`` of these views: the image, its flips (those ``flip``
    trains with), the image shifted by one pixel right, left, down and up
    (:class:`TTAViews`; the builder averages the head's outputs). Training is unchanged.
    """
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
    views = ("identity", *_FLIPS.get(flip, ()), *_SHIFTS)[:tta]
    return TTAViews(views)(x) if len(views) > 1 else x


def _view(x: Any, name: str) -> Any:
    """One fixed view of images ``(batch, height, width, channels)``; shifts repeat the
    edge row or column they uncover."""
    if name == "flip_horizontal":
        return ops.flip(x, axis=2)
    if name == "flip_vertical":
        return ops.flip(x, axis=1)
    if name == "shift_right":
        return ops.concatenate([x[:, :, :1], x[:, :, :-1]], axis=2)
    if name == "shift_left":
        return ops.concatenate([x[:, :, 1:], x[:, :, -1:]], axis=2)
    if name == "shift_down":
        return ops.concatenate([x[:, :1], x[:, :-1]], axis=1)
    if name == "shift_up":
        return ops.concatenate([x[:, 1:], x[:, -1:]], axis=1)
    return x


@keras.saving.register_keras_serializable(package="archsmith")
class TTAViews(keras.layers.Layer):
    """Test-time augmentation, first half: at inference, the batch of images followed by
    each fixed view of it (``(views * batch, ...)``); in training, the images unchanged.

    The builder closes the views after the task head (:meth:`close_views`: the mean of the
    head's outputs over the views, :class:`TTAMean`), so the exported ``.keras`` model
    predicts with them.

    Args:
        views: names of the views, the first ``identity``: ``flip_horizontal``,
            ``flip_vertical``, ``shift_right``, ``shift_left``, ``shift_down``, ``shift_up``.
    """

    def __init__(self, views: Any = ("identity",), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.views = tuple(str(v) for v in views)

    def call(self, x: Any, training: Any = None) -> Any:
        if training:
            return x
        return ops.concatenate([_view(x, name) for name in self.views], axis=0)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def close_views(self, outputs: Any) -> Any:
        """The mean of ``outputs`` (the head's, any structure) over this layer's views."""
        close = TTAMean(len(self.views))
        return keras.tree.map_structure(close, outputs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "views": list(self.views)}


@keras.saving.register_keras_serializable(package="archsmith")
class TTAMean(keras.layers.Layer):
    """Test-time augmentation, second half: at inference, ``(views * batch, ...)`` outputs
    -> their mean over the views ``(batch, ...)``; in training, the outputs unchanged."""

    def __init__(self, views: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.views = int(views)

    def call(self, y: Any, training: Any = None) -> Any:
        if training or self.views == 1:
            return y
        return ops.mean(ops.reshape(y, (self.views, -1, *y.shape[1:])), axis=0)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "views": self.views}


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
