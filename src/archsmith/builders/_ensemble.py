"""One model that averages several: the served model of an ensemble of trials and of a
trial's k fold models (bagging). Family- and task-free: the members are whole models
with the same inputs; their outputs (probabilities or values) are averaged with weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras


@keras.saving.register_keras_serializable(package="archsmith")
class WeightedMean(keras.layers.Layer):
    """The weighted mean of its inputs (a list of same-shaped tensors).

    Args:
        weights: one non-negative weight per input, summing to 1.

    Example:
        >>> import numpy as np
        >>> mean = WeightedMean([0.75, 0.25])
        >>> float(mean([np.ones((1, 1)), np.zeros((1, 1))])[0, 0])
        0.75
    """

    def __init__(self, weights: Sequence[float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.member_weights = [float(w) for w in weights]

    def call(self, inputs: Sequence[Any]) -> Any:
        pairs = zip(inputs, self.member_weights, strict=True)
        parts = [keras.ops.cast(x, "float32") * w for x, w in pairs]
        return keras.ops.sum(keras.ops.stack(parts, axis=0), axis=0)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "weights": list(self.member_weights)}


def average_models(
    models: Sequence[keras.Model], weights: Sequence[float], name: str = "ensemble"
) -> keras.Model:
    """One model taking the members' inputs and giving the weighted mean of their outputs.

    Args:
        models: whole models with the same inputs (names, shapes, dtypes) and outputs.
        weights: one per model; normalised to sum to 1.

    Raises:
        ValueError: no model, a weight per model missing, or weights that are not positive.
    """
    if not models or len(models) != len(weights):
        raise ValueError(f"expected one weight per model, got {len(weights)} for {len(models)}")
    total = float(sum(weights))
    if total <= 0 or min(weights) < 0:
        raise ValueError(f"weights must be >= 0 with a positive sum, got {list(weights)}")
    inputs = keras.tree.map_structure(
        lambda t: keras.Input(shape=t.shape[1:], dtype=t.dtype, name=_input_name(t)),
        models[0].input,
    )
    outputs = []
    for i, member in enumerate(models):
        member.name = f"member_{i}"  # unique names inside the saved model
        outputs.append(member(inputs))
    mean = WeightedMean([w / total for w in weights], name="weighted_mean")(outputs)
    return keras.Model(inputs, mean, name=name)


def _input_name(tensor: Any) -> str:
    """The input layer's name of a model input (the column or array key)."""
    history = getattr(tensor, "_keras_history", None)
    if history is not None:
        return str(history.operation.name)
    return str(tensor.name)
