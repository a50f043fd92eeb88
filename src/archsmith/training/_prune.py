"""Magnitude pruning on Keras 3 (``keras.ops``; tensorflow-model-optimization is tf.keras
only): zero the smallest weights of every kernel to a target sparsity and keep them zero
while the model is fine-tuned."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np


def magnitude_masks(model: keras.Model, sparsity: float) -> list[tuple[Any, np.ndarray]]:
    """``(variable, 0/1 mask)`` for each trainable kernel (2 or more axes: dense,
    convolution and recurrent kernels; biases, norms and embeddings' 1-D weights are kept):
    the ``sparsity`` share of its weights with the smallest magnitude masked, per kernel."""
    masks = []
    for var in model.trainable_weights:
        if len(var.shape) < 2 or "embedding" in var.path:
            continue
        values = np.abs(keras.ops.convert_to_numpy(var))
        k = int(sparsity * values.size)
        if k == 0:
            continue
        threshold = np.partition(values.ravel(), k - 1)[k - 1]
        masks.append((var, (values > threshold).astype(var.dtype)))
    return masks


def apply_masks(masks: list[tuple[Any, np.ndarray]]) -> None:
    """Zero the masked weights (in place)."""
    for var, mask in masks:
        var.assign(keras.ops.multiply(var, mask))


class KeepPruned(keras.callbacks.Callback):
    """Re-applies the masks after every training batch, so pruned weights stay zero."""

    def __init__(self, masks: list[tuple[Any, np.ndarray]]) -> None:
        super().__init__()
        self.masks = masks

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        apply_masks(self.masks)


def sparsity_of(masks: list[tuple[Any, np.ndarray]]) -> float:
    """Share of zero weights in the masked kernels."""
    total = sum(m.size for _, m in masks)
    zeros = sum(int(np.sum(keras.ops.convert_to_numpy(v) == 0)) for v, _ in masks)
    return zeros / total if total else 0.0


__all__ = ["KeepPruned", "apply_masks", "magnitude_masks", "sparsity_of"]
