"""Refuse models too big to train, before training: a parameter and memory estimate."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import keras

from archsmith.exceptions import TrialFailed

#: Bytes per weight (float32) and copies kept while training: weights, gradients and the
#: optimizer's two slots (Adam's moments; plainer optimizers keep fewer).
_BYTES = 4
_COPIES = 4
#: Share of the available memory one trial may plan to use.
MEMORY_SHARE = 0.5
#: Param names whose values drive a model's size; they are named when a model is refused.
_SIZE_PARAMS = ("units", "layers", "filters", "heads", "blocks", "depth", "width", "dim", "embed")


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (Linux ``MemAvailable``), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def estimate_memory(model: keras.Model, batch_size: int) -> int:
    """Bytes to train ``model``: weights x copies, plus each layer's activations for a batch
    kept for the backward pass (twice: values and gradients)."""
    weights = int(model.count_params()) * _BYTES * _COPIES
    activations = 0
    for layer in model.layers:
        try:
            shapes = keras.tree.flatten(layer.output.shape)
            shape = [d for d in shapes if d is not None] if shapes else []
        except (AttributeError, ValueError, TypeError):
            continue
        if shape and all(isinstance(d, int) for d in shape):
            activations += math.prod(shape) * batch_size * _BYTES * 2
    return weights + activations


def _largest_layer(model: keras.Model) -> tuple[str, int]:
    best = ("", 0)
    for layer in model.layers:
        count = int(layer.count_params()) if layer.built else 0
        if count > best[1]:
            best = (layer.name, count)
    return best


def describe_size(model: keras.Model, params: Mapping[str, Any]) -> str:
    """The largest layer and the params that set the model's size, for messages."""
    layer, layer_count = _largest_layer(model)
    drivers = ", ".join(
        f"{k}={v}"
        for k, v in params.items()
        if isinstance(v, int) and not isinstance(v, bool) and k.rsplit(".", 1)[-1] in _SIZE_PARAMS
    )
    where = f"largest layer '{layer}' ({layer_count:,} params)"
    return f"{where}; size set by {drivers}" if drivers else where


def check_size(
    model: keras.Model,
    params: Mapping[str, Any],
    batch_size: int,
    *,
    memory: int | None = None,
) -> int:
    """Raise :class:`TrialFailed` when training ``model`` would not fit in memory.

    A parameter limit is ``search.constraints.max_params``, checked by the runner.

    Args:
        model: the built (untrained) model.
        params: the trial's params (the size-driving ones are named in the message).
        batch_size: the trial's batch size.
        memory: bytes available; default: :data:`MEMORY_SHARE` of the available memory.

    Returns:
        The estimated bytes training needs.
    """
    count = int(model.count_params())
    need = estimate_memory(model, batch_size)
    if memory is None:
        free = available_memory()
        memory = int(free * MEMORY_SHARE) if free else None
    if memory is not None and need > memory:
        raise TrialFailed(
            f"model too big: training needs about {need / 2**30:.1f} GiB "
            f"({count:,} params, batch {batch_size}) but {memory / 2**30:.1f} GiB is the "
            f"limit ({int(MEMORY_SHARE * 100)}% of available memory) "
            f"({describe_size(model, params)}); not trained"
        )
    return need
