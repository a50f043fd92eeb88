"""Tables larger than memory: one streaming pass for the split, the statistics and the
fingerprint, then training batches read from the file chunk by chunk (image folders:
``_stream_images``).

A CSV or Parquet table is streamed when ``data.stream`` is true, or when it is null and
the file is larger than ``data.stream_above_mb``. Nothing holds the whole table:

- the file is read in chunks of :data:`CHUNK_ROWS` rows (pandas ``read_csv`` chunks,
  pyarrow ``iter_batches`` for Parquet);
- each row's split comes from a hash of its position and ``data.seed`` (the fractions of
  ``data.validation`` / ``data.test``, in expectation), so every pass agrees on it;
- the preprocessing statistics (scaling, categories) come from the first
  ``data.stream_sample`` training rows, classes from every row;
- the validation and test splits held in memory are their first ``data.stream_sample``
  rows (validation scores are computed on them);
- training batches (:meth:`TableStream.batches`) are read again from the file every
  epoch, shuffled within each chunk (``archsmith.training`` wraps them in a Keras
  ``PyDataset``, which every backend takes).

This module imports no deep-learning backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import frame_bytes
from archsmith.datasets._base import split_of
from archsmith.datasets._sanity import check_finite
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._schema import build_schema
from archsmith.datasets._stream_images import decoded_bytes
from archsmith.datasets._stream_images import load_streamed_images
from archsmith.datasets._tables import _columns
from archsmith.datasets._targets import Target
from archsmith.datasets._targets import labelled_target
from archsmith.exceptions import DataError
from archsmith.spec import DataSpec

#: rows read from the file at a time
CHUNK_ROWS = 20_000
#: table files that can be streamed
STREAMED_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")
#: declared data kinds a streamed table may have
TABLE_KINDS = frozenset({"auto", "tabular"})
#: most distinct classes collected in the streaming pass
MAX_CLASSES = 10_000


def streamed(source: Any, data: DataSpec) -> bool:
    """Whether ``source`` (what ``data.train`` names) is a table file to stream."""
    if data.stream is False or not isinstance(source, str | Path):
        return False
    path = Path(source)
    if path.is_dir():  # an image folder: its images once decoded
        return bool(data.stream) or decoded_bytes(path, data) > data.stream_above_mb * 2**20
    if path.suffix.lower() not in STREAMED_SUFFIXES or not path.is_file():
        return False
    return bool(data.stream) or path.stat().st_size > data.stream_above_mb * 2**20


def load_streamed(path: Path, *, task: Any, data: DataSpec) -> Dataset:
    """The :class:`Dataset` of a streamed table file or image folder (see
    :func:`load_streamed_table` and ``_stream_images``).

    Raises:
        DataError: ``data.folds`` or ``data.split`` is declared: a streamed file is split
            by a hash of each row's position, once, as it is read.
    """
    why = "read in one pass, split by a hash of each row's position"
    size = f"{path} is streamed ({why})"
    if data.folds:
        raise DataError(
            f"data.folds: {size}, so it cannot be cut into folds; leave data.folds out, or "
            "set data.stream: false to hold it in memory"
        )
    if data.split is not None:
        raise DataError(
            f"data.split: {size}, so it cannot be split by group or time; leave data.split "
            "out, or set data.stream: false to hold it in memory"
        )
    if path.is_dir():
        return load_streamed_images(path, task=task, data=data)
    return load_streamed_table(path, task=task, data=data)


def read_chunks(path: Path, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The table in ``path``, ``rows`` rows at a time.

    Raises:
        DataError: the file cannot be read as a table.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
                yield batch.to_pandas()
            return
        sep = "\t" if suffix == ".tsv" else ","
        with pd.read_csv(path, sep=sep, chunksize=rows) as reader:
            yield from reader
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None


@dataclass(frozen=True)
class TableStream:
    """A table file read batch by batch (see the module's doc).

    Attributes:
        path: the file.
        target_name: the target column.
        features: the input columns (after ``data.drop`` and empty columns).
        schema: input statistics (from the sample of training rows).
        target: the target (classes from every row).
        data: the split fractions and seed.
        rows: rows of train, validation and test in the file.
    """

    path: Path
    target_name: str
    features: tuple[str, ...]
    schema: InputSchema
    target: Target
    data: DataSpec
    rows: tuple[int, int, int]

    def batches(
        self, batch_size: int, part: int = 0, seed: int = 0
    ) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
        """Model inputs and encoded targets of the rows of ``part`` (0: train), in batches
        of ``batch_size`` (the last may be smaller), shuffled within each chunk by ``seed``.

        Raises:
            DataError: a row of the file the streaming pass had not vetted is bad (an
                infinite value, a missing label), naming its column and row.
        """
        rng = np.random.default_rng(seed)
        start = 0
        left_x: dict[str, np.ndarray] = {}
        left_y = np.zeros((0,))
        for chunk in read_chunks(self.path):
            rows = chunk[split_of(start, len(chunk), self.data) == part]
            _check_chunk(rows, self, start)
            start += len(chunk)
            if not len(rows):
                continue
            x, y = self._encode(rows.iloc[rng.permutation(len(rows))])
            if len(left_y):  # the rows left over from the last chunk go first
                x = {k: np.concatenate([left_x[k], v]) for k, v in x.items()}
                y = np.concatenate([left_y, y])
            full = len(y) - len(y) % batch_size
            for i in range(0, full, batch_size):
                yield {k: v[i : i + batch_size] for k, v in x.items()}, y[i : i + batch_size]
            left_x, left_y = {k: v[full:] for k, v in x.items()}, y[full:]
        if len(left_y):
            yield left_x, left_y

    def _encode(self, rows: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
        features = rows.loc[:, list(self.features)].reset_index(drop=True)
        labels = rows[self.target_name].reset_index(drop=True)
        return self.schema.model_inputs(features), self.target.encode(labels)


def _check_chunk(rows: pd.DataFrame, stream: TableStream, start: int) -> None:
    """A chunk's numbers finite and labels present (as the in-memory loader checks)."""
    numeric = [c.name for c in stream.schema.numeric if c.name in rows.columns]
    try:
        check_finite(rows, numeric)
    except DataError as exc:
        raise DataError(f"{stream.path} (rows from {start}): {exc}") from None
    if rows[stream.target_name].isna().any():
        raise DataError(
            f"{stream.path}: target column '{stream.target_name}' has missing values in the "
            f"rows from {start}; drop or fill those rows"
        )


def load_streamed_table(path: Path, *, task: Any, data: DataSpec) -> Dataset:
    """The :class:`Dataset` of a table file read in one streaming pass (module doc):
    ``train``, ``validation`` and ``test`` hold samples; ``stream`` gives the batches.

    Raises:
        DataError: the task is not classification or regression, no target column,
            unknown dropped columns, too few rows … (as the in-memory loader).
    """
    if data.kind not in TABLE_KINDS:
        raise DataError(
            f"data.stream reads tables only, not {data.kind} data; set data.stream: false"
        )
    name = task.target
    if name is None:
        raise DataError("a streamed table needs task.target, the name of its target column")
    digest = hashlib.sha256()
    counts = [0, 0, 0]
    samples: list[list[pd.DataFrame]] = [[], [], []]
    kept = [0, 0, 0]
    classes: set[Any] = set()
    start = 0
    for chunk in read_chunks(path):
        if name not in chunk.columns:
            raise DataError(
                f"target column '{name}' not found in {path}; the data has columns "
                f"{list(chunk.columns)}"
            )
        digest.update(frame_bytes(chunk))
        parts = split_of(start, len(chunk), data)
        if len(classes) <= MAX_CLASSES:  # (a regression target passes the bound soon)
            classes.update(chunk[name].dropna().unique().tolist())
        for part in range(3):
            rows = chunk[parts == part]
            counts[part] += len(rows)
            room = data.stream_sample - kept[part]
            if room > 0 and len(rows):
                samples[part].append(rows.iloc[:room])
                kept[part] += min(room, len(rows))
        start += len(chunk)
    if start == 0:
        raise DataError(f"{path}: the data has no rows (only a header?); expected at least one row")
    frames = [
        pd.concat(s, ignore_index=True) if s else pd.DataFrame(columns=chunk.columns)
        for s in samples
    ]
    train = frames[0]
    labels = train.pop(name)
    features = _columns(train, data)
    info, _ = labelled_target(name, labels, task)
    if info.classes:  # every class of the file, not only the sample's
        known = set(labels)
        unseen = pd.Series([c for c in classes if c not in known], dtype=labels.dtype)
        if len(unseen):
            info, _ = labelled_target(name, pd.concat([labels, unseen]), task)
    numeric = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c])]
    check_finite(features, numeric)
    schema = build_schema(features)

    def make(frame: pd.DataFrame) -> Split:
        rows = frame.loc[:, list(features.columns)].reset_index(drop=True)
        y = frame[name].reset_index(drop=True)
        return Split(rows, schema.model_inputs(rows), info.encode(y), y)

    frames[0] = pd.concat([features, labels], axis=1)
    if not len(frames[1]):
        raise DataError(f"{path}: no row fell in the validation split; add rows")
    stream = TableStream(
        path, name, tuple(features.columns), schema, info, data, (counts[0], counts[1], counts[2])
    )
    return Dataset(
        schema=schema,
        target=info,
        train=make(frames[0]),
        validation=make(frames[1]),
        test=make(frames[2]) if counts[2] else None,
        fingerprint=fingerprint([digest.digest()], data, tag="stream"),
        stream=stream,
    )
