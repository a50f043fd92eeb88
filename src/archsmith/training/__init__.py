"""Training: compile, fit with callbacks, score; Keras imported on first use."""

from __future__ import annotations

from typing import Any

__all__ = [
    "TrainingResult",
    "all_scores",
    "baseline_scores",
    "clear_session",
    "fit",
    "labels_from_outputs",
    "outputs",
    "predictions",
    "probabilities",
    "save_model",
    "score",
]

_FIT = {"TrainingResult", "clear_session", "fit", "outputs", "save_model"}


def __getattr__(name: str) -> Any:
    if name in _FIT:
        from archsmith.training import _fit

        return getattr(_fit, name)
    if name == "baseline_scores":
        from archsmith.training import _kinds

        return _kinds.baseline_scores
    if name in __all__:
        from archsmith.training import _metrics

        return getattr(_metrics, name)
    raise AttributeError(f"module 'archsmith.training' has no attribute {name!r}")
