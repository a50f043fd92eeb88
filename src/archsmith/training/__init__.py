"""Training: compile, fit with callbacks, score; Keras imported on first use."""

from __future__ import annotations

from typing import Any

__all__ = [
    "PruningReporter",
    "TrainingResult",
    "all_scores",
    "available_memory",
    "baseline_scores",
    "check_size",
    "clear_session",
    "describe_size",
    "estimate_memory",
    "fit",
    "labels_from_outputs",
    "latency_ms",
    "outputs",
    "predictions",
    "probabilities",
    "save_model",
    "score",
    "seed_trial",
]

_MEMORY = {"available_memory", "check_size", "describe_size", "estimate_memory"}
_FIT = {"TrainingResult", "clear_session", "fit", "outputs", "save_model", "seed_trial"}
_CALLBACKS = {"PruningReporter", "latency_ms"}


def __getattr__(name: str) -> Any:
    if name in _FIT:
        from archsmith.training import _fit

        return getattr(_fit, name)
    if name in _MEMORY:
        from archsmith.training import _memory

        return getattr(_memory, name)
    if name in _CALLBACKS:
        from archsmith.training import _callbacks

        return getattr(_callbacks, name)
    if name == "baseline_scores":
        from archsmith.training import _kinds

        return _kinds.baseline_scores
    if name in __all__:
        from archsmith.training import _metrics

        return getattr(_metrics, name)
    raise AttributeError(f"module 'archsmith.training' has no attribute {name!r}")
