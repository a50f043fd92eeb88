"""Image folders larger than memory: the file list is kept, the images are read per batch.

``data.stream`` on an image folder (or, when null, a folder whose decoded images would
take more than ``data.stream_above_mb``): each image's split comes from a hash of its
position in the sorted file list and ``data.seed`` (as for streamed tables); the channel
statistics come from the first training images, and the validation and test splits held
in memory are their first images, at most ``min(data.stream_sample,``
:data:`IMAGE_SAMPLE` ``)`` each. Training batches read their image files each epoch, in
an order shuffled per epoch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._arrays import image_schema
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import check_classes
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import label_bytes
from archsmith.datasets._base import split_of
from archsmith.datasets._images import image_array
from archsmith.datasets._images import image_files
from archsmith.datasets._images import read_images
from archsmith.datasets._targets import Target
from archsmith.datasets._targets import labelled_target
from archsmith.exceptions import DataError
from archsmith.spec import DataSpec

#: most images of a split held in memory (statistics, validation, test)
IMAGE_SAMPLE = 1000


def decoded_bytes(root: Path, data: DataSpec) -> int:
    """What the images of a folder take once decoded as float32 (``image_size``)."""
    height, width = data.image_size
    channels = 1 if data.color_mode == "grayscale" else 3
    count = sum(1 for _ in root.rglob("*") if _.is_file())
    return count * height * width * channels * 4


@dataclass(frozen=True)
class ImageStream:
    """An image folder read batch by batch (see the module's doc).

    Attributes:
        files: the image files, sorted.
        labels: the class of each file.
        parts: 0 (train), 1 (validation) or 2 (test) for each file.
        schema: the images' shape and channel statistics.
        target: the classes.
        data: image size and colour mode.
        rows: images of train, validation and test.
    """

    files: tuple[Path, ...]
    labels: pd.Series
    parts: np.ndarray
    schema: ArraySchema
    target: Target
    data: DataSpec
    rows: tuple[int, int, int]

    def batches(
        self, batch_size: int, part: int = 0, seed: int = 0
    ) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
        """Model inputs and encoded targets of the images of ``part``, ``batch_size`` at a
        time, in an order shuffled by ``seed``."""
        ids = np.flatnonzero(self.parts == part)
        ids = ids[np.random.default_rng(seed).permutation(len(ids))]
        for start in range(0, len(ids), batch_size):
            yield self._encode(ids[start : start + batch_size])

    def _encode(self, ids: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        images = image_array(
            read_images([self.files[i] for i in ids], self.data.image_size, self.data.color_mode)
        )
        labels = self.labels.iloc[ids].reset_index(drop=True)
        return self.schema.model_inputs(images), self.target.encode(labels)


def load_streamed_images(root: Path, *, task: Any, data: DataSpec) -> Dataset:
    """The :class:`Dataset` of an image folder whose images are read per batch.

    Raises:
        DataError: no images, one class, a class with too few images …
    """
    files = image_files(root)
    labels = pd.Series([c for _, c in files])
    target, labels = labelled_target(task.target or "label", labels, task)
    parts = split_of(0, len(files), data)
    rows = tuple(int((parts == p).sum()) for p in range(3))
    if not rows[1]:
        raise DataError(f"{root}: no image fell in the validation split; add images")
    check_classes(target, labels[parts == 0], "images", "add images")
    keep = min(data.stream_sample, IMAGE_SAMPLE)
    paths = tuple(f for f, _ in files)
    samples = [np.flatnonzero(parts == p)[:keep] for p in range(3)]
    first = image_array(
        read_images([paths[i] for i in samples[0]], data.image_size, data.color_mode)
    )
    schema = image_schema(first)
    stream = ImageStream(paths, labels, parts, schema, target, data, (rows[0], rows[1], rows[2]))

    def make(ids: np.ndarray) -> Split:
        raw = (
            first
            if ids is samples[0]
            else image_array(read_images([paths[i] for i in ids], data.image_size, data.color_mode))
        )
        chosen = labels.iloc[ids].reset_index(drop=True)
        return Split(schema.as_table(raw), schema.model_inputs(raw), target.encode(chosen), chosen)

    digest = hashlib.sha256()
    for path in paths:  # names and sizes: reading every image would be a pass over the data
        digest.update(f"{path.relative_to(root)}:{path.stat().st_size}".encode())
    digest.update(label_bytes(labels))
    return Dataset(
        schema=schema,
        target=target,
        train=make(samples[0]),
        validation=make(samples[1]),
        test=make(samples[2]) if rows[2] else None,
        fingerprint=fingerprint([digest.digest()], data, "image/stream"),
        stream=stream,
    )
