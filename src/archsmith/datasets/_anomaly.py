"""Data for anomaly detection: tables or images, labels optional (they only score).

The rows are split as usual (stratified on normal/anomaly when labelled); the training
split then keeps only normal examples, and its statistics (the in-model standardisation)
come from them. Validation and test keep every example: the anomalies there are what
``roc_auc`` and ``average_precision`` score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import array_kind
from archsmith.datasets._arrays import as_float_array
from archsmith.datasets._arrays import image_schema
from archsmith.datasets._base import MIN_ROWS
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import assemble
from archsmith.datasets._base import data_source
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import frame_bytes
from archsmith.datasets._base import label_bytes
from archsmith.datasets._base import split_indices
from archsmith.datasets._images import read_image_folder
from archsmith.datasets._readers import as_target
from archsmith.datasets._schema import build_schema
from archsmith.datasets._targets import Target
from archsmith.datasets._unsupervised import feature_columns
from archsmith.datasets._unsupervised import table_and_labels
from archsmith.exceptions import DataError
from archsmith.spec import AnomalyDetectionTask
from archsmith.spec import DataSpec


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
    train_idx, val_idx, test_idx = split_indices(n, flags, data, stratify=True)
    train_idx = train_idx[flags.to_numpy()[train_idx] == 0]
    if len(train_idx) < 2:
        raise DataError(
            f"only {len(train_idx)} normal {what}(s) left to train on; add normal {what}s"
        )
    shown = labels if labels is not None else flags
    return flags, shown, (train_idx, val_idx, test_idx)


def _is_images(x: Any, data: DataSpec, base_dir: Path | None) -> bool:
    """Whether anomaly-detection data are images (an array, an image folder, data.kind)."""
    if data.kind != "auto":
        return data.kind == "image"
    x = data_source(x, data, base_dir)
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
    """Build the :class:`Dataset` of an anomaly-detection search (see the module docs).

    Images (``(N, H, W[, C])`` arrays, an
    image folder, ``data.kind: image``) go to :func:`load_image_anomaly_dataset`.

    Raises:
        DataError: labels of one kind only, missing labels, a metric that needs labels
            without them, too few rows.
    """
    if _is_images(x, data, base_dir):
        return load_image_anomaly_dataset(x, y, task=task, data=data, base_dir=base_dir)
    frame, labels, name = table_and_labels(x, y, task, data, base_dir)
    check_anomaly_labels(labels, name, task)
    frame = feature_columns(frame, data)
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
        schema,
        target,
        make,
        (train_idx, val_idx, test_idx),
        fingerprint((frame_bytes(frame), label_bytes(shown)), data),
    )


def _images_and_labels(
    x: Any, y: Any, task: AnomalyDetectionTask, data: DataSpec, base_dir: Path | None
) -> tuple[np.ndarray, pd.Series | None, str]:
    """``(N, H, W, C)`` float images, the optional labels and their name."""
    x = data_source(x, data, base_dir)
    if x is None:
        raise DataError("no data: pass X to fit() or set data.train in the declaration")
    if isinstance(x, str | Path):
        if not Path(x).is_dir():
            raise DataError(
                f"image data for anomaly detection must be an array (N, H, W[, C]) or an "
                f"image folder, but {x} is not a folder"
            )
        if y is not None:
            raise DataError("an image folder's labels are its sub-folders; do not pass y")
        images, folders = read_image_folder(x, data)
        return images.astype("float32"), pd.Series(folders), task.target or "label"
    arr = as_float_array(x)
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.ndim != 4:
        raise DataError(
            f"images must be an array (N, H, W) or (N, H, W, C), but got shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise DataError("the images hold NaN or infinite values; fill them first")
    if y is None:
        return arr, None, task.type
    labels = as_target(y).reset_index(drop=True)
    if len(labels) != len(arr):
        raise DataError(
            f"X has {len(arr)} images but y has {len(labels)} labels; one label per image"
        )
    name = task.target or (str(labels.name) if labels.name is not None else "y")
    return arr, labels, name


def load_image_anomaly_dataset(
    x: Any,
    y: Any = None,
    *,
    task: AnomalyDetectionTask,
    data: DataSpec,
    base_dir: Path | None = None,
) -> Dataset:
    """Build the :class:`Dataset` of an anomaly-detection search on images.

    As for tables (``load_anomaly_dataset``): the split is stratified on normal/anomaly,
    the training split keeps only normal images and the per-channel statistics of the
    in-model standardisation come from them; validation and test keep every image.

    Raises:
        DataError: not images, labels of one kind only or missing, a metric that needs
            labels without them, X/y length mismatch, non-finite values, too few images.
    """
    arr, labels, name = _images_and_labels(x, y, task, data, base_dir)
    check_anomaly_labels(labels, name, task)
    if len(arr) < MIN_ROWS:
        raise DataError(f"the data has {len(arr)} images; at least {MIN_ROWS} are needed")
    flags, shown, (train_idx, val_idx, test_idx) = anomaly_splits(
        len(arr), labels, task, data, "image"
    )
    schema = image_schema(arr[train_idx])
    target = Target(name, "anomaly", classes=() if labels is None else (task.normal,))

    def make(ids: np.ndarray) -> Split:
        return Split(
            schema.as_table(arr[ids]),
            schema.model_inputs(arr[ids]),
            flags.to_numpy()[ids],
            shown.iloc[ids].reset_index(drop=True),
        )

    parts = (np.ascontiguousarray(arr).tobytes(), label_bytes(shown))
    return assemble(
        schema, target, make, (train_idx, val_idx, test_idx), fingerprint(parts, data, data.kind)
    )
