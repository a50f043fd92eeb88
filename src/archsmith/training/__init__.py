"""Training: the generic parts (compile, the Keras fit loop with archsmith's callbacks,
outputs, memory checks, seeding, saving); Keras imported on first use.

What differs by task (loss, scores, predictions, special fits) lives in ``archsmith.tasks``,
which calls into this package.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "EpochHook",
    "KeepPruned",
    "KerasFit",
    "Loss",
    "ProxyUnavailable",
    "PruningReporter",
    "Scorer",
    "TrainingResult",
    "apply_masks",
    "available_memory",
    "check_size",
    "class_weights",
    "clear_session",
    "custom_gradients_dropped",
    "describe_size",
    "estimate_memory",
    "export_onnx",
    "export_savedmodel",
    "export_tflite",
    "initialise_layers",
    "keras_fit",
    "latency_ms",
    "magnitude_masks",
    "make_optimizer",
    "onnx_outputs",
    "outputs",
    "predict_ms_per_row",
    "proxy_score",
    "save_model",
    "savedmodel_outputs",
    "schedule_callbacks",
    "seed_trial",
    "smoothed_binary",
    "smoothed_sparse",
    "sparsity_of",
    "supervised_fit",
    "tflite_outputs",
]

_MEMORY = {"available_memory", "check_size", "describe_size", "estimate_memory"}
_CALLBACKS = {"PruningReporter", "latency_ms", "predict_ms_per_row"}
_INIT = {"initialise_layers"}
_PROXIES = {"ProxyUnavailable", "proxy_score"}
_KNOBS = {"class_weights", "schedule_callbacks", "smoothed_binary", "smoothed_sparse"}
_PRUNE = {"KeepPruned", "apply_masks", "magnitude_masks", "sparsity_of"}
_EXPORT = {
    "export_onnx",
    "export_savedmodel",
    "export_tflite",
    "onnx_outputs",
    "savedmodel_outputs",
    "tflite_outputs",
}


def __getattr__(name: str) -> Any:
    if name in _MEMORY:
        from archsmith.training import _memory

        return getattr(_memory, name)
    if name in _CALLBACKS:
        from archsmith.training import _callbacks

        return getattr(_callbacks, name)
    if name in _EXPORT:
        from archsmith.training import _export

        return getattr(_export, name)
    if name in _PROXIES:
        from archsmith.training import _proxies

        return getattr(_proxies, name)
    if name in _PRUNE:
        from archsmith.training import _prune

        return getattr(_prune, name)
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
