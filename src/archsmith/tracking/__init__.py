"""Tracking: the Tracker protocol and its MLflow implementation (MLflow imported lazily).

Code that records or reads searches gets its tracker from :func:`open_tracker`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archsmith.tracking._base import SearchRun
from archsmith.tracking._base import Tracker

__all__ = [
    "MlflowTracker",
    "SearchRun",
    "Tracker",
    "is_model_uri",
    "log_metrics",
    "mask_password",
    "model_files",
    "open_tracker",
    "register",
    "store_folder",
    "store_root",
    "store_uris",
]


def open_tracker(uri: str = "mlruns") -> Tracker:
    """The tracker of a declaration's ``tracking.uri`` (a folder or an MLflow URI).

    Raises:
        SpecError: the store cannot be opened (path ``tracking.uri``).
    """
    from archsmith.tracking._mlflow import MlflowTracker

    return MlflowTracker(uri)


def store_folder(uri: str) -> Path:
    """The local folder of ``uri``; ``./mlruns`` for a server or database store (engine
    storages and other local files of a search live there)."""
    from archsmith.tracking._store import store_root

    return store_root(uri) or Path("mlruns").resolve()


def __getattr__(name: str) -> Any:
    if name in ("MlflowTracker", "mask_password"):
        from archsmith.tracking import _mlflow

        return getattr(_mlflow, name)
    if name in ("is_model_uri", "log_metrics", "model_files", "register"):
        from archsmith.tracking import _registry

        return getattr(_registry, name)
    if name in ("store_root", "store_uris"):
        from archsmith.tracking import _store

        return getattr(_store, name)
    raise AttributeError(f"module 'archsmith.tracking' has no attribute {name!r}")
