"""Training: the generic parts (compile, the Keras fit loop with archsmith's callbacks,
outputs, memory checks, seeding, saving); Keras imported on first use.

What differs by task (loss, scores, predictions, special fits) lives in ``archsmith.tasks``,
which calls into this package.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "EpochHook",
    "KerasFit",
    "Loss",
    "PruningReporter",
    "Scorer",
    "TrainingResult",
    "available_memory",
    "check_size",
    "class_weights",
    "clear_session",
    "custom_gradients_dropped",
    "describe_size",
    "estimate_memory",
    "export_savedmodel",
    "initialise_layers",
    "keras_fit",
    "latency_ms",
    "make_optimizer",
    "outputs",
    "save_model",
    "schedule_callbacks",
    "seed_trial",
    "smoothed_binary",
    "smoothed_sparse",
    "supervised_fit",
]

_MEMORY = {"available_memory", "check_size", "describe_size", "estimate_memory"}
_CALLBACKS = {"PruningReporter", "latency_ms"}
_INIT = {"initialise_layers"}
_KNOBS = {"class_weights", "schedule_callbacks", "smoothed_binary", "smoothed_sparse"}


def __getattr__(name: str) -> Any:
    if name in _MEMORY:
        from archsmith.training import _memory

        return getattr(_memory, name)
    if name in _CALLBACKS:
        from archsmith.training import _callbacks

        return getattr(_callbacks, name)
    if name == "export_savedmodel":
        from archsmith.training import _export

        return _export.export_savedmodel
    if name in _KNOBS:
        from archsmith.training import _knobs

        return getattr(_knobs, name)
    if name in _INIT:
        from archsmith.training import _init

        return getattr(_init, name)
    if name in __all__:
        from archsmith.training import _fit

        return getattr(_fit, name)
    raise AttributeError(f"module 'archsmith.training' has no attribute {name!r}")
