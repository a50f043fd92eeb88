"""Tracking: the Tracker protocol and its MLflow implementation (MLflow imported lazily)."""

from __future__ import annotations

from typing import Any

from archsmith.tracking._base import Tracker

__all__ = ["MlflowTracker", "Tracker", "mask_password", "store_root", "store_uris"]


def __getattr__(name: str) -> Any:
    if name in ("MlflowTracker", "mask_password", "store_root", "store_uris"):
        from archsmith.tracking import _mlflow

        return getattr(_mlflow, name)
    raise AttributeError(f"module 'archsmith.tracking' has no attribute {name!r}")
