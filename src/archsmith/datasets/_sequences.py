"""Sequences: ``(N, T)`` or ``(N, T, C)`` arrays, one row of ``T`` steps per example."""

from __future__ import annotations

from typing import Any

import numpy as np

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._arrays import sequence_schema
from archsmith.exceptions import DataError


def sequence_array(arr: np.ndarray) -> np.ndarray:
    """Sequences ``(N, T, C)`` (or ``(N, T)``: one channel) -> float32 with finite values,
    but for NaN steps at the end of a series: the padding of ``data.pad``.

    Raises:
        DataError: NaN or infinite values elsewhere.
    """
    arr = arr if arr.ndim == 3 else arr[..., None]
    arr = arr.astype("float32", copy=False)
    if not np.isfinite(arr).all() and not _padding_only(arr):
        raise DataError(
            "the sequences hold NaN or infinite values (other than NaN steps at the end of a "
            "series, the padding of data.pad); fill them first"
        )
    return arr


def _padding_only(arr: np.ndarray) -> bool:
    """Whether the non-finite values of ``arr`` are whole NaN steps at the end of series."""
    if np.isinf(arr).any():
        return False
    step_nan = np.isnan(arr).any(axis=-1)  # (N, T)
    if not (np.isnan(arr).all(axis=-1) == step_nan).all():
        return False  # a step partly NaN
    # once a series is padded it stays padded: NaN flags never go back to False
    return bool((np.diff(step_nan.astype("int8"), axis=1) >= 0).all())


def sequence_inputs(inputs: np.ndarray, train: np.ndarray) -> tuple[ArraySchema, Any, list[bytes]]:
    """The schema, rows and fingerprint parts of sequences; ``train`` indexes the training
    sequences."""
    arr = sequence_array(inputs)
    return sequence_schema(arr[train]), arr, [np.ascontiguousarray(arr).tobytes()]
