"""Data for anomaly detection, clustering and generation: no training target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import array_kind
from archsmith.datasets._dataset import MIN_ROWS
from archsmith.datasets._dataset import Dataset
from archsmith.datasets._dataset import Split
from archsmith.datasets._dataset import _fingerprint
from archsmith.datasets._dataset import _split_indices
from archsmith.datasets._dataset import as_frame
from archsmith.datasets._dataset import as_target
from archsmith.datasets._dataset import assemble
from archsmith.datasets._schema import Target
from archsmith.datasets._schema import build_schema
from archsmith.exceptions import DataError
from archsmith.spec import AnomalyDetectionTask
from archsmith.spec import ClusteringTask
from archsmith.spec import DataSpec
from archsmith.spec import GenerationTask


def _labels(
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


def _features(frame: pd.DataFrame, data: DataSpec) -> pd.DataFrame:
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
            f"the data has {len(frame)} rows; at least {MIN_ROWS} are needed to train and validate"
        )
    return frame


def check_anomaly_labels(labels: pd.Series | None, name: str, task: AnomalyDetectionTask) -> None:
    """Raise a DataError unless the labels (if any) can train and score anomaly detection."""
    if labels is None and task.metric != "reconstruction_error":
        raise DataError(
            f"task.metric {task.metric} needs labels telling normal rows from anomalies; "
            "pass y (or name the label column with task.target), or use "
            "metric: reconstruction_error"
        )
    if labels is None:
        return
    if labels.isna().any():
        rows = labels.index[labels.isna()][:5].tolist()
        raise DataError(
            f"labels '{name}' have {int(labels.isna().sum())} missing value(s) (first "
            f"rows: {rows}); every row must be labelled normal ({task.normal!r}) or not"
        )
    is_anomaly = labels != task.normal
    kinds = sorted(map(str, labels.unique()))[:5]
    if not is_anomaly.any() or is_anomaly.all():
        which = "normal" if not is_anomaly.any() else "anomalous"
        raise DataError(
            f"labels '{name}' are of one kind only: every row is {which} (values "
            f"{kinds}, task.normal={task.normal!r}); anomaly detection needs normal rows "
            "to train and both kinds to score validation; set task.normal to the label "
            "of normal rows, or drop the labels and use metric: reconstruction_error"
        )


def _is_images(x: Any, data: DataSpec, base_dir: Path | None) -> bool:
    """Whether anomaly-detection data are images (an array, an image folder, data.kind)."""
    if data.kind == "image":
        return True
    if data.kind != "auto":
        return False
    if x is None and data.train is not None:
        path = Path(data.train)
        x = path if path.is_absolute() or base_dir is None else base_dir / path
    if isinstance(x, str | Path):
        return Path(x).is_dir()
    return array_kind(x) == "image"


def load_anomaly_dataset(
    x: Any,
    y: Any = None,
    *,
    task: AnomalyDetectionTask,
    data: DataSpec,
    base_dir: Path | None = None,
) -> Dataset:
    """Build the :class:`Dataset` of an anomaly-detection search.

    The rows are split as usual (stratified on normal/anomaly when labelled); the training
    split then keeps only normal rows, and its statistics (the in-model standardisation)
    come from them. Validation and test keep every row: the anomalies there are what
    ``roc_auc`` and ``average_precision`` score. Images (``(N, H, W[, C])`` arrays, an
    image folder, ``data.kind: image``) go to :func:`load_image_anomaly_dataset`.

    Raises:
        DataError: labels of one kind only, missing labels, a metric that needs labels
            without them, too few rows.
    """
    if _is_images(x, data, base_dir):
        from archsmith.datasets._image_anomaly import load_image_anomaly_dataset

        return load_image_anomaly_dataset(x, y, task=task, data=data, base_dir=base_dir)
    frame, labels, name = _labels(x, y, task, data, base_dir)
    check_anomaly_labels(labels, name, task)
    frame = _features(frame, data)
    flags, shown, (train_idx, val_idx, test_idx) = anomaly_splits(
        len(frame), labels, task, data, "row"
    )
    schema = build_schema(frame.iloc[train_idx])
    target = Target(name, "anomaly", classes=() if labels is None else (task.normal,))

    def make(ids: np.ndarray) -> Split:
        rows = frame.iloc[ids].reset_index(drop=True)
        return Split(
            rows,
            schema.model_inputs(rows),
            flags.to_numpy()[ids],
            shown.iloc[ids].reset_index(drop=True),
        )

    return assemble(
        schema, target, make, (train_idx, val_idx, test_idx), _fingerprint(frame, shown, data)
    )


def anomaly_splits(
    n: int, labels: pd.Series | None, task: AnomalyDetectionTask, data: DataSpec, what: str
) -> tuple[pd.Series, pd.Series, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """0/1 anomaly flags, the labels to show (the flags without labels) and the split
    indexes of ``n`` examples, stratified on the flags; training keeps normal ones only.

    Raises:
        DataError: fewer than two normal ``what``s left to train on.
    """
    flags = (
        pd.Series(np.zeros(n, dtype="int32"))
        if labels is None
        else (labels != task.normal).astype("int32")
    )
    train_idx, val_idx, test_idx = _split_indices(n, flags, data, stratify=True)
    train_idx = train_idx[flags.to_numpy()[train_idx] == 0]
    if len(train_idx) < 2:
        raise DataError(
            f"only {len(train_idx)} normal {what}(s) left to train on; add normal {what}s"
        )
    shown = labels if labels is not None else flags
    return flags, shown, (train_idx, val_idx, test_idx)


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
    frame, labels, name = _labels(x, y, task, data, base_dir)
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
    frame = _features(frame, data)
    shown = labels if labels is not None else pd.Series(np.zeros(len(frame), dtype="int32"))
    classes = (
        () if labels is None else tuple(sorted(labels.unique(), key=lambda v: (str(type(v)), v)))
    )
    target = Target(name, "cluster", classes=classes)
    train_idx, val_idx, test_idx = _split_indices(
        len(frame), shown, data, stratify=labels is not None
    )
    schema = build_schema(frame.iloc[train_idx])

    def make(ids: np.ndarray) -> Split:
        rows = frame.iloc[ids].reset_index(drop=True)
        part = shown.iloc[ids].reset_index(drop=True)
        return Split(rows, schema.model_inputs(rows), target.encode(part), part)

    return assemble(
        schema, target, make, (train_idx, val_idx, test_idx), _fingerprint(frame, shown, data)
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
    frame = _features(as_frame(x).reset_index(drop=True), data)
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
    train_idx, val_idx, test_idx = _split_indices(len(frame), none, data, stratify=False)
    schema = build_schema(frame.iloc[train_idx])
    target = Target("rows", "generation")

    def make(ids: np.ndarray) -> Split:
        rows = frame.iloc[ids].reset_index(drop=True)
        labels = none.iloc[ids].reset_index(drop=True)
        return Split(rows, schema.model_inputs(rows), rows.to_numpy(dtype="float32"), labels)

    return assemble(
        schema, target, make, (train_idx, val_idx, test_idx), _fingerprint(frame, none, data)
    )
