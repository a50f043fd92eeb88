"""Tables: a DataFrame, a 2-D array, a mapping of columns or a CSV/Parquet file, for
classification and regression. Each column is numeric, boolean or categorical (see
:func:`~archsmith.datasets.build_schema`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._base import MIN_ROWS
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import assemble
from archsmith.datasets._base import check_classes
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import frame_bytes
from archsmith.datasets._base import label_bytes
from archsmith.datasets._base import split_indices
from archsmith.datasets._readers import as_frame
from archsmith.datasets._readers import as_target
from archsmith.datasets._sanity import check_columns
from archsmith.datasets._sanity import check_finite
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._schema import build_schema
from archsmith.datasets._split import split_by
from archsmith.datasets._split import take_split_column
from archsmith.datasets._targets import labelled_target
from archsmith.datasets._texts import refuse_mixed_text
from archsmith.exceptions import DataError
from archsmith.spec import ClassificationTask
from archsmith.spec import DataSpec
from archsmith.spec import RegressionTask

logger = logging.getLogger("archsmith")


def _features_and_target(
    x: Any, y: Any, task: ClassificationTask | RegressionTask
) -> tuple[pd.DataFrame, pd.Series, str]:
    """The feature table, the target (a column of ``x`` or ``y``) and its name."""
    frame = as_frame(x)
    if y is None:
        if task.target is None:
            raise DataError(
                "no target: pass y, or name the target column with task.target (or target=)"
            )
        if task.target not in frame.columns:
            raise DataError(
                f"target column '{task.target}' not found; the data has columns "
                f"{list(frame.columns)}"
            )
        return frame, frame.pop(task.target), task.target
    target = as_target(y)
    name = task.target or (str(target.name) if target.name is not None else "y")
    if len(target) != len(frame):
        raise DataError(
            f"X has {len(frame)} rows but y has {len(target)}; they must have one target per row"
        )
    return frame, target, name


def _columns(frame: pd.DataFrame, data: DataSpec) -> pd.DataFrame:
    """The input columns: without ``data.drop`` and empty columns; text alone or none."""
    unknown = [c for c in data.drop if c not in frame.columns]
    if unknown:
        raise DataError(
            f"data.drop names unknown column(s) {unknown}; columns are {list(frame.columns)}"
        )
    frame = frame.drop(columns=list(data.drop))
    check_columns(frame)
    if len(frame) == 0:
        raise DataError("the data has no rows (only a header?); expected at least one row")
    empty = [c for c in frame.columns if frame[c].isna().all()]
    if empty:
        logger.warning("dropping column(s) with no values: %s", empty)
        frame = frame.drop(columns=empty)
    if frame.shape[1] == 0:
        raise DataError("the data has no feature columns left to learn from")
    if data.kind == "auto":
        refuse_mixed_text(frame)
    if len(frame) < MIN_ROWS:
        raise DataError(
            f"the data has {len(frame)} rows (n_samples={len(frame)}); at least {MIN_ROWS} "
            "are needed to train and validate"
        )
    return frame


def load_table_dataset(
    x: Any,
    y: Any = None,
    *,
    task: ClassificationTask | RegressionTask,
    data: DataSpec,
    base_dir: Path | None = None,
) -> Dataset:
    """Build the :class:`Dataset` of a table for classification or regression.

    Raises:
        DataError: no data, no target column, X/y length mismatch, unknown dropped
            columns, a column of free text among others, too few rows, one class …
    """
    if x is None:
        if data.train is None:
            raise DataError("no data: pass X to fit() or set data.train in the declaration")
        path = Path(data.train)
        x = path if path.is_absolute() or base_dir is None else base_dir / path
    frame, target, name = _features_and_target(x, y, task)
    target = target.reset_index(drop=True)
    by, frame = take_split_column(frame.reset_index(drop=True), data)
    frame = _columns(frame, data)
    info, _ = labelled_target(name, target, task)
    if by is None:
        splits = split_indices(len(frame), target, data, stratify=info.stratified)
    else:
        splits = split_by(by, data)
    check_finite(frame, [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])])
    schema = build_schema(frame.iloc[splits[0]])
    check_finite(frame, [c.name for c in schema.numeric])  # numbers written as text too
    check_classes(info, target.iloc[splits[0]], "rows", "add rows")

    def make(ids: np.ndarray) -> Split:
        rows = frame.iloc[ids].reset_index(drop=True)
        labels = target.iloc[ids].reset_index(drop=True)
        return Split(rows, schema.model_inputs(rows), info.encode(labels), labels)

    parts = (frame_bytes(frame), label_bytes(target))
    tag = data.split.tag if data.split else None
    return assemble(schema, info, make, splits, fingerprint(parts, data, tag))


def table_inputs(inputs: pd.DataFrame, train: np.ndarray) -> tuple[InputSchema, Any, list[bytes]]:
    """The schema, rows and fingerprint parts of a table of examples; ``train`` indexes
    the training rows."""
    return build_schema(inputs.iloc[train]), inputs, [frame_bytes(inputs)]
