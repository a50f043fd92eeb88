"""Losses that a saved model's compile settings name, registered for Keras safe mode
(imported with the blocks, :func:`archsmith.families.import_blocks`)."""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable(package="archsmith")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy of class indices against probabilities, with label smoothing
    (Keras' sparse cross-entropy has none)."""

    def __init__(self, label_smoothing: float = 0.0, classes: int = 2, **kwargs: Any) -> None:
        kwargs.setdefault("name", "smoothed_sparse_crossentropy")
        super().__init__(**kwargs)
        self.label_smoothing = float(label_smoothing)
        self.classes = int(classes)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        indices = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        onehot = keras.ops.one_hot(indices, self.classes, dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            onehot, y_pred, label_smoothing=self.label_smoothing
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "label_smoothing": self.label_smoothing,
            "classes": self.classes,
        }


__all__ = ["SmoothedSparseCrossentropy"]
