"""Integrated gradients of an image or sequence model (TensorFlow backend)."""

from __future__ import annotations

from typing import Any

import numpy as np

from archsmith.exceptions import ArchsmithError


def integrated_gradients(
    model: Any,
    key: str,
    x: np.ndarray,
    baseline: np.ndarray,
    *,
    steps: int = 32,
    batch_size: int = 64,
) -> tuple[np.ndarray, np.ndarray]:
    """Attributions of each input value to the predicted output (Sundararajan et al. 2017).

    The gradients of the output along the straight path from ``baseline`` to each example
    are averaged (trapezoid rule over ``steps`` intervals) and multiplied by
    ``x - baseline``; the attributions of an example sum to about the change of its
    output. The output followed is the predicted class's (or the single output's).

    Args:
        model: a Keras model taking ``{key: x}``.
        key: the model's input name.
        x: ``(N, H, W, C)`` images or ``(N, T, C)`` sequences (float32).
        baseline: one example's shape (broadcast), e.g. the training mean.
        steps: path intervals.
        batch_size: examples per gradient call.

    Returns:
        The attributions (the shape of ``x``) and the followed output index per example.

    Raises:
        ArchsmithError: the backend is not TensorFlow (GradientTape is used).
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        raise ArchsmithError(
            "integrated gradients need the TensorFlow backend (GradientTape); this process "
            f"runs Keras on {keras.backend.backend()}: set KERAS_BACKEND=tensorflow"
        )
    import tensorflow as tf

    x = np.asarray(x, dtype="float32")
    base = np.broadcast_to(np.asarray(baseline, dtype="float32"), x.shape[1:])
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype="float32")
    weights = np.full(steps + 1, 1.0 / steps, dtype="float32")
    weights[[0, -1]] /= 2  # trapezoid rule
    attributions = np.zeros_like(x)
    followed = np.zeros(len(x), dtype="int64")
    for start in range(0, len(x), batch_size):
        part = x[start : start + batch_size]
        out = keras.ops.convert_to_numpy(model({key: part}, training=False))
        out = out.reshape(len(part), -1)
        index = out.argmax(axis=1) if out.shape[1] > 1 else np.zeros(len(part), dtype="int64")
        followed[start : start + len(part)] = index
        pick = tf.one_hot(index, out.shape[1], dtype="float32")
        total = np.zeros_like(part)
        for alpha, weight in zip(alphas, weights, strict=True):
            path = tf.convert_to_tensor(base + alpha * (part - base))
            with tf.GradientTape() as tape:
                tape.watch(path)
                chosen = tf.reduce_sum(
                    tf.reshape(model({key: path}, training=False), (len(part), -1)) * pick,
                    axis=1,
                )
            total += weight * tape.gradient(chosen, path).numpy()
        attributions[start : start + len(part)] = (part - base) * total
    return attributions, followed
