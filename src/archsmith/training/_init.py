"""Data-driven initialisation of layers before training (k-means centres, RBM pre-training).

A layer takes part by having a method ``initialise_from(inputs, *, epochs_hint)`` taking the
numpy array of what the layer receives on (a sample of) the training rows and returning a
mapping of metrics (may be empty). Layers are visited in the model's order, so a layer's
inputs already reflect the initialisation of the layers before it (greedy layer-wise
pre-training). Training and builders stay siblings: this is duck typing, no import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

#: rows used to initialise layers (a random sample of the training split when larger)
MAX_ROWS = 4096


def sample_rows(x: Mapping[str, np.ndarray], max_rows: int = MAX_ROWS, seed: int = 0) -> dict:
    """At most ``max_rows`` rows of model inputs, drawn without replacement (seeded)."""
    n = len(next(iter(x.values())))
    if n <= max_rows:
        return dict(x)
    idx = np.sort(np.random.default_rng(seed).choice(n, max_rows, replace=False))
    return {k: v[idx] for k, v in x.items()}


def layer_inputs(model: keras.Model, layer: keras.layers.Layer, x: Mapping[str, Any]) -> np.ndarray:
    """What ``layer`` receives when ``model`` runs on ``x`` (inference mode)."""
    feed = keras.Model(model.input, layer.input)
    return np.asarray(keras.ops.convert_to_numpy(feed(dict(x), training=False)))


def initialise_layers(model: keras.Model, x: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Run ``initialise_from`` of every layer that has one; return their metrics.

    Metrics are named ``init.<layer name>.<metric>``.
    """
    hooked = [layer for layer in model.layers if callable(getattr(layer, "initialise_from", None))]
    if not hooked:
        return {}
    sample = sample_rows(x)
    metrics: dict[str, float] = {}
    for layer in hooked:
        found = layer.initialise_from(layer_inputs(model, layer, sample))
        metrics.update({f"init.{layer.name}.{k}": float(v) for k, v in (found or {}).items()})
    return metrics
