"""Inputs and heads for image, sequence and text data, multilabel and forecasting targets."""

from __future__ import annotations

from typing import Any

import keras

from archsmith.datasets import ArraySchema
from archsmith.datasets import Target


def array_inputs(schema: ArraySchema) -> tuple[dict[str, Any], Any]:
    """The network input of an array schema and its preprocessed tensor.

    Images and sequences are standardised per channel with the training statistics (a fixed
    ``Normalization`` layer); texts stay strings, for a text block (``text_embedding``,
    ``text_bag``) to vectorise inside the model.
    """
    if schema.kind == "text":
        text = keras.Input(shape=(1,), dtype="string", name=schema.key)
        return {schema.key: text}, text
    raw = keras.Input(shape=schema.shape, name=schema.key)
    norm = keras.layers.Normalization(
        axis=-1,
        mean=list(schema.mean),
        variance=[s * s for s in schema.std],
        name=f"archsmith_{schema.kind}_normalization",
    )
    return {schema.key: raw}, norm(raw)


def kind_head(x: Any, target: Target) -> Any:
    """Heads of multilabel (sigmoid per label) and forecast (``horizon`` values) targets."""
    if len(x.shape) > 2:  # a block left a sequence or a feature map: pool it
        pool = (
            keras.layers.GlobalAveragePooling1D
            if len(x.shape) == 3
            else keras.layers.GlobalAveragePooling2D
        )
        x = pool(name="archsmith_pool")(x)
    if target.kind == "multilabel":
        return keras.layers.Dense(
            len(target.classes), activation="sigmoid", name="archsmith_label_probabilities"
        )(x)
    z = keras.layers.Dense(target.horizon, name="archsmith_standardised")(x)
    return keras.layers.Rescaling(scale=target.std, offset=target.mean, name="archsmith_forecast")(
        z
    )


def pool_features(x: Any) -> Any:
    """Feature maps or sequences left by a block -> one vector per example (average)."""
    if len(x.shape) == 4:
        return keras.layers.GlobalAveragePooling2D(name="archsmith_pool")(x)
    if len(x.shape) == 3:
        return keras.layers.GlobalAveragePooling1D(name="archsmith_pool")(x)
    return x
