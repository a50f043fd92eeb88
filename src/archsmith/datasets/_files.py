"""Arrays saved by NumPy as data files: ``.npz`` (named arrays) and ``.npy`` (one array).

Images ``(N, H, W[, C])``, sequences ``(N, T[, C])``, tables ``(N, features)`` and texts (a
1-D array of strings) have no table form a CSV could hold well, so a declaration may name
an ``.npz`` file that holds the inputs and the targets under two names (``data.x_key``,
default ``x``; ``data.y_key``, default ``y``), as ``np.savez(path, x=X, y=y)`` writes them.
An ``.npy`` file holds one array: inputs that need no targets (one forecasting series, the
rows of an unsupervised task). Files are read with ``allow_pickle=False``: loading a pickle
can run code, so arrays of Python objects are refused.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from archsmith.exceptions import DataError
from archsmith.spec import DataSpec

#: file suffixes read as NumPy arrays
ARRAY_SUFFIXES = (".npy", ".npz")
#: tasks whose data needs a target array beside the inputs
_TARGET_TASKS = ("classification", "regression", "multilabel")
#: tasks whose data may hold optional labels (used to score, not to train)
_LABEL_TASKS = ("anomaly_detection", "clustering")


def is_array_file(source: Any) -> bool:
    """Whether ``source`` is a path to an ``.npy`` or ``.npz`` file."""
    return isinstance(source, str | Path) and Path(source).suffix.lower() in ARRAY_SUFFIXES


def _pickled(path: Path, key: str | None) -> DataError:
    what = f"array '{key}'" if key else "the array"
    return DataError(
        f"{path}: {what} holds Python objects, which NumPy can only load by unpickling, and "
        "archsmith does not unpickle data files (a pickle can run code); save numbers, or "
        "texts as a string array (np.asarray(texts, dtype=str))"
    )


def _load(path: Path) -> dict[str, np.ndarray]:
    """The arrays of ``path`` by name (``.npy``: its one array, under the name ``""``)."""
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    npy = path.suffix.lower() == ".npy"
    with path.open("rb") as file:
        head = file.read(6)
    if not head.startswith(b"\x93NUMPY" if npy else b"PK"):  # .npy magic; .npz is a zip
        writer = "np.save" if npy else "np.savez"
        raise DataError(f"{path} is not a NumPy {path.suffix} file (as {writer} writes one)")
    try:
        if npy:
            return {"": np.load(path, allow_pickle=False)}
        with np.load(path, allow_pickle=False) as archive:
            arrays = {}
            for key in archive.files:
                try:
                    arrays[key] = archive[key]
                except ValueError as exc:
                    if "allow_pickle" in str(exc):
                        raise _pickled(path, key) from None
                    raise
            return arrays
    except DataError:
        raise
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise _pickled(path, None) from None
        raise DataError(f"cannot read {path}: {exc}") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"cannot read {path} as a NumPy {path.suffix} file: {exc}") from None


def _check_inputs(path: Path, key: str, x: np.ndarray, task_type: str) -> None:
    if task_type == "forecasting":
        return  # read_series says which shapes a series may have
    if x.ndim in (2, 3, 4) or (x.ndim == 1 and np.issubdtype(x.dtype, np.str_)):
        return
    what = f"array '{key}' (data.x_key)" if key else "the array"
    raise DataError(
        f"{path}: {what} has shape {x.shape}, but the inputs must hold "
        "one example per row: (N, features) for a table, (N, T) or (N, T, C) for sequences, "
        "(N, H, W) or (N, H, W, C) for images, or a 1-D array of strings for texts"
    )


def _check_targets(path: Path, key: str, y: np.ndarray, n: int, task_type: str) -> None:
    most = 2 if task_type == "multilabel" else 1
    if y.ndim == 2 and y.shape[1] == 1:
        most = 2
    if not 1 <= y.ndim <= most:
        expected = (
            "(N,) labels or an (N, labels) 0/1 matrix" if task_type == "multilabel" else "(N,)"
        )
        raise DataError(
            f"{path}: array '{key}' (data.y_key) has shape {y.shape}; the targets of a "
            f"{task_type} task must have shape {expected}"
        )
    if len(y) != n:
        raise DataError(
            f"{path}: the inputs hold {n} examples but array '{key}' holds {len(y)} targets; "
            "one target per example"
        )


def read_arrays(path: Path, data: DataSpec, task_type: str) -> tuple[np.ndarray, Any]:
    """The inputs and targets (or None) of an ``.npz`` or ``.npy`` data file.

    Args:
        path: the file.
        data: names the arrays (``x_key``, ``y_key``) of an ``.npz`` file.
        task_type: the task's ``type``; classification, regression and multilabel need
            targets, anomaly detection and clustering take optional labels, forecasting and
            generation take the inputs only.

    Raises:
        DataError: the file cannot be read, holds Python objects, lacks an array, or an
            array has the wrong number of dimensions or examples.
    """
    arrays = _load(path)
    wants_y = task_type in _TARGET_TASKS
    if "" in arrays:  # .npy
        if wants_y:
            raise DataError(
                f"{path}: an .npy file holds one array (the inputs), but a {task_type} task "
                "also needs targets; save both in one .npz file (np.savez(path, x=X, y=y)) "
                "and set data.train to it"
            )
        x, key, y = arrays[""], "", None
    else:
        key = data.x_key
        if key not in arrays:
            raise DataError(
                f"{path} has no array '{key}' for the inputs (data.x_key); it holds "
                f"{sorted(arrays)}; name the inputs' array with data.x_key"
            )
        x = arrays[key]
        y = arrays.get(data.y_key) if wants_y or task_type in _LABEL_TASKS else None
        if wants_y and y is None:
            raise DataError(
                f"{path} has no array '{data.y_key}' for the targets (data.y_key); it holds "
                f"{sorted(arrays)}; name the targets' array with data.y_key"
            )
    _check_inputs(path, key, x, task_type)
    if y is not None:
        _check_targets(path, data.y_key, y, len(x), task_type)
    return x, y
