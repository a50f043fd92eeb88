"""Helpers shared by the blocks of several families (Keras): input checks and pooling."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

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


def pool_sequence(x: Any, how: str, mask: Any = None) -> Any:
    """A sequence -> one vector per example: ``avg``, ``max``, ``last`` or ``flatten``;
    with the ``mask`` of padded series (:func:`step_mask`), over the real steps only
    (``flatten``: the padded steps zeroed)."""
    if mask is not None:
        if how == "flatten":
            return keras.layers.Flatten()(zero_padding(x, mask))
        return MaskedPooling1D(how)([x, mask])
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


def step_mask(x: Any) -> Any:
    """The padding mask of padded series (``data.pad``) as a tensor ``(batch, steps)`` of 0/1
    (:class:`StepMask`), for blocks whose layers drop Keras masks (``Conv1D``); ``None`` where
    ``x`` carries no mask (series of one length: the model is then built as before)."""
    if getattr(x, "_keras_mask", None) is None:  # Keras 3 keeps a tensor's mask there
        return None
    return StepMask()(x)


def zero_padding(x: Any, mask: Any) -> Any:
    """``x`` with its padded steps set to zero (as past the end of a series), so the next
    convolution sees a padded series as it sees the same series unpadded; ``mask`` None:
    ``x``."""
    return x if mask is None else MaskSteps()([x, mask])


@keras.saving.register_keras_serializable(package="archsmith")
class StepMask(keras.layers.Layer):
    """A sequence's Keras mask as a tensor: ``(batch, steps, dim)`` -> ``(batch, steps)``, 1.0
    at the real steps and 0.0 at the padding (all ones where no mask came)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True  # it reads the mask and passes none on

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def call(self, x: Any, mask: Any = None) -> Any:
        if mask is None:
            return ops.ones(ops.shape(x)[:2], dtype=self.compute_dtype)
        return ops.cast(mask, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape[:2])


@keras.saving.register_keras_serializable(package="archsmith")
class MaskSteps(keras.layers.Layer):
    """``[x, mask]`` -> ``x`` with the steps where ``mask`` (``(batch, steps)``) is 0 zeroed;
    the mask is a tensor from here on (no Keras mask is passed on)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def call(self, inputs: Any) -> Any:
        x, mask = inputs
        return x * ops.expand_dims(ops.cast(mask, x.dtype), -1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape[0])


@keras.saving.register_keras_serializable(package="archsmith")
class MaskedPooling1D(keras.layers.Layer):
    """``[x, mask]`` -> one vector per sequence over its real steps only (``mask`` 1):
    their mean (``avg``), maximum (``max``) or the last real step (``last``; padding is at
    the end). A sequence padded by any number of steps pools as it does unpadded.

    Args:
        how: ``avg``, ``max`` or ``last``.
    """

    def __init__(self, how: str = "avg", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True  # the mask is an input; no Keras mask is passed on
        if how not in ("avg", "max", "last"):
            raise ValueError(f"MaskedPooling1D: how must be avg, max or last, got {how!r}")
        self.how = how

    def call(self, inputs: Any) -> Any:
        x, mask = inputs
        w = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        if self.how == "max":
            lowest = ops.min(x, axis=1, keepdims=True)
            return ops.max(x * w + lowest * (1.0 - w), axis=1)
        if self.how == "last":
            last = ops.sum(ops.cast(mask, "int32"), axis=1, keepdims=True) - 1
            steps = ops.expand_dims(ops.arange(ops.shape(x)[1], dtype="int32"), 0)
            at = ops.expand_dims(ops.cast(ops.equal(steps, last), x.dtype), -1)
            return ops.sum(x * at, axis=1)
        return ops.sum(x * w, axis=1) / ops.maximum(ops.sum(w, axis=1), 1.0)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0][0], input_shape[0][-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "how": self.how}


def check_text(x: Any, schema: Any, block: str) -> ArraySchema:
    """The text schema of a block that must read the raw text input first."""
    if not isinstance(schema, ArraySchema) or schema.kind != "text":
        raise ValueError(f"{block} takes texts; use it in a space for: [text]")
    if "string" not in str(x.dtype):
        raise ValueError(f"{block} must be the first block: it takes the raw text input")
    return schema
