"""Data for anomaly detection on images: normal images train, all images score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import as_float_array
from archsmith.datasets._arrays import image_schema
from archsmith.datasets._dataset import MIN_ROWS
from archsmith.datasets._dataset import Dataset
from archsmith.datasets._dataset import Split
from archsmith.datasets._dataset import as_target
from archsmith.datasets._dataset import assemble
from archsmith.datasets._images import read_image_folder
from archsmith.datasets._kinds import _fingerprint
from archsmith.datasets._schema import Target
from archsmith.datasets._unsupervised import anomaly_splits
from archsmith.datasets._unsupervised import check_anomaly_labels
from archsmith.exceptions import DataError
from archsmith.spec import AnomalyDetectionTask
from archsmith.spec import DataSpec


def _images_and_labels(
    x: Any, y: Any, task: AnomalyDetectionTask, data: DataSpec, base_dir: Path | None
) -> tuple[np.ndarray, pd.Series | None, str]:
    """``(N, H, W, C)`` float images, the optional labels and their name."""
    if x is None:
        if data.train is None:
            raise DataError("no data: pass X to fit() or set data.train in the declaration")
        path = Path(data.train)
        x = path if path.is_absolute() or base_dir is None else base_dir / path
    if isinstance(x, str | Path):
        if not Path(x).is_dir():
            raise DataError(
                f"image data for anomaly detection must be an array (N, H, W[, C]) or an "
                f"image folder, but {x} is not a folder"
            )
        if y is not None:
            raise DataError("an image folder's labels are its sub-folders; do not pass y")
        images, folders = read_image_folder(x, data.image_size, data.color_mode)
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

    parts = [
        np.ascontiguousarray(arr).tobytes(),
        pd.util.hash_pandas_object(shown.astype(str), index=False).to_numpy().tobytes(),
    ]
    return assemble(schema, target, make, (train_idx, val_idx, test_idx), _fingerprint(parts, data))
