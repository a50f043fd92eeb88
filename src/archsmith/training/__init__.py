"""Training: the generic parts (compile, the Keras fit loop with archsmith's callbacks,
outputs, memory checks, seeding, saving); Keras imported on first use.

What differs by task (loss, scores, predictions, special fits) lives in ``archsmith.tasks``,
which calls into this package.
"""

from __future__ import annotations

import importlib
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

#: the module (under archsmith.training) of each public name not in ``_fit``
_LAZY: dict[str, str] = {
    name: module
    for module, names in {
        "_memory": ("available_memory", "check_size", "describe_size", "estimate_memory"),
        "_callbacks": ("PruningReporter", "latency_ms", "predict_ms_per_row"),
        "_init": ("initialise_layers",),
        "_proxies": ("ProxyUnavailable", "proxy_score"),
        "_knobs": ("class_weights", "schedule_callbacks", "smoothed_binary", "smoothed_sparse"),
        "_prune": ("KeepPruned", "apply_masks", "magnitude_masks", "sparsity_of"),
        "_export": (
            "export_onnx",
            "export_savedmodel",
            "export_tflite",
            "onnx_outputs",
            "savedmodel_outputs",
            "tflite_outputs",
        ),
    }.items()
    for name in names
}


def __getattr__(name: str) -> Any:
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{_LAZY.get(name, '_fit')}")
        return getattr(module, name)
    raise AttributeError(f"module 'archsmith.training' has no attribute {name!r}")
