"""Inputs and heads for image, sequence and text data, multilabel and forecasting targets."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

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


@keras.saving.register_keras_serializable(package="archsmith")
class WindowScale(keras.layers.Layer):
    """Standardise each input window by its own mean and standard deviation.

    Returns the scaled window and the ``(batch, 2)`` statistics, which
    :class:`WindowRestore` applies back to the forecast, so a model learns the shape of a
    series and not its level (several series of different sizes share one model).
    """

    def call(self, x: Any) -> Any:
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        std = ops.sqrt(ops.var(x, axis=(1, 2), keepdims=True) + 1e-6)
        stats = ops.concatenate([ops.reshape(mean, (-1, 1)), ops.reshape(std, (-1, 1))], axis=1)
        return (x - mean) / std, stats

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape, (input_shape[0], 2)


@keras.saving.register_keras_serializable(package="archsmith")
class WindowRestore(keras.layers.Layer):
    """Undo :class:`WindowScale` on a forecast: ``z * std + mean`` per example."""

    def call(self, inputs: Any) -> Any:
        z, stats = inputs
        return z * stats[:, 1:2] + stats[:, 0:1]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape[0]


@keras.saving.register_keras_serializable(package="archsmith")
class SeasonalNaive(keras.layers.Layer):
    """The seasonal-naive forecast of a window: its last season repeated over the horizon.

    Args:
        horizon: steps to forecast.
        seasonality: season length (steps).
    """

    def __init__(self, horizon: int, seasonality: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.horizon = int(horizon)
        self.seasonality = int(seasonality)

    def call(self, x: Any) -> Any:
        steps = x.shape[1]
        m = self.seasonality
        index = [steps + j - m * (j // m + 1) for j in range(self.horizon)]
        return ops.take(x[:, :, 0], index, axis=1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], self.horizon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "horizon": self.horizon, "seasonality": self.seasonality}


def seasonal_base(x: Any, target: Target) -> Any:
    """The seasonal-naive forecast of the (scaled) window, which the forecast head corrects."""
    return SeasonalNaive(target.horizon, target.seasonality, name="archsmith_seasonal_naive")(x)


def window_scale(x: Any) -> tuple[Any, Any]:
    """Scale each forecasting window by its own statistics (see :class:`WindowScale`)."""
    scaled, stats = WindowScale(name="archsmith_window_scale")(x)
    return scaled, stats


def kind_head(x: Any, target: Target, stats: Any = None, base: Any = None) -> Any:
    """Heads of multilabel (sigmoid per label) and forecast (``horizon`` values) targets.

    Args:
        stats: the window statistics of :func:`window_scale`, restored on the forecast.
        base: a forecast the head corrects (:func:`seasonal_base`); the correction starts
            at zero, so an untrained model forecasts the seasonal-naive values.
    """
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
    if base is not None:
        correction = keras.layers.Dense(
            target.horizon, kernel_initializer="zeros", name="archsmith_correction"
        )(x)
        z = keras.layers.Add(name="archsmith_standardised")([base, correction])
    else:
        z = keras.layers.Dense(target.horizon, name="archsmith_standardised")(x)
    if stats is not None:
        z = WindowRestore(name="archsmith_window_restore")([z, stats])
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
