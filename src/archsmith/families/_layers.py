"""Helpers shared by the blocks of several families (Keras): input checks and pooling."""

from __future__ import annotations

from typing import Any

import keras

from archsmith.datasets import ArraySchema

#: batch-norm moving averages settle within the few hundred steps of small-data trials
BN_MOMENTUM = 0.9


def check_image(x: Any, block: str) -> None:
    """Raise unless ``x`` is a batch of images ``(batch, height, width, channels)``."""
    if len(x.shape) != 4:
        raise ValueError(
            f"{block} takes images (batch, height, width, channels), but got a tensor of shape "
            f"{tuple(x.shape)}; use it in a space for: [image]"
        )


def pool_image(x: Any, how: str) -> Any:
    """A feature map -> one vector per image: ``avg``, ``max`` or ``flatten``."""
    if how == "max":
        return keras.layers.GlobalMaxPooling2D()(x)
    if how == "flatten":
        return keras.layers.Flatten()(x)
    return keras.layers.GlobalAveragePooling2D()(x)


def check_sequence(x: Any, block: str) -> None:
    """Raise unless ``x`` is a batch of sequences ``(batch, steps, channels)``."""
    if len(x.shape) != 3:
        raise ValueError(
            f"{block} takes sequences (batch, steps, channels), but got a tensor of shape "
            f"{tuple(x.shape)}; use it in a space for: [sequence] (or after text_embedding)"
        )


def pool_sequence(x: Any, how: str) -> Any:
    """A sequence -> one vector per example: ``avg``, ``max``, ``last`` or ``flatten``."""
    if how == "max":
        return keras.layers.GlobalMaxPooling1D()(x)
    if how == "flatten":
        return keras.layers.Flatten()(x)
    if how == "last":
        return LastStep()(x)
    return keras.layers.GlobalAveragePooling1D()(x)


@keras.saving.register_keras_serializable(package="archsmith")
class LastStep(keras.layers.Layer):
    """The last step of a sequence: ``(batch, steps, dim)`` -> ``(batch, dim)``."""

    def call(self, x: Any) -> Any:
        return x[:, -1, :]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], input_shape[-1])


def check_text(x: Any, schema: Any, block: str) -> ArraySchema:
    """The text schema of a block that must read the raw text input first."""
    if not isinstance(schema, ArraySchema) or schema.kind != "text":
        raise ValueError(f"{block} takes texts; use it in a space for: [text]")
    if "string" not in str(x.dtype):
        raise ValueError(f"{block} must be the first block: it takes the raw text input")
    return schema
