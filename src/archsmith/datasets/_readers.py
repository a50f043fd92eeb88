"""What users pass as data -> pandas: a table file, a DataFrame or array, a target column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.exceptions import DataError


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame, with a clear error when it can't."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt", ".tsv"):
            return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",")
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    raise DataError(f"unsupported data file {path}; expected .csv, .tsv or .parquet")


def as_frame(x: Any, what: str = "X") -> pd.DataFrame:
    """DataFrame, 2-D array, mapping of columns or file path -> DataFrame."""
    if isinstance(x, pd.DataFrame):
        frame = x
    elif isinstance(x, str | Path):
        frame = read_table(x)
    elif isinstance(x, dict):
        frame = pd.DataFrame(x)
    else:
        arr = np.asarray(x)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        if arr.ndim != 2:
            raise DataError(
                f"{what} must be a table (DataFrame or 2-D array), but got an array of shape "
                f"{arr.shape}"
            )
        frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    return frame


def as_target(y: Any) -> pd.Series:
    """A target given as a Series, a one-column DataFrame, a list or an array -> Series."""
    if isinstance(y, pd.Series):
        return y.copy()
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"y must be one column, but got {y.shape[1]} columns")
        return y.iloc[:, 0].copy()
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise DataError(f"y must be one column, but got an array of shape {arr.shape}")
    return pd.Series(arr)
