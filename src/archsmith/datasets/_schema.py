"""What the model's inputs are: column kinds and the statistics preprocessing needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from typing import Literal

import numpy as np
import pandas as pd

from archsmith.datasets._sanity import check_columns
from archsmith.datasets._sanity import check_finite
from archsmith.datasets._sanity import check_stray_text
from archsmith.datasets._sanity import check_unique_names
from archsmith.exceptions import DataError

ColumnKind = Literal["numeric", "boolean", "categorical"]
#: categorical columns with more categories than this are embedded, not one-hot encoded
ONE_HOT_MAX = 32
#: key of the numeric feature matrix in ``InputSchema.model_inputs``
NUMERIC_KEY = "archsmith_numeric"


@dataclass(frozen=True)
class Column:
    """One input column.

    Attributes:
        name: column name in the user's table.
        kind: ``numeric``, ``boolean`` or ``categorical``.
        mean, std: training statistics of numeric and boolean columns.
        has_missing: whether the training data had missing values (adds an indicator).
        vocabulary: categories seen in training, most frequent first (categorical only).
    """

    name: str
    kind: ColumnKind
    mean: float = 0.0
    std: float = 1.0
    has_missing: bool = False
    vocabulary: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The Keras input name: the column name with characters Keras refuses replaced.

        Names starting with ``archsmith_`` (reserved for the model's own layers and inputs)
        get a ``c_`` prefix.
        """
        key = re.sub(r"[^A-Za-z0-9_.\-]", "_", self.name) or "column"
        return f"c_{key}" if key.startswith("archsmith_") else key


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

    def encode(self, y: pd.Series) -> np.ndarray:
        """Labels -> class indices (classification) or float32 values (regression).

        Multilabel: a Series of label collections -> ``(N, labels)`` 0/1 float32 matrix.
        Forecast: a Series of value sequences -> ``(N, horizon)`` float32 matrix.
        """
        if self.kind == "continuous":
            return y.to_numpy(dtype="float32")
        if self.kind == "forecast":
            return np.asarray([np.asarray(v, dtype="float32") for v in y]).reshape(-1, self.horizon)
        if self.kind == "multilabel":
            from archsmith.datasets._targets import encode_multilabel

            return encode_multilabel(self.name, y, self.classes)
        if self.kind == "anomaly":
            if not self.classes:
                return np.zeros(len(y), dtype="int32")
            return (y != self.classes[0]).to_numpy(dtype="int32")
        if self.kind == "cluster" and not self.classes:
            return np.zeros(len(y), dtype="int32")
        index = {c: i for i, c in enumerate(self.classes)}
        codes = y.map(index)
        if codes.isna().any():
            unknown = sorted(map(str, y[codes.isna()].unique()))[:5]
            raise DataError(
                f"target '{self.name}' has labels not seen in training: {unknown}; "
                f"expected one of {list(self.classes)}"
            )
        return codes.to_numpy(dtype="int32")

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


def _as_strings(series: pd.Series) -> pd.Series:
    """Category values as strings; missing values become ''."""
    out = series.astype("object").where(series.notna(), "")
    return out.map(str)


@dataclass(frozen=True)
class InputSchema:
    """The input columns a model takes, in order, and how to turn a table into inputs.

    ``model_inputs`` gives the arrays the trained network takes: every numeric and boolean
    column in one ``(N, k)`` float matrix under :data:`NUMERIC_KEY` (NaN kept: the model
    imputes), each categorical column as ``(N, 1)`` integer codes (0: unknown or missing).
    ``raw_inputs`` gives what the exported model takes: one ``(N, 1)`` array per column,
    keyed by :attr:`Column.key`, categories as strings.
    """

    columns: tuple[Column, ...]
    kind: Literal["tabular"] = "tabular"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": [
                {
                    "name": c.name,
                    "kind": c.kind,
                    "mean": c.mean,
                    "std": c.std,
                    "has_missing": c.has_missing,
                    "vocabulary": list(c.vocabulary),
                }
                for c in self.columns
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputSchema:
        if data.get("pair"):  # the two sides of a similarity model
            from archsmith.datasets._pairs import PairSchema

            return PairSchema.from_dict(data)  # type: ignore[return-value]
        if data.get("kind", "tabular") != "tabular":  # image, sequence or text
            from archsmith.datasets._arrays import ArraySchema

            return ArraySchema.from_dict(data)  # type: ignore[return-value]
        return cls(
            tuple(
                Column(
                    c["name"],
                    c["kind"],
                    c["mean"],
                    c["std"],
                    c["has_missing"],
                    tuple(c["vocabulary"]),
                )
                for c in data["columns"]
            ),
            data["kind"],
        )

    @property
    def numeric(self) -> tuple[Column, ...]:
        """Numeric and boolean columns, in the order of the numeric matrix."""
        return tuple(c for c in self.columns if c.kind != "categorical")

    def check_frame(self, frame: pd.DataFrame, what: str = "X") -> None:
        """Raise a DataError unless ``frame`` has every column the model was fit on."""
        check_unique_names(frame, what)
        missing = [c for c in self.names if c not in frame.columns]
        if missing:
            raise DataError(
                f"{what} is missing column(s) {missing} that the model was fit on; got columns "
                f"{list(map(str, frame.columns))}; expected at least {list(self.names)}"
            )
        for col in self.columns:
            if col.kind != "categorical" and not _numeric_like(frame[col.name]):
                bad = frame[col.name][
                    pd.to_numeric(frame[col.name], errors="coerce").isna() & frame[col.name].notna()
                ]
                raise DataError(
                    f"{what} column '{col.name}' must be numeric (as in training) but has "
                    f"values like {bad.iloc[:3].tolist()}"
                )
        check_columns(frame[list(self.names)], what)
        check_finite(frame, [c.name for c in self.numeric], what)

    def _numbers(self, frame: pd.DataFrame, col: Column) -> np.ndarray:
        values = pd.to_numeric(frame[col.name].astype("object"), errors="coerce")
        return values.to_numpy(dtype="float32", na_value=np.nan).reshape(-1, 1)

    def _codes(self, frame: pd.DataFrame, col: Column) -> np.ndarray:
        codes = pd.Categorical(_as_strings(frame[col.name]), categories=col.vocabulary)
        return (np.asarray(codes.codes, dtype="int64") + 1).reshape(-1, 1)

    def model_inputs(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """Arrays for the trained network (see the class docstring)."""
        self.check_frame(frame)
        out: dict[str, np.ndarray] = {}
        if self.numeric:
            out[NUMERIC_KEY] = np.hstack([self._numbers(frame, c) for c in self.numeric])
        for col in self.columns:
            if col.kind == "categorical":
                out[col.key] = self._codes(frame, col)
        return out

    def raw_inputs(self, frame: pd.DataFrame, strings: bool = True) -> dict[str, np.ndarray]:
        """Arrays for the exported model, one per column.

        Args:
            frame: raw rows.
            strings: categories as strings ('' when missing), as the exported model takes
                them on TensorFlow; False gives integer codes (backends without strings).
        """
        self.check_frame(frame)
        out: dict[str, np.ndarray] = {}
        for col in self.columns:
            if col.kind != "categorical":
                out[col.key] = self._numbers(frame, col)
            elif strings:
                out[col.key] = _as_strings(frame[col.name]).to_numpy(dtype=str).reshape(-1, 1)
            else:
                out[col.key] = self._codes(frame, col)
        return out


def _numeric_like(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return True
    values = series.dropna()
    return bool(pd.to_numeric(values, errors="coerce").notna().all())


def _is_boolean(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return True
    values = series.dropna()
    return len(values) > 0 and bool(values.map(lambda v: isinstance(v, bool | np.bool_)).all())


def infer_kind(series: pd.Series) -> ColumnKind:
    """Column kind from its dtype and values."""
    if _is_boolean(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(series):
        raise DataError(
            f"column '{series.name}' holds dates; convert them to numbers (e.g. days since a "
            "date) or list the column under data.drop"
        )
    return "categorical"


#: A text column with at least this many distinct values, nearly one per row, is an id.
_ID_MIN_DISTINCT = 50


def _check_categorical(name: str, series: pd.Series, distinct: int) -> None:
    """Refuse text columns a model cannot learn from: dates as text, numbers with a few
    stray strings, identifiers (checked in that order, the most specific first)."""
    present = int(series.notna().sum())
    sample = series.dropna().astype(str).head(20)
    if len(sample) and sample.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T][\d:.]+)?").all():
        raise DataError(
            f"column '{name}' holds dates (as text, e.g. {sample.iloc[0]!r}); convert them to "
            "numbers (e.g. days since a date) or list the column under data.drop"
        )
    check_stray_text(name, series)
    if distinct >= _ID_MIN_DISTINCT and distinct > 0.9 * present:
        raise DataError(
            f"column '{name}' has {distinct} distinct values in {present} rows: it looks like "
            "an identifier, which a model cannot learn from; list it under data.drop"
        )


def build_schema(frame: pd.DataFrame, max_categories: int = 10_000) -> InputSchema:
    """Infer column kinds and training statistics from the training rows."""
    columns: list[Column] = []
    keys = [Column(str(n), "numeric").key for n in frame.columns]
    clashes = sorted({k for k in keys if keys.count(k) > 1})
    if clashes:
        raise DataError(
            f"columns {[n for n, k in zip(frame.columns, keys, strict=False) if k in clashes]} "
            "differ only in characters other than letters, digits, '_', '.' and "
            "'-'; rename them"
        )
    for name in frame.columns:
        series = frame[name]
        kind = infer_kind(series)
        missing = bool(series.isna().any())
        if kind == "categorical":
            counts = _as_strings(series).value_counts()
            _check_categorical(str(name), series, len(counts))
            vocab = tuple(str(v) for v in counts.index if v != "")[:max_categories]
            columns.append(Column(str(name), kind, has_missing=missing, vocabulary=vocab))
        else:
            values = pd.to_numeric(series.astype("object"), errors="coerce").astype("float64")
            mean = float(values.mean()) if values.notna().any() else 0.0
            std = float(values.std(ddof=0)) if values.notna().sum() > 1 else 0.0
            columns.append(
                Column(str(name), kind, mean=mean, std=std if std > 0 else 1.0, has_missing=missing)
            )
    return InputSchema(tuple(columns))
