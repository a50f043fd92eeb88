"""The network inputs of each data kind and their in-model preprocessing.

The custom layers are registered as serializable under the ``archsmith`` package, so saved
models load with ``keras.saving.load_model(path, safe_mode=True)`` once
``archsmith.builders`` is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import keras
from keras import ops

from archsmith.datasets import NUMERIC_KEY
from archsmith.datasets import ONE_HOT_MAX
from archsmith.datasets import ArraySchema
from archsmith.datasets import InputSchema
from archsmith.families import input_function


@keras.saving.register_keras_serializable(package="archsmith")
class NumericFeatures(keras.layers.Layer):
    """Standardise numeric columns and replace missing values (NaN) by the training mean.

    Columns listed in ``indicators`` also get a 0/1 "was missing" feature appended, so the
    network can learn from missingness itself.

    Args:
        mean: training mean per column.
        std: training standard deviation per column (1 where constant).
        indicators: indexes of the columns that had missing values in training.
    """

    def __init__(
        self,
        mean: Sequence[float],
        std: Sequence[float],
        indicators: Sequence[int] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mean = [float(m) for m in mean]
        self.std = [float(s) for s in std]
        self.indicators = [int(i) for i in indicators]

    def call(self, x: Any) -> Any:
        x = ops.cast(x, "float32")
        missing = ops.isnan(x)
        scaled = (x - ops.convert_to_tensor(self.mean)) / ops.convert_to_tensor(self.std)
        scaled = ops.where(missing, ops.zeros_like(scaled), scaled)
        if not self.indicators:
            return scaled
        flags = ops.take(ops.cast(missing, "float32"), self.indicators, axis=-1)
        return ops.concatenate([scaled, flags], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape[:-1], input_shape[-1] + len(self.indicators))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "mean": self.mean,
            "std": self.std,
            "indicators": self.indicators,
        }


def tabular_inputs(schema: InputSchema) -> tuple[dict[str, Any], Any]:
    """One input per categorical column and one for the numeric columns -> the feature vector.

    Numbers are standardised (missing values: the mean and a flag), categories one-hot
    encoded (few) or embedded (many).
    """
    inputs: dict[str, Any] = {}
    parts: list[Any] = []
    numeric = schema.numeric
    if numeric:
        inputs[NUMERIC_KEY] = keras.Input(shape=(len(numeric),), name=NUMERIC_KEY)
        parts.append(
            NumericFeatures(
                [c.mean for c in numeric],
                [c.std for c in numeric],
                [i for i, c in enumerate(numeric) if c.has_missing],
                name="archsmith_numeric_features",
            )(inputs[NUMERIC_KEY])
        )
    for col in schema.columns:
        if not col.categorical:
            continue
        inputs[col.key] = keras.Input(shape=(1,), name=col.key, dtype="int64")
        tokens = len(col.vocabulary) + 1  # index 0: unknown or missing
        if tokens <= ONE_HOT_MAX:
            encode = keras.layers.CategoryEncoding(
                tokens, output_mode="one_hot", name=f"archsmith_{col.key}_onehot"
            )
            parts.append(encode(inputs[col.key]))
        else:
            dim = int(min(32, round(1.6 * tokens**0.56)))
            emb = keras.layers.Embedding(tokens, dim, name=f"archsmith_{col.key}_embedding")
            parts.append(keras.layers.Flatten()(emb(inputs[col.key])))
    if len(parts) == 1:
        return inputs, parts[0]
    return inputs, keras.layers.Concatenate(name="archsmith_features")(parts)


def text_inputs(schema: ArraySchema) -> tuple[dict[str, Any], Any]:
    """Texts stay strings, for a text block (``text_embedding``, ``text_bag``) to vectorise
    inside the model."""
    text = keras.Input(shape=(1,), dtype="string", name=schema.key)
    return {schema.key: text}, text


def array_inputs(schema: ArraySchema) -> tuple[dict[str, Any], Any]:
    """Images and sequences, standardised per channel with the training statistics (a fixed
    ``Normalization`` layer); padded series (``data.pad``) then masked (:class:`PaddingMask`)."""
    raw = keras.Input(shape=schema.shape, name=schema.key)
    norm = keras.layers.Normalization(
        axis=-1,
        mean=list(schema.mean),
        variance=[s * s for s in schema.std],
        name=f"archsmith_{schema.kind}_normalization",
    )
    out = norm(raw)
    if schema.padded:
        out = PaddingMask(name="archsmith_padding_mask")(out)
    return {schema.key: raw}, out


@keras.saving.register_keras_serializable(package="archsmith")
class PaddingMask(keras.layers.Layer):
    """Padded series ``(batch, steps, channels)``, NaN at the padded steps -> zeros there,
    and a Keras mask (True at real steps) that masking layers (RNNs, per-series
    normalisation, average pooling) follow."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, x: Any) -> Any:
        return ops.where(ops.isnan(x), ops.zeros_like(x), x)

    def compute_mask(self, x: Any, mask: Any = None) -> Any:
        return ops.logical_not(ops.any(ops.isnan(x), axis=-1))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


#: the inputs of each data kind; a family may build its data's own (graphs: ``Family.inputs``)
INPUTS: dict[str, Callable[[Any], tuple[dict[str, Any], Any]]] = {
    "tabular": tabular_inputs,
    "image": array_inputs,
    "sequence": array_inputs,
    "text": text_inputs,
}


def model_inputs(schema: InputSchema | ArraySchema) -> tuple[dict[str, Any], Any]:
    """The training inputs (see ``InputSchema.model_inputs``) and the preprocessed tensor."""
    own = input_function(schema.kind)
    if own is not None:
        return own(schema)
    return INPUTS[schema.kind](schema)
