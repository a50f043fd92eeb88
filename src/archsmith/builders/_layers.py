"""Custom layers, written with ``keras.ops`` so they run on every backend.

They are registered as serializable under the ``archsmith`` package, so saved models load
with ``keras.saving.load_model(path, safe_mode=True)`` once ``archsmith.builders`` is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import ops


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
