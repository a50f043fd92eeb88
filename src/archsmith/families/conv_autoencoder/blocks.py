"""Convolutional autoencoder (optionally variational) for anomaly detection on images.

The ``conv_autoencoder`` block maps an image ``(H, W, C)`` through ``depth`` convolutional
levels, each halving the height and width, to a dense latent code, and back through as many
levels that double them, to an image of the input's shape: its output is the
reconstruction, which the ``anomaly_detection`` head compares with the (standardised) input
image. Images whose sides are not multiples of ``2**depth`` are zero-padded on the bottom
and right before the encoder and cropped back after the decoder.
"""

from __future__ import annotations

from typing import Any

import keras

from archsmith.families.autoencoder.blocks import LatentSample


def _conv(x: Any, filters: int, kernel: int, strides: int, act: str, bn: bool) -> Any:
    x = keras.layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=not bn)(x)
    if bn:
        x = keras.layers.BatchNormalization()(x)
    return keras.layers.Activation(act)(x)


def _deconv(x: Any, filters: int, kernel: int, upsample: str, act: str, bn: bool) -> Any:
    if upsample == "transpose":
        x = keras.layers.Conv2DTranspose(
            filters, kernel, strides=2, padding="same", use_bias=not bn
        )(x)
        if bn:
            x = keras.layers.BatchNormalization()(x)
        return keras.layers.Activation(act)(x)
    x = keras.layers.UpSampling2D(2)(x)
    return _conv(x, filters, kernel, 1, act, bn)


def conv_autoencoder(
    x: Any,
    *,
    depth: int,
    filters: int,
    kernel: int,
    downsample: str,
    upsample: str,
    latent: int,
    activation: str,
    batch_norm: bool,
    dropout: float,
    variational: bool,
    kl_weight: float = 1.0e-3,
) -> Any:
    """Conv encoder (``filters * 2**i`` per level), dense code, mirrored conv decoder.

    Args:
        x: images ``(batch, H, W, C)``.
        depth: levels on each side; each halves (encoder) or doubles (decoder) the sides.
        filters: filters of the first level, doubled at each deeper level.
        kernel: kernel size of every convolution.
        downsample: ``strides`` (stride-2 convolutions), ``max`` or ``avg`` (convolution,
            then 2x2 pooling).
        upsample: ``transpose`` (stride-2 ``Conv2DTranspose``) or ``upsampling`` (nearest
            2x ``UpSampling2D``, then a convolution).
        latent: width of the dense latent code.
        activation, batch_norm: of every convolution but the last (linear) one.
        dropout: dropout before the code.
        variational: sample the code (``LatentSample``: reparameterisation, KL term).
        kl_weight: weight of the KL term; only used when ``variational``.

    Returns:
        The reconstruction, of the input's shape.

    Raises:
        ValueError: the input is not a batch of images.
    """
    if len(x.shape) != 4:
        raise ValueError(
            f"conv_autoencoder needs images (batch, height, width, channels), but its input "
            f"has shape {tuple(x.shape)}; use the dense autoencoder for tables"
        )
    height, width, channels = (int(d) for d in x.shape[1:])
    step = 2**depth
    pad_h, pad_w = -height % step, -width % step
    h = x
    if pad_h or pad_w:
        h = keras.layers.ZeroPadding2D(((0, pad_h), (0, pad_w)))(h)
    for level in range(depth):
        size = filters * 2**level
        if downsample == "strides":
            h = _conv(h, size, kernel, 2, activation, batch_norm)
        else:
            h = _conv(h, size, kernel, 1, activation, batch_norm)
            if downsample == "max":
                h = keras.layers.MaxPooling2D(2)(h)
            else:
                h = keras.layers.AveragePooling2D(2)(h)
    code_shape = tuple(int(d) for d in h.shape[1:])
    h = keras.layers.Flatten()(h)
    if dropout > 0:
        h = keras.layers.Dropout(dropout)(h)
    if variational:
        mean = keras.layers.Dense(latent)(h)
        log_var = keras.layers.Dense(latent, kernel_initializer="zeros")(h)
        h = LatentSample(kl_weight)([mean, log_var])
    else:
        h = keras.layers.Dense(latent)(h)
    h = keras.layers.Dense(code_shape[0] * code_shape[1] * code_shape[2])(h)
    h = keras.layers.Activation(activation)(h)
    h = keras.layers.Reshape(code_shape)(h)
    for level in reversed(range(depth)):
        h = _deconv(h, filters * 2**level, kernel, upsample, activation, batch_norm)
    h = keras.layers.Conv2D(channels, kernel, padding="same")(h)
    if pad_h or pad_w:
        h = keras.layers.Cropping2D(((0, pad_h), (0, pad_w)))(h)
    return h
