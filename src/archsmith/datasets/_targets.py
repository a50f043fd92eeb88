"""The target: its kind, how labels are encoded, and the targets of labelled data.

What depends on the kind of a target (how labels are encoded, whether splits are stratified
on them, how a user's ``y`` is read) is data: one :class:`TargetKind` per kind in
:data:`TARGET_KINDS`. Multilabel targets are read from a 0/1 matrix, a table of 0/1 columns,
lists of labels, or strings of labels joined by ``|`` (how a CSV file holds them).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from typing import Literal

import numpy as np
import pandas as pd

from archsmith.datasets._readers import as_target
from archsmith.exceptions import DataError
from archsmith.spec import ClassificationTask
from archsmith.spec import MultilabelTask
from archsmith.spec import RegressionTask

LabelledTask = ClassificationTask | RegressionTask | MultilabelTask


@dataclass(frozen=True)
class Target:
    """The target: its kind, class labels (classification) or scale (regression).

    For anomaly detection (kind ``anomaly``), ``classes`` holds the label of normal rows
    (empty without labels) and rows are encoded 1 for anomalies, 0 for normal rows. For
    clustering (kind ``cluster``), ``classes`` holds the optional labels (encoded as class
    indices; all 0 without labels). For generation (kind ``generation``) there is no target:
    a split's ``y`` holds its rows (numeric columns, data units), which generated rows are
    compared with. For similarity (kind ``similarity``), ``classes`` is ``(0, 1)``: a pair's
    ``y`` is 1 when its two examples are of the same class, 0 otherwise.
    """

    name: str
    kind: Literal[
        "binary",
        "multiclass",
        "continuous",
        "multilabel",
        "forecast",
        "anomaly",
        "cluster",
        "generation",
        "similarity",
    ]
    classes: tuple[Any, ...] = ()
    mean: float = 0.0
    std: float = 1.0
    #: multilabel: probability at or above which a label is predicted
    threshold: float = 0.5
    #: forecast: steps predicted, season length, MASE scale (in-sample seasonal-naive MAE)
    horizon: int = 1
    seasonality: int = 1
    scale: float = 1.0

    @property
    def stratified(self) -> bool:
        """Whether splits are stratified on the labels (classes to keep in every split)."""
        return TARGET_KINDS[self.kind].stratify

    def encode(self, y: pd.Series) -> np.ndarray:
        """Labels -> class indices (classification) or float32 values (regression).

        Multilabel: a Series of label collections -> ``(N, labels)`` 0/1 float32 matrix.
        Forecast: a Series of value sequences -> ``(N, horizon)`` float32 matrix.
        """
        return TARGET_KINDS[self.kind].encode(self, y)

    def decode(self, indices: np.ndarray) -> np.ndarray:
        """Class indices -> original labels."""
        return np.asarray(self.classes)[indices]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "classes": [_plain(c) for c in self.classes],
            "mean": self.mean,
            "std": self.std,
            "threshold": self.threshold,
            "horizon": self.horizon,
            "seasonality": self.seasonality,
            "scale": self.scale,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(
            data["name"],
            data["kind"],
            tuple(data["classes"]),
            data["mean"],
            data["std"],
            data.get("threshold", 0.5),
            data.get("horizon", 1),
            data.get("seasonality", 1),
            data.get("scale", 1.0),
        )


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (JSON-friendly)."""
    return value.item() if isinstance(value, np.generic) else value


def _codes(target: Target, y: pd.Series) -> np.ndarray:
    """Labels -> indices of ``target.classes``."""
    index = {c: i for i, c in enumerate(target.classes)}
    codes = y.map(index)
    if codes.isna().any():
        unknown = sorted(map(str, y[codes.isna()].unique()))[:5]
        raise DataError(
            f"target '{target.name}' has labels not seen in training: {unknown}; "
            f"expected one of {list(target.classes)}"
        )
    return codes.to_numpy(dtype="int32")


def _values(target: Target, y: pd.Series) -> np.ndarray:
    return y.to_numpy(dtype="float32")


def _windows(target: Target, y: pd.Series) -> np.ndarray:
    return np.asarray([np.asarray(v, dtype="float32") for v in y]).reshape(-1, target.horizon)


def _label_matrix(target: Target, y: pd.Series) -> np.ndarray:
    return encode_multilabel(target.name, y, target.classes)


def _anomaly_flags(target: Target, y: pd.Series) -> np.ndarray:
    """1 for anomalies (labels other than the normal one), 0 for normal rows; all 0
    without labels."""
    if not target.classes:
        return np.zeros(len(y), dtype="int32")
    return (y != target.classes[0]).to_numpy(dtype="int32")


def _clusters(target: Target, y: pd.Series) -> np.ndarray:
    """Class indices of the optional labels; all 0 without labels."""
    if not target.classes:
        return np.zeros(len(y), dtype="int32")
    return _codes(target, y)


def _labels(target: Target, y: Any) -> np.ndarray:
    return target.encode(as_target(y).reset_index(drop=True))


def _user_label_sets(target: Target, y: Any) -> np.ndarray:
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


def _user_windows(target: Target, y: Any) -> np.ndarray:
    return np.asarray(y, dtype="float32").reshape(-1, target.horizon)


@dataclass(frozen=True)
class TargetKind:
    """What a kind of target does with labels.

    Attributes:
        encode: labels of a split (a Series) -> the array the network learns.
        read: a user's ``y`` (any form ``fit``/``score`` take) -> the same array.
        stratify: splits keep the share of each label (classification).
    """

    encode: Callable[[Target, pd.Series], np.ndarray] = _codes
    read: Callable[[Target, Any], np.ndarray] = _labels
    stratify: bool = False


#: every target kind and what it does with labels
TARGET_KINDS: dict[str, TargetKind] = {
    "binary": TargetKind(stratify=True),
    "multiclass": TargetKind(stratify=True),
    "continuous": TargetKind(_values),
    "multilabel": TargetKind(_label_matrix, _user_label_sets),
    "forecast": TargetKind(_windows, _user_windows),
    "anomaly": TargetKind(_anomaly_flags),
    "cluster": TargetKind(_clusters),
    "generation": TargetKind(),
    "similarity": TargetKind(),
}


def encode_targets(target: Target, y: Any) -> np.ndarray:
    """Targets given by a user (labels, label sets, forecast values) -> encoded array."""
    return TARGET_KINDS[target.kind].read(target, y)


# -- the targets of labelled data -----------------------------------------------------------
def class_target(name: str, y: pd.Series) -> Target:
    """The binary or multiclass target of class labels.

    Raises:
        DataError: missing labels, or a single class.
    """
    bad = y.isna()
    if bad.any():
        rows = y.index[bad][:5].tolist()
        raise DataError(
            f"target '{name}' has {int(bad.sum())} missing value(s) (first rows: {rows}); "
            "drop those rows or fill them"
        )
    classes = tuple(sorted(y.unique(), key=lambda v: (str(type(v)), v)))
    if len(classes) < 2:
        raise DataError(
            f"target '{name}' has a single class {classes[0]!r}; classification needs at "
            "least 2 classes"
        )
    return Target(name, "binary" if len(classes) == 2 else "multiclass", classes=classes)


def value_target(name: str, y: pd.Series) -> Target:
    """The continuous target of regression, with the mean and scale of its values.

    Raises:
        DataError: missing, infinite or non-numeric values.
    """
    bad = y.isna()
    values = pd.to_numeric(y, errors="coerce")
    bad |= values.isna() | ~np.isfinite(values.astype("float64").fillna(0.0))
    if bad.any():
        rows = y.index[bad][:5].tolist()
        raise DataError(
            f"target '{name}' must be finite numbers for regression, but {int(bad.sum())} "
            f"row(s) are missing, infinite or not numeric (first rows: {rows})"
        )
    std = float(values.std(ddof=0))
    return Target(name, "continuous", mean=float(values.mean()), std=std or 1.0)


def _labelled(make: Callable[[str, pd.Series], Target]) -> Callable[..., tuple[Target, pd.Series]]:
    def read(name: str, y: Any, task: LabelledTask) -> tuple[Target, pd.Series]:
        labels = as_target(y).reset_index(drop=True)
        return make(name, labels), labels

    return read


def _label_set_target(name: str, y: Any, task: MultilabelTask) -> tuple[Target, pd.Series]:
    return multilabel_target(name, y, task.threshold)


#: the target of each labelled task, from its raw labels: (target, labels as a Series)
LABELLED_TARGETS: dict[str, Callable[..., tuple[Target, pd.Series]]] = {
    "classification": _labelled(class_target),
    "regression": _labelled(value_target),
    "multilabel": _label_set_target,
}


def labelled_target(name: str, y: Any, task: LabelledTask) -> tuple[Target, pd.Series]:
    """The :class:`Target` of a labelled task and its labels, one per example.

    Raises:
        DataError: labels the task cannot learn (see :func:`class_target`,
            :func:`value_target`, :func:`multilabel_target`).
    """
    return LABELLED_TARGETS[task.type](name, y, task)


# -- multilabel targets ---------------------------------------------------------------------
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
