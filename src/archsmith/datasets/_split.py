"""``data.split`` of a table: group-aware (no group on both sides) or time-ordered (the
latest rows held out) train / validation / test indexes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from archsmith.exceptions import DataError
from archsmith.spec import DataSpec


def take_split_column(frame: pd.DataFrame, data: DataSpec) -> tuple[pd.Series | None, pd.DataFrame]:
    """The column ``data.split`` names and the table without it (it is not a feature).

    Raises:
        DataError: the column is not in the table (naming the field and the columns).
    """
    if data.split is None:
        return None, frame
    field = "data.split.group" if data.split.group else "data.split.time"
    column = data.split.column
    if column not in frame.columns:
        raise DataError(
            f"{field} names column '{column}', which is not in the data; columns are "
            f"{[str(c) for c in frame.columns]}"
        )
    values = frame[column]
    if values.isna().any():
        rows = values.index[values.isna()][:5].tolist()
        raise DataError(
            f"{field}: column '{column}' has {int(values.isna().sum())} missing value(s) "
            f"(first rows: {rows}); every row needs a value to be split by it"
        )
    rest = frame if column in data.drop else frame.drop(columns=[column])
    return values.reset_index(drop=True), rest


def split_by(values: pd.Series, data: DataSpec) -> list[np.ndarray]:
    """Train, validation and test indexes (sorted; test empty when ``data.test`` is 0)."""
    assert data.split is not None
    if data.split.group:
        return _by_group(values, data)
    return _by_time(values, data)


def _by_group(values: pd.Series, data: DataSpec) -> list[np.ndarray]:
    from sklearn.model_selection import GroupShuffleSplit

    groups = values.astype(str).to_numpy()
    distinct = len(set(groups))
    needed = 3 if data.test > 0 else 2
    if distinct < needed:
        raise DataError(
            f"data.split.group: column '{data.split.column if data.split else ''}' has "
            f"{distinct} group(s), but a group-aware split needs at least {needed} (one per "
            "split); name a column with more groups or remove data.split"
        )

    def split(ids: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray]:
        splitter = GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=data.seed)
        a, b = next(splitter.split(ids, groups=groups[ids]))
        return np.sort(ids[a]), np.sort(ids[b])

    idx = np.arange(len(groups))
    test = np.array([], dtype=int)
    if data.test > 0:
        idx, test = split(idx, data.test)
    train, val = split(idx, data.validation / (1 - data.test))
    return [train, val, test]


def _orderable(values: pd.Series, column: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values):
        raise DataError(_not_orderable(column, values))
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values.to_numpy()
    try:
        return pd.to_datetime(values, format="mixed").to_numpy()
    except (ValueError, TypeError):
        raise DataError(_not_orderable(column, values)) from None


def _not_orderable(column: str, values: pd.Series) -> str:
    return (
        f"data.split.time: column '{column}' cannot be ordered in time: expected numbers or "
        f"dates (e.g. 2024-01-31), got values such as {values.astype(str).head(3).tolist()}"
    )


def _by_time(values: pd.Series, data: DataSpec) -> list[np.ndarray]:
    order = np.argsort(_orderable(values, data.split.column if data.split else ""), kind="stable")
    n = len(order)
    n_test = round(n * data.test)
    n_val = max(1, round(n * data.validation))
    train = order[: n - n_test - n_val]
    val = order[n - n_test - n_val : n - n_test]
    test = order[n - n_test :]
    return [np.sort(train), np.sort(val), np.sort(test)]
