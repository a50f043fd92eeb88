"""Checks every table passes on the way to a network, in fit and in predict alike.

- :func:`check_columns`: column names are unique and no column holds nested values
  (Parquet structs or lists, Python dicts/lists in a DataFrame), which no network input
  can take and which the data fingerprint cannot hash;
- :func:`check_finite`: numeric feature columns hold no ``inf``/``-inf`` and no value
  beyond float32's range (about 3.4e38), which a network turns into NaN outputs: a
  failed trial with misleading advice in fit, NaN probabilities and a wrong label in
  predict.

Each raises a :class:`~archsmith.exceptions.DataError` naming the column and, for values,
the first bad row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from archsmith.exceptions import DataError

#: Largest magnitude a float32 network input can hold.
FLOAT32_MAX = float(np.finfo(np.float32).max)

_NESTED = (dict, list, tuple, set, frozenset, np.ndarray)


def _is_nested(value: Any) -> bool:
    return isinstance(value, _NESTED)


def check_unique_names(frame: pd.DataFrame, what: str = "X") -> None:
    """Refuse duplicate column names (``1`` and ``"1"`` count as the same name).

    Raises:
        DataError: naming the duplicated columns.
    """
    names = [str(c) for c in frame.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(
            f"{what} has duplicate column name(s) {dupes}; expected each column name once "
            "(rename or remove the copies)"
        )


def check_columns(frame: pd.DataFrame, what: str = "X") -> None:
    """Refuse duplicate column names and columns of nested values (structs, lists).

    Raises:
        DataError: naming the duplicated or nested columns.
    """
    check_unique_names(frame, what)
    nested = [
        str(name)
        for name, column in frame.items()
        if column.dtype == object and column.map(_is_nested, na_action="ignore").any()
    ]
    if nested:
        raise DataError(
            f"{what} column(s) {nested} hold nested values (structs, lists or arrays); "
            "expected one number, category or text per cell: flatten them into columns, "
            "or list them under data.drop"
        )


def check_finite(frame: pd.DataFrame, columns: Iterable[str], what: str = "X") -> None:
    """Refuse ``inf``/``-inf`` and values over float32's range in numeric ``columns``.

    Missing values (NaN, empty cells) are allowed: the model imputes them.

    Raises:
        DataError: naming the column, the first bad row (0-based, header excluded) and its
            value.
    """
    for name in columns:
        values = pd.to_numeric(frame[name].astype("object"), errors="coerce")
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(numbers) | (np.abs(numbers) > FLOAT32_MAX)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"{what} column '{name}' has {int(bad.sum())} infinite or too large value(s) "
                f"(first at row {first}: {numbers[first]!r}); expected finite numbers within "
                f"+-{FLOAT32_MAX:.3g} (missing values are allowed): fix or drop those rows"
            )


def check_stray_text(name: str, series: pd.Series) -> None:
    """Refuse a text column that is numbers but for a few placeholders (``N/A``, ``-``, ``?``).

    Such a column would otherwise be read as categories (or as an identifier); the few
    strings are almost always missing values or typos.

    Raises:
        DataError: naming the column, the stray values and the first row holding one.
    """
    present = series.dropna()
    if pd.api.types.is_numeric_dtype(series) or len(present) < 10:
        return
    numbers = pd.to_numeric(present.astype("object"), errors="coerce")
    stray = present[numbers.isna()]
    if len(stray) == 0 or len(stray) > max(1, 0.05 * len(present)):
        return
    kinds = sorted({str(v) for v in stray})
    if len(kinds) > 3:
        return
    raise DataError(
        f"column '{name}' holds numbers except {len(stray)} value(s) {kinds} (first at row "
        f"{stray.index[0]}); expected numbers only: leave missing cells empty, fix the "
        "values, or list the column under data.drop"
    )


__all__ = [
    "FLOAT32_MAX",
    "check_columns",
    "check_finite",
    "check_stray_text",
    "check_unique_names",
]
