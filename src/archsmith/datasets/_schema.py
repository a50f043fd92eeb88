"""What the model's inputs are: column kinds and the statistics preprocessing needs.

Every input schema (a table's :class:`InputSchema`, the array schemas of images, sequences,
texts and graphs, the pair schema of similarity models) is written to JSON with ``to_dict``
and read back by :func:`read_schema`, which looks the writer up in :data:`SCHEMA_READERS`;
each schema's module adds its own reader there with :func:`register_schema`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from typing import Any
from typing import Literal

import numpy as np
import pandas as pd

from archsmith.exceptions import DataError

ColumnKind = Literal["numeric", "boolean", "categorical"]
#: categorical columns with more categories than this are embedded, not one-hot encoded
ONE_HOT_MAX = 32
#: key of the numeric feature matrix in ``InputSchema.model_inputs``
NUMERIC_KEY = "archsmith_numeric"
#: readers of serialised input schemas by kind (``pair``: the two sides of a similarity model)
SCHEMA_READERS: dict[str, Callable[[dict[str, Any]], Any]] = {}


def register_schema(kind: str, reader: Callable[[dict[str, Any]], Any]) -> None:
    """Make :func:`read_schema` read the schemas of ``kind`` with ``reader``."""
    SCHEMA_READERS[kind] = reader


def read_schema(data: dict[str, Any]) -> Any:
    """A schema written by ``to_dict`` -> the schema object of its kind.

    Raises:
        DataError: no schema of that kind is known.
    """
    kind = "pair" if data.get("pair") else str(data.get("kind", "tabular"))
    reader = SCHEMA_READERS.get(kind)
    if reader is None:
        raise DataError(
            f"unknown input schema kind {kind!r}; expected one of {sorted(SCHEMA_READERS)}"
        )
    return reader(data)


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

    @property
    def categorical(self) -> bool:
        """Whether the model reads the column as categories (else as one number)."""
        return self.kind == "categorical"


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
        """The schema ``to_dict`` wrote, of any kind (see :func:`read_schema`)."""
        return read_schema(data)

    @classmethod
    def _read(cls, data: dict[str, Any]) -> InputSchema:
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
        return tuple(c for c in self.columns if not c.categorical)

    def check_frame(self, frame: pd.DataFrame, what: str = "X") -> None:
        """Raise a DataError unless ``frame`` has every column the model was fit on."""
        missing = [c for c in self.names if c not in frame.columns]
        if missing:
            raise DataError(
                f"{what} is missing column(s) {missing} that the model was fit on; got columns "
                f"{list(map(str, frame.columns))}; expected at least {list(self.names)}"
            )
        for col in self.columns:
            if not col.categorical and not _numeric_like(frame[col.name]):
                bad = frame[col.name][
                    pd.to_numeric(frame[col.name], errors="coerce").isna() & frame[col.name].notna()
                ]
                raise DataError(
                    f"{what} column '{col.name}' must be numeric (as in training) but has "
                    f"values like {bad.iloc[:3].tolist()}"
                )

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
            if col.categorical:
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
            if not col.categorical:
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
    """Refuse text columns a model cannot learn from: identifiers and dates as text."""
    present = int(series.notna().sum())
    if distinct >= _ID_MIN_DISTINCT and distinct > 0.9 * present:
        raise DataError(
            f"column '{name}' has {distinct} distinct values in {present} rows: it looks like "
            "an identifier, which a model cannot learn from; list it under data.drop"
        )
    sample = series.dropna().astype(str).head(20)
    if len(sample) and sample.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T][\d:.]+)?").all():
        raise DataError(
            f"column '{name}' holds dates (as text, e.g. {sample.iloc[0]!r}); convert them to "
            "numbers (e.g. days since a date) or list the column under data.drop"
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
        column = Column(str(name), infer_kind(series), has_missing=bool(series.isna().any()))
        columns.append(_STATISTICS[column.kind](column, series, max_categories))
    return InputSchema(tuple(columns))


def _vocabulary(column: Column, series: pd.Series, max_categories: int) -> Column:
    """A categorical column with its categories, most frequent first."""
    counts = _as_strings(series).value_counts()
    _check_categorical(column.name, series, len(counts))
    vocab = tuple(str(v) for v in counts.index if v != "")[:max_categories]
    return replace(column, vocabulary=vocab)


def _moments(column: Column, series: pd.Series, max_categories: int) -> Column:
    """A numeric or boolean column with its mean and standard deviation."""
    values = pd.to_numeric(series.astype("object"), errors="coerce").astype("float64")
    mean = float(values.mean()) if values.notna().any() else 0.0
    std = float(values.std(ddof=0)) if values.notna().sum() > 1 else 0.0
    return replace(column, mean=mean, std=std if std > 0 else 1.0)


#: the training statistics of each column kind
_STATISTICS: dict[str, Callable[[Column, pd.Series, int], Column]] = {
    "numeric": _moments,
    "boolean": _moments,
    "categorical": _vocabulary,
}


register_schema("tabular", InputSchema._read)
