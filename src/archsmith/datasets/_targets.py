"""Multilabel targets: a 0/1 matrix, a table of 0/1 columns, lists of labels, or strings of
labels joined by ``|`` (how a CSV file holds them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._schema import Target
from archsmith.exceptions import DataError


def _label_sets(y: Any) -> tuple[pd.Series, tuple[Any, ...] | None]:
    """``y`` -> a Series of label tuples, and the label order when ``y`` names it."""
    if isinstance(y, pd.DataFrame):
        names: tuple[Any, ...] = tuple(str(c) for c in y.columns)
        matrix = y.to_numpy()
    elif isinstance(y, pd.Series | list | tuple) and len(y) and not _number(next(iter(y))):
        values = list(y)
        if values and all(isinstance(v, str) for v in values):  # "a|b" strings (CSV files)
            values = [[p.strip() for p in v.split("|") if p.strip()] for v in values]
        if values and all(np.ndim(v) == 1 and np.size(v) > 0 and _binary(v) for v in values):
            lengths = {np.size(v) for v in values}
            if len(lengths) == 1 and not all(isinstance(v, list | tuple) for v in values):
                return _label_sets(np.asarray(values))
        if any(isinstance(v, str) or np.ndim(v) != 1 for v in values):
            raise DataError(
                "a multilabel target must be a 0/1 matrix (one column per label) or one list "
                f"of labels per example, but got values like {values[:3]}"
            )
        return pd.Series([tuple(sorted(map(str, v))) for v in values]), None
    else:
        matrix = np.asarray(y)
        if matrix.ndim != 2:
            raise DataError(
                "a multilabel target must be a 0/1 matrix (one column per label) or one list "
                f"of labels per example, but got an array of shape {matrix.shape}"
            )
        names = tuple(f"label_{j}" for j in range(matrix.shape[1]))
    if not _binary(matrix):
        raise DataError(
            "a multilabel target matrix must hold only 0 and 1 (or booleans), but got values "
            f"{sorted(set(np.unique(matrix).tolist()))[:6]}"
        )
    sets = [tuple(n for n, v in zip(names, row, strict=True) if v) for row in matrix]
    return pd.Series(sets), names


def _number(first: Any) -> bool:
    """Whether a row of ``y`` is a plain number (then ``y`` is not a list of label sets)."""
    return bool(np.isscalar(first) and not isinstance(first, str))


def _binary(values: Any) -> bool:
    try:
        arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        return False
    return bool(np.isin(arr, (0.0, 1.0)).all())


def multilabel_target(name: str, y: Any, threshold: float) -> tuple[Target, pd.Series]:
    """The multilabel :class:`Target` and the label set of each example.

    Raises:
        DataError: ``y`` is not a 0/1 matrix or lists of labels, or it has fewer than two
            labels.
    """
    sets, names = _label_sets(y)
    if names is None:
        names = tuple(sorted({label for s in sets for label in s}))
    if len(names) < 2:
        raise DataError(
            f"multilabel target '{name}' has {len(names)} label(s) {list(names)}; multilabel "
            "needs at least 2 labels (for a single yes/no label use task type classification)"
        )
    return Target(name, "multilabel", classes=names, threshold=threshold), sets


def encode_multilabel(name: str, y: Iterable[Any], classes: tuple[Any, ...]) -> np.ndarray:
    """Label collections -> ``(N, len(classes))`` 0/1 float32 matrix."""
    index = {str(c): j for j, c in enumerate(classes)}
    rows = list(y)
    out = np.zeros((len(rows), len(classes)), dtype="float32")
    for i, labels in enumerate(rows):
        for label in labels:
            j = index.get(str(label))
            if j is None:
                raise DataError(
                    f"target '{name}' has label {label!r} not seen in training; expected labels "
                    f"from {list(classes)}"
                )
            out[i, j] = 1.0
    return out


def encode_targets(target: Target, y: Any) -> np.ndarray:
    """Targets given by a user (labels, label sets, forecast values) -> encoded array."""
    if target.kind == "multilabel":
        sets, names = _label_sets(y)
        if names is not None and tuple(names) != tuple(target.classes):
            if len(names) != len(target.classes):
                raise DataError(
                    f"y has {len(names)} label columns but the model knows "
                    f"{len(target.classes)} labels {list(target.classes)}"
                )
            sets = pd.Series(
                [tuple(target.classes[names.index(n)] for n in s) for s in sets]
            )  # label_<j> columns of a bare matrix are the model's labels in order
        return encode_multilabel(target.name, sets, target.classes)
    if target.kind == "forecast":
        return np.asarray(y, dtype="float32").reshape(-1, target.horizon)
    from archsmith.datasets._dataset import as_target

    return target.encode(as_target(y).reset_index(drop=True))
