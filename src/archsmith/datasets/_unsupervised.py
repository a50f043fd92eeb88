"""Tables for clustering and generation (and anomaly detection, see ``_anomaly``): no
training target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._base import MIN_ROWS
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import assemble
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import frame_bytes
from archsmith.datasets._base import label_bytes
from archsmith.datasets._base import split_indices
from archsmith.datasets._readers import as_frame
from archsmith.datasets._readers import as_target
from archsmith.datasets._schema import build_schema
from archsmith.datasets._targets import Target
from archsmith.exceptions import DataError
from archsmith.spec import AnomalyDetectionTask
from archsmith.spec import ClusteringTask
from archsmith.spec import DataSpec
from archsmith.spec import GenerationTask


def table_and_labels(
    x: Any,
    y: Any,
    task: AnomalyDetectionTask | ClusteringTask,
    data: DataSpec,
    base_dir: Path | None,
) -> tuple[pd.DataFrame, pd.Series | None, str]:
    """The feature table and the optional labels (None when there are none)."""
    if x is None:
        if data.train is None:
            raise DataError("no data: pass X to fit() or set data.train in the declaration")
        path = Path(data.train)
        x = path if path.is_absolute() or base_dir is None else base_dir / path
    frame = as_frame(x)
    if y is not None:
        labels = as_target(y)
        if len(labels) != len(frame):
            raise DataError(
                f"X has {len(frame)} rows but y has {len(labels)}; they must have one label per row"
            )
        name = task.target or (str(labels.name) if labels.name is not None else "y")
    elif task.target is not None:
        if task.target not in frame.columns:
            raise DataError(
                f"label column '{task.target}' not found; the data has columns "
                f"{list(frame.columns)}"
            )
        labels, name = frame.pop(task.target), task.target
    else:
        return frame.reset_index(drop=True), None, task.type
    return frame.reset_index(drop=True), labels.reset_index(drop=True), name


def feature_columns(frame: pd.DataFrame, data: DataSpec) -> pd.DataFrame:
    """The feature columns left after ``data.drop``; enough rows and columns to learn."""
    unknown = [c for c in data.drop if c not in frame.columns]
    if unknown:
        raise DataError(
            f"data.drop names unknown column(s) {unknown}; columns are {list(frame.columns)}"
        )
    frame = frame.drop(columns=list(data.drop))
    if frame.shape[1] == 0:
        raise DataError("the data has no feature columns left to learn from")
    if len(frame) < MIN_ROWS:
        raise DataError(
            f"the data has {len(frame)} rows (n_samples={len(frame)}); at least {MIN_ROWS} "
            "are needed to train and validate"
        )
    return frame


def load_clustering_dataset(
    x: Any,
    y: Any = None,
    *,
    task: ClusteringTask,
    data: DataSpec,
    base_dir: Path | None = None,
) -> Dataset:
    """Build the :class:`Dataset` of a clustering search (labels only score ``purity``).

    Raises:
        DataError: ``purity`` without labels, missing labels, too few rows.
    """
    frame, labels, name = table_and_labels(x, y, task, data, base_dir)
    if labels is None and task.metric == "purity":
        raise DataError(
            "task.metric purity needs class labels to score the units; pass y (or name the "
            "label column with task.target), or use metric: quantisation_error or "
            "topographic_error"
        )
    if labels is not None and labels.isna().any():
        rows = labels.index[labels.isna()][:5].tolist()
        raise DataError(
            f"labels '{name}' have {int(labels.isna().sum())} missing value(s) (first rows: "
            f"{rows}); drop those rows or leave the labels out"
        )
    frame = feature_columns(frame, data)
    shown = labels if labels is not None else pd.Series(np.zeros(len(frame), dtype="int32"))
    classes = (
        () if labels is None else tuple(sorted(labels.unique(), key=lambda v: (str(type(v)), v)))
    )
    target = Target(name, "cluster", classes=classes)
    train_idx, val_idx, test_idx = split_indices(
        len(frame), shown, data, stratify=labels is not None
    )
    schema = build_schema(frame.iloc[train_idx])

    def make(ids: np.ndarray) -> Split:
        rows = frame.iloc[ids].reset_index(drop=True)
        part = shown.iloc[ids].reset_index(drop=True)
        return Split(rows, schema.model_inputs(rows), target.encode(part), part)

    return assemble(
        schema,
        target,
        make,
        (train_idx, val_idx, test_idx),
        fingerprint((frame_bytes(frame), label_bytes(shown)), data),
    )


def load_generation_dataset(
    x: Any,
    y: Any = None,
    *,
    task: GenerationTask,
    data: DataSpec,
    base_dir: Path | None = None,
) -> Dataset:
    """Build the :class:`Dataset` of a generation search: numeric rows, random splits.

    Each split's ``y`` is its rows as a float matrix (data units).

    Raises:
        DataError: y given, non-numeric columns, missing values, too few rows.
    """
    if y is not None:
        raise DataError("generation learns the rows themselves and takes no target; pass X only")
    if x is None:
        if data.train is None:
            raise DataError("no data: pass X to fit() or set data.train in the declaration")
        path = Path(data.train)
        x = path if path.is_absolute() or base_dir is None else base_dir / path
    frame = feature_columns(as_frame(x).reset_index(drop=True), data)
    schema = build_schema(frame)
    other = [c.name for c in schema.columns if c.kind != "numeric"]
    if other:
        raise DataError(
            f"generation needs numeric columns, but {other} are not numeric; drop them "
            "(data.drop) or encode them as numbers"
        )
    if frame.isna().any().any():
        cols = [str(c) for c in frame.columns[frame.isna().any()]][:5]
        raise DataError(
            f"generation needs rows without missing values, but columns {cols} have some; "
            "drop or fill those rows"
        )
    none = pd.Series(np.zeros(len(frame), dtype="int32"))
    train_idx, val_idx, test_idx = split_indices(len(frame), none, data, stratify=False)
    schema = build_schema(frame.iloc[train_idx])
    target = Target("rows", "generation")

    def make(ids: np.ndarray) -> Split:
        rows = frame.iloc[ids].reset_index(drop=True)
        labels = none.iloc[ids].reset_index(drop=True)
        return Split(rows, schema.model_inputs(rows), rows.to_numpy(dtype="float32"), labels)

    return assemble(
        schema,
        target,
        make,
        (train_idx, val_idx, test_idx),
        fingerprint((frame_bytes(frame), label_bytes(none)), data),
    )
