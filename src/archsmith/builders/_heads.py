"""Task heads: what follows the searched blocks, by target kind (one table, :data:`HEADS`).

A head reads the last block's output and a :class:`Trunk` (the preprocessed features, the
schema, the target, and what a task prepared before the blocks: a forecast's window
statistics). Similarity wraps the whole model instead (:data:`WRAPPERS`): one shared
encoder embeds both examples of a pair and their distance says whether they are of the
same class. Layers use ``keras.ops`` only, so every Keras backend runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

import keras
from keras import ops

from archsmith.builders._views import close_views
from archsmith.datasets import InputSchema
from archsmith.datasets import Target
from archsmith.exceptions import TrialFailed
from archsmith.families import block as family_block


@dataclass(frozen=True)
class Trunk:
    """What a head reads besides the last block's output.

    Attributes:
        features: the preprocessed input (before the first block).
        schema: the input schema.
        target: the task's target.
        stats: forecast: each window's statistics (:class:`WindowScale`), restored on the
            forecast; None: windows not scaled by their own (``series_scaling: dataset``).
        base: forecast: the seasonal-naive forecast the head corrects.
        l2: forecast: the L2 penalty on the correction's weights (a trial's ``forecast_l2``).
    """

    features: Any
    schema: Any
    target: Target
    stats: Any = None
    base: Any = None
    l2: float = 0.0


# -- forecasting: windows scaled by their own statistics, seasonal-naive base --------------


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


def _prepare_forecast(x: Any, trunk: Trunk, config: Mapping[str, Any]) -> tuple[Any, Trunk]:
    """Scale each window by its own statistics (a trial's ``series_scaling: window``, the
    default) or keep the input layer's scaling by the training set's statistics
    (``dataset``: the level of a window is seen); the model learns a correction of the
    seasonal-naive forecast of the (scaled) window, its weights penalised by the trial's
    ``forecast_l2`` (none when left out)."""
    stats = None
    if config.get("series_scaling", "window") == "window":
        x, stats = WindowScale(name="archsmith_window_scale")(x)
    base = SeasonalNaive(
        trunk.target.horizon, trunk.target.seasonality, name="archsmith_seasonal_naive"
    )(x)
    l2 = float(config.get("forecast_l2") or 0.0)
    return x, replace(trunk, stats=stats, base=base, l2=l2)


def pool_features(x: Any) -> Any:
    """Feature maps or sequences left by a block -> one vector per example (average)."""
    if len(x.shape) == 4:
        return keras.layers.GlobalAveragePooling2D(name="archsmith_pool")(x)
    if len(x.shape) == 3:
        return keras.layers.GlobalAveragePooling1D(name="archsmith_pool")(x)
    return x


def _forecast(x: Any, trunk: Trunk) -> Any:
    """``horizon`` values: a correction of the seasonal-naive base (starting at zero, so an
    untrained model forecasts the seasonal-naive values, and a penalised one stays near
    them), restored to data units."""
    target = trunk.target
    correction = keras.layers.Dense(
        target.horizon,
        kernel_initializer="zeros",
        kernel_regularizer=keras.regularizers.L2(trunk.l2) if trunk.l2 > 0 else None,
        name="archsmith_correction",
    )(pool_features(x))
    z = keras.layers.Add(name="archsmith_standardised")([trunk.base, correction])
    if trunk.stats is not None:  # series_scaling: window
        z = WindowRestore(name="archsmith_window_restore")([z, trunk.stats])
    return keras.layers.Rescaling(scale=target.std, offset=target.mean, name="archsmith_forecast")(
        z
    )


# -- classification, regression, multilabel ---------------------------------------------------


def _binary(x: Any, trunk: Trunk) -> Any:
    return keras.layers.Dense(1, activation="sigmoid", name="archsmith_probability")(
        pool_features(x)
    )


def _multiclass(x: Any, trunk: Trunk) -> Any:
    return keras.layers.Dense(
        len(trunk.target.classes), activation="softmax", name="archsmith_probabilities"
    )(pool_features(x))


def _regression(x: Any, trunk: Trunk) -> Any:
    z = keras.layers.Dense(1, name="archsmith_standardised")(pool_features(x))
    # the network learns the standardised target; this fixed layer restores its units
    return keras.layers.Rescaling(
        scale=trunk.target.std, offset=trunk.target.mean, name="archsmith_prediction"
    )(z)


def _multilabel(x: Any, trunk: Trunk) -> Any:
    return keras.layers.Dense(
        len(trunk.target.classes), activation="sigmoid", name="archsmith_label_probabilities"
    )(pool_features(x))


# -- anomaly detection, clustering, generation ---------------------------------------------


@keras.saving.register_keras_serializable(package="archsmith")
class ReconstructionError(keras.layers.Layer):
    """Mean squared difference per row between ``[features, reconstruction]``: ``(N, 1)``.

    Rows may be vectors or images: the mean runs over every axis but the first.
    """

    def call(self, inputs: Any) -> Any:
        features, reconstruction = inputs
        diff = ops.cast(features, "float32") - ops.cast(reconstruction, "float32")
        axes = tuple(range(1, len(diff.shape)))
        return ops.reshape(ops.mean(ops.square(diff), axis=axes), (-1, 1))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0][0], 1)


def _anomaly(x: Any, trunk: Trunk) -> Any:
    """The anomaly score: reconstruction error of the last block's output."""
    features = trunk.features
    if len(features.shape) > 2 and tuple(x.shape[1:]) != tuple(features.shape[1:]):
        raise TrialFailed(
            f"anomaly_detection scores the reconstruction of the input images, but the last "
            f"block outputs shape {tuple(x.shape[1:])} for images of shape "
            f"{tuple(features.shape[1:])}; end the model with a block that reconstructs its "
            "input, such as conv_autoencoder"
        )
    if x.shape[-1] != features.shape[-1]:
        raise TrialFailed(
            f"anomaly_detection scores the reconstruction of the features, but the last "
            f"block outputs {x.shape[-1]} values for {features.shape[-1]} features; end the "
            "model with a block that reconstructs its input, such as autoencoder"
        )
    return ReconstructionError(name="archsmith_anomaly_score")([features, x])


def _cluster(x: Any, trunk: Trunk) -> Any:
    """Clustering outputs the distances of the last block (a ``som``) as they are."""
    return keras.layers.Identity(name="archsmith_unit_distances")(x)


@keras.saving.register_keras_serializable(package="archsmith")
class Destandardise(keras.layers.Layer):
    """``x * std + mean`` per column: standardised rows back to data units."""

    def __init__(self, mean: list[float], std: list[float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mean = [float(m) for m in mean]
        self.std = [float(s) for s in std]

    def call(self, x: Any) -> Any:
        return x * ops.convert_to_tensor(self.std) + ops.convert_to_tensor(self.mean)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "std": self.std}


def _generation(x: Any, trunk: Trunk) -> Any:
    """Generated rows back to the data's units (the task's output)."""
    schema: InputSchema = trunk.schema
    numeric = schema.numeric
    return Destandardise(
        [c.mean for c in numeric], [c.std for c in numeric], name="archsmith_generated"
    )(x)


# -- similarity: the pair model around the searched encoder ---------------------------------

#: name of the shared encoder (a nested model: items -> embeddings), exportable on its own
ENCODER = "archsmith_encoder"
#: name of the layer giving the distance of a pair's embeddings
DISTANCE = "archsmith_pair_distance"
#: name of the output layer: ``[distance, same]`` with the threshold chosen on validation
DECISION = "archsmith_same"
SIDES = ("a", "b")


@keras.saving.register_keras_serializable(package="archsmith")
class PairDistance(keras.layers.Layer):
    """The distance between two batches of embeddings, ``(batch, 1)``.

    Args:
        metric: ``euclidean`` (``||a - b||``) or ``cosine`` (``1 - cos(a, b)``, in [0, 2]).
    """

    def __init__(self, metric: str = "euclidean", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if metric not in ("euclidean", "cosine"):
            raise ValueError(f"metric must be euclidean or cosine, but got {metric!r}")
        self.metric = metric

    def call(self, inputs: Any) -> Any:
        a, b = inputs
        if self.metric == "cosine":
            a = a / ops.sqrt(ops.sum(ops.square(a), axis=-1, keepdims=True) + 1e-12)
            b = b / ops.sqrt(ops.sum(ops.square(b), axis=-1, keepdims=True) + 1e-12)
            return 1.0 - ops.sum(a * b, axis=-1, keepdims=True)
        # the small constant keeps the gradient finite for identical embeddings
        return ops.sqrt(ops.sum(ops.square(a - b), axis=-1, keepdims=True) + 1e-9)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0][0], 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "metric": self.metric}


@keras.saving.register_keras_serializable(package="archsmith")
class SameDecision(keras.layers.Layer):
    """``[distance, same]``: ``same`` is 1 when the distance is at most the threshold.

    The threshold is a non-trainable weight, set after training to the value that
    classifies the validation pairs best, and saved with the model.
    """

    def build(self, input_shape: Any) -> None:
        self.threshold = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(0.5),
            trainable=False,
            name="threshold",
        )

    def call(self, distance: Any) -> Any:
        same = ops.cast(ops.less_equal(distance, self.threshold), distance.dtype)
        return ops.concatenate([distance, same], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], 2)


def pair_model(
    config: Mapping[str, Any],
    schema: Any,
    make_inputs: Callable[[Any], tuple[dict[str, Any], Any]],
    block: Callable[[str, Any], Callable[..., Any]],
) -> keras.Model:
    """The pair model of one trial: ``a_*`` and ``b_*`` inputs -> ``[distance, same]``.

    Args:
        config: the resolved trial config; ``model`` lists the encoder's blocks, ending
            (optionally) with ``{siamese: {embedding, distance, normalise}}``.
        schema: a ``PairSchema`` (its ``item`` is the schema of one example).
        make_inputs: the builder of one example's inputs and feature tensor.
        block: the builder function of a block by name.

    Raises:
        TrialFailed: a block cannot be built (the message names it).
    """
    item = schema.item
    inputs, x = make_inputs(item)
    blocks = list(config["model"])
    head: dict[str, Any] = {"embedding": 0, "distance": "euclidean", "normalise": False}
    if blocks and next(iter(blocks[-1])) == "siamese":
        head.update(blocks.pop()["siamese"])
    for i, spec in enumerate(blocks):
        ((name, args),) = spec.items()
        if name == "siamese":
            raise TrialFailed(f"model.{i}.siamese: the siamese block must be the last block")
        if family_block(name).flat and len(x.shape) > 2:
            x = keras.layers.Flatten()(x)
        try:
            x = block(name, item)(x, **args)
        except (ValueError, TypeError) as exc:
            raise TrialFailed(f"model.{i}.{name}: cannot build block: {exc}") from exc
    if len(x.shape) > 2:
        x = keras.layers.Flatten(name="archsmith_flatten")(x)
    if head["embedding"]:
        x = keras.layers.Dense(int(head["embedding"]), name="archsmith_embedding")(x)
    if head["distance"] == "euclidean" and head.get("normalise"):
        x = keras.layers.UnitNormalization(name="archsmith_unit_embedding")(x)
    encoder = close_views(keras.Model(inputs, x, name=ENCODER))  # tta: the mean embedding
    pair_inputs: dict[str, Any] = {}
    embeddings = []
    for side in SIDES:
        own = {
            k: keras.Input(shape=t.shape[1:], dtype=t.dtype, name=f"{side}_{k}")
            for k, t in inputs.items()
        }
        pair_inputs.update({f"{side}_{k}": v for k, v in own.items()})
        embeddings.append(encoder(own))
    distance = PairDistance(head["distance"], name=DISTANCE)(embeddings)
    return keras.Model(
        pair_inputs, SameDecision(name=DECISION)(distance), name=str(config.get("family", "model"))
    )


def encoder_of(model: keras.Model) -> keras.Model:
    """The shared encoder of a pair model: one example's inputs -> its embedding.

    Raises:
        ValueError: the model is not a similarity (pair) model.
    """
    try:
        return model.get_layer(ENCODER)
    except ValueError:
        raise ValueError(
            f"model '{model.name}' has no shared encoder ('{ENCODER}'): only models of task "
            "similarity have one"
        ) from None


#: what a task prepares before the blocks (forecast: window scaling, seasonal base)
PREPARE: dict[str, Callable[[Any, Trunk, Mapping[str, Any]], tuple[Any, Trunk]]] = {
    "forecast": _prepare_forecast
}

#: the head of each target kind, after the last block
HEADS: dict[str, Callable[[Any, Trunk], Any]] = {
    "binary": _binary,
    "multiclass": _multiclass,
    "continuous": _regression,
    "multilabel": _multilabel,
    "forecast": _forecast,
    "anomaly": _anomaly,
    "cluster": _cluster,
    "generation": _generation,
}

#: target kinds whose whole model wraps the searched blocks (the Siamese pair model)
WRAPPERS: dict[str, Callable[..., keras.Model]] = {"similarity": pair_model}
