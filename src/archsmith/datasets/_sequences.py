"""Sequences: ``(N, T)`` or ``(N, T, C)`` arrays, one row of ``T`` steps per example."""

from __future__ import annotations

from typing import Any

import numpy as np

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._arrays import sequence_schema
from archsmith.exceptions import DataError


def sequence_array(arr: np.ndarray) -> np.ndarray:
    """Sequences ``(N, T, C)`` (or ``(N, T)``: one channel) -> float32 with finite values.

    Raises:
        DataError: NaN or infinite values.
    """
    arr = arr if arr.ndim == 3 else arr[..., None]
    arr = arr.astype("float32", copy=False)
    if not np.isfinite(arr).all():
        raise DataError("the sequences hold NaN or infinite values; fill them first")
    return arr


def sequence_inputs(inputs: np.ndarray, train: np.ndarray) -> tuple[ArraySchema, Any, list[bytes]]:
    """The schema, rows and fingerprint parts of sequences; ``train`` indexes the training
    sequences."""
    arr = sequence_array(inputs)
    return sequence_schema(arr[train]), arr, [np.ascontiguousarray(arr).tobytes()]
