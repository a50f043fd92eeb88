"""Inference calls of a trained candidate, compiled once per model where that is cheaper."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import keras


def inference_call(model: keras.Model) -> Callable[[Mapping[str, Any]], Any]:
    """A function ``batch -> outputs`` of ``model`` in inference mode.

    On JAX a direct ``model(batch)`` runs op by op, and XLA compiles every distinct
    operation and shape of every new model: about 40 small compilations per trial for a
    3-layer MLP. One ``jax.jit`` of the model's stateless call compiles it once instead.
    TensorFlow and PyTorch (and models with a layer that cannot be traced) keep the direct
    call.
    """
    if keras.backend.backend() != "jax" or not all(
        layer.supports_jit for layer in model._flatten_layers()
    ):
        return lambda batch: model(batch, training=False)
    import jax

    @jax.jit
    def call(trainable: Any, non_trainable: Any, batch: Any) -> Any:
        out, _ = model.stateless_call(trainable, non_trainable, batch, training=False)
        return out

    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    return lambda batch: call(trainable, non_trainable, dict(batch))
