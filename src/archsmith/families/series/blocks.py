"""Time-series classification blocks in their published shapes ``(batch, steps, channels)``.

- ``series_norm``: z-normalisation of each series inside the model (per series), or the
  dataset-level standardisation of the input layer alone (per dataset), or per series for
  univariate and per dataset for multivariate series (auto);
- ``fcn``: the fully convolutional network of Wang et al. 2017 (three Conv1D -> BN -> ReLU
  layers, 128-256-128 filters, kernels 8-5-3, global average pooling);
- ``resnet1d``: the residual network of Wang et al. 2017 (three residual blocks of three
  convolutions, kernels 8-5-3, 64-128-128 filters, shortcuts, global average pooling);
- ``inception``: the InceptionTime network of Ismail Fawaz et al. 2020 (modules of a 1x1
  bottleneck, three wide convolutions and a pooled 1x1 branch, a shortcut every three
  modules, global average pooling).

Padded series (``data.pad``): the blocks carry the padding mask past their convolutions
(Keras' ``Conv1D`` drops it): batch norms over the real steps, padded steps zeroed after each
convolution, pooling over the real steps.

The shapes follow the reference code of Fawaz et al. 2019 ("Deep learning for time series
classification: a review") and Ismail Fawaz et al. 2020 ("InceptionTime").
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from archsmith.families._layers import pool_sequence
from archsmith.families._layers import step_mask
from archsmith.families._layers import zero_padding


def _check_series(x: Any, block: str) -> None:
    if len(x.shape) != 3:
        raise ValueError(
            f"{block} takes sequences (batch, steps, channels), but got a tensor of shape "
            f"{tuple(x.shape)}; use it in a space for: [sequence]"
        )


@keras.saving.register_keras_serializable(package="archsmith")
class SeriesNormalization(keras.layers.Layer):
    """Z-normalise each series over time, channel by channel: ``(x - mean) / std``.

    A shifted and (positively) scaled copy of a series gives the same output, so the model's
    prediction depends on the shape of a series only, as with the z-normalised UCR data.
    Constant channels become zeros (``epsilon`` under the square root).
    """

    def __init__(self, epsilon: float = 1e-8, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.supports_masking = True

    def call(self, x: Any, mask: Any = None) -> Any:
        if mask is None:
            mean = ops.mean(x, axis=1, keepdims=True)
            centred = x - mean
            std = ops.sqrt(ops.mean(ops.square(centred), axis=1, keepdims=True) + self.epsilon)
            return centred / std
        # padded series (data.pad): the statistics of the real steps, zeros at the padding
        w = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        n = ops.maximum(ops.sum(w, axis=1, keepdims=True), 1.0)
        mean = ops.sum(x * w, axis=1, keepdims=True) / n
        centred = (x - mean) * w
        std = ops.sqrt(ops.sum(ops.square(centred), axis=1, keepdims=True) / n + self.epsilon)
        return centred / std

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon}


def series_norm(x: Any, *, mode: str, schema: Any = None) -> Any:
    """``series``: z-normalise each series (:class:`SeriesNormalization`); ``dataset``: keep
    the input layer's standardisation by the training set's per-channel statistics;
    ``none``: undo that standardisation (the raw values, e.g. where the level matters);
    ``auto``: ``series`` for univariate series (one channel), ``dataset`` for multivariate
    ones, the preprocessing of the published results (Fawaz et al. 2019 z-normalise each
    univariate UCR series and take the multivariate archive as it is: per-series
    normalisation of each channel drops the levels that tell JapaneseVowels' speakers apart).
    """
    _check_series(x, "series_norm")
    if mode == "auto":
        mode = "series" if x.shape[-1] == 1 else "dataset"
    if mode == "series":
        return SeriesNormalization(name="archsmith_series_normalization")(x)
    if mode == "none" and schema is not None and len(getattr(schema, "mean", ())) > 0:
        return keras.layers.Normalization(
            axis=-1,
            mean=list(schema.mean),
            variance=[s * s for s in schema.std],
            invert=True,
            name="archsmith_series_raw",
        )(x)
    return x


def _conv_bn(x: Any, filters: int, kernel: int, mask: Any, activation: str | None = "relu") -> Any:
    """Conv1D -> BN (-> activation); with the ``mask`` of padded series (:func:`step_mask`),
    BN's statistics over the real steps and the padded steps zeroed after."""
    x = keras.layers.Conv1D(filters, kernel, padding="same")(x)
    x = keras.layers.BatchNormalization()(x, mask=mask)
    x = keras.layers.Activation(activation)(x) if activation else x
    return zero_padding(x, mask)


def _start(x: Any, block: str) -> tuple[Any, Any]:
    """The series and, for padded series, their mask as a tensor (Keras' ``Conv1D`` drops
    masks: the blocks carry it to their batch norms and pooling themselves)."""
    _check_series(x, block)
    mask = step_mask(x)
    return zero_padding(x, mask), mask


def _kernels(kernel: int) -> tuple[int, int, int]:
    """The three kernel sizes of a block: ``kernel`` 8 gives the published 8-5-3."""
    return kernel, max(1, kernel - 3), max(1, kernel - 5)


def fcn(x: Any, *, filters: int, kernel: int, dropout: float) -> Any:
    """FCN: Conv1D -> BN -> ReLU with ``filters``, ``2 * filters``, ``filters`` filters and
    kernels ``kernel``, ``kernel - 3``, ``kernel - 5`` (published: 128 and 8), averaged."""
    x, mask = _start(x, "fcn")
    for width, size in zip((filters, 2 * filters, filters), _kernels(kernel), strict=True):
        x = _conv_bn(x, width, size, mask)
    x = pool_sequence(x, "avg", mask)
    return keras.layers.Dropout(dropout)(x) if dropout > 0 else x


def resnet1d(x: Any, *, blocks: int, filters: int, kernel: int, dropout: float) -> Any:
    """ResNet: ``blocks`` residual blocks of three Conv1D -> BN (-> ReLU) with kernels
    ``kernel``, ``kernel - 3``, ``kernel - 5``; ``filters`` in the first block, twice that
    after (published: 3 blocks, 64-128-128, kernel 8); a 1x1 convolution + BN shortcut where
    the width changes, BN otherwise; global average pooling."""
    x, mask = _start(x, "resnet1d")
    for i in range(blocks):
        width = filters if i == 0 else 2 * filters
        h = x
        for j, size in enumerate(_kernels(kernel)):
            h = _conv_bn(h, width, size, mask, activation="relu" if j < 2 else None)
        if x.shape[-1] == width:
            shortcut = zero_padding(keras.layers.BatchNormalization()(x, mask=mask), mask)
        else:
            shortcut = _conv_bn(x, width, 1, mask, activation=None)
        x = keras.layers.Activation("relu")(keras.layers.Add()([shortcut, h]))
    x = pool_sequence(x, "avg", mask)
    return keras.layers.Dropout(dropout)(x) if dropout > 0 else x


def _inception_module(x: Any, filters: int, kernel: int, bottleneck: int, mask: Any) -> Any:
    h = x
    if bottleneck > 0 and x.shape[-1] > 1:
        h = keras.layers.Conv1D(bottleneck, 1, padding="same", use_bias=False)(x)
    sizes = (kernel, max(1, kernel // 2), max(1, kernel // 4))
    branches = [
        keras.layers.Conv1D(filters, size, padding="same", use_bias=False)(h) for size in sizes
    ]
    pooled = keras.layers.MaxPooling1D(3, strides=1, padding="same")(x)
    branches.append(keras.layers.Conv1D(filters, 1, padding="same", use_bias=False)(pooled))
    h = keras.layers.Concatenate(axis=-1)(branches)
    h = keras.layers.BatchNormalization()(h, mask=mask)
    return zero_padding(keras.layers.Activation("relu")(h), mask)


def inception(
    x: Any, *, depth: int, filters: int, kernel: int, bottleneck: int, residual: bool
) -> Any:
    """InceptionTime: ``depth`` Inception modules (a ``bottleneck`` 1x1 convolution, three
    convolutions of kernels ``kernel``, ``kernel // 2``, ``kernel // 4`` and a max-pooled 1x1
    branch, ``filters`` each, concatenated, BN, ReLU), a shortcut every three modules,
    global average pooling (published: depth 6, 32 filters, kernel 40, bottleneck 32)."""
    x, mask = _start(x, "inception")
    start = x
    for d in range(depth):
        x = _inception_module(x, filters, kernel, bottleneck, mask)
        if residual and d % 3 == 2:
            shortcut = _conv_bn(start, int(x.shape[-1]), 1, mask, activation=None)
            x = keras.layers.Activation("relu")(keras.layers.Add()([shortcut, x]))
            start = x
    return pool_sequence(x, "avg", mask)
