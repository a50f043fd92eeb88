"""What every loader builds and shares: :class:`Dataset`, :class:`Split`, the random split
into train/validation/test and the dataset fingerprint. Imports no loader."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Protocol

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._targets import Target
from archsmith.exceptions import DataError
from archsmith.spec import DataSpec

#: fewest examples (rows, images, graphs, nodes …) a dataset may have
MIN_ROWS = 10


@dataclass(frozen=True)
class Split:
    """One split: raw feature rows, model inputs and encoded targets."""

    frame: pd.DataFrame
    x: dict[str, np.ndarray]
    y: np.ndarray
    labels: pd.Series

    def __len__(self) -> int:
        return len(self.y)


class DataStream(Protocol):
    """Examples read batch by batch from their files (a streamed table or image folder)."""

    @property
    def rows(self) -> tuple[int, int, int]:
        """Examples of train, validation and test."""
        ...

    def batches(
        self, batch_size: int, part: int = 0, seed: int = 0
    ) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
        """Model inputs and encoded targets of split ``part`` (0: train), a batch at a time."""
        ...


def split_of(start: int, count: int, data: DataSpec) -> np.ndarray:
    """0 (train), 1 (validation) or 2 (test) for examples ``start .. start+count-1`` of a
    streamed file or folder, from a hash (splitmix64) of the position and ``data.seed``:
    the fractions hold in expectation, and every pass over the data agrees."""
    z = np.arange(start, start + count, dtype=np.uint64) + np.uint64(data.seed * 0x9E3779B1 + 1)
    with np.errstate(over="ignore"):
        z = z * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype("float64") / float(2**53)
    return np.where(u < data.validation, 1, np.where(u < data.validation + data.test, 2, 0))


@dataclass(frozen=True)
class Dataset:
    """Everything a trial needs from the data, computed once per search.

    Attributes:
        schema: input columns and their training statistics.
        target: target kind, classes or scale.
        train, validation: splits used by every trial.
        test: split held out for the final score, or None.
        fingerprint: hash of the rows and the split, logged with the search.
        stream: the table file or image folder read batch by batch when it is streamed
            (``data.stream``): then ``train``, ``validation`` and ``test`` hold samples of
            their rows, and training reads every training row from ``stream``.
        between: rows that belong to neither train nor validation but may join a refit on
            both (forecasting: the windows whose targets straddle the two splits), or None.
        time_folds: forecasting with ``data.folds``: the (kept, held) row indexes into the
            train + validation rows of each time-ordered fold; None: folds are drawn at
            random (or there are none).
    """

    schema: InputSchema | ArraySchema
    target: Target
    train: Split
    validation: Split
    test: Split | None
    fingerprint: str
    stream: DataStream | None = None
    between: Split | None = None
    time_folds: tuple[tuple[np.ndarray, np.ndarray], ...] | None = None

    @property
    def kind(self) -> str:
        return self.schema.kind

    def describe(self) -> dict[str, Any]:
        kinds = [c.kind for c in self.schema.columns]
        rows = self.stream.rows if self.stream is not None else None
        return {
            "rows_train": rows[0] if rows else len(self.train),
            "rows_validation": rows[1] if rows else len(self.validation),
            "rows_test": rows[2] if rows else len(self.test) if self.test else 0,
            "columns": len(kinds),
            "numeric": kinds.count("numeric"),
            "categorical": kinds.count("categorical"),
            "boolean": kinds.count("boolean"),
            "target_kind": self.target.kind,
            "classes": len(self.target.classes),
            "kind": self.schema.kind,
        }


def assemble(
    schema: InputSchema | ArraySchema,
    target: Target,
    make: Callable[[np.ndarray], Split],
    splits: tuple[np.ndarray, np.ndarray, np.ndarray] | list[np.ndarray],
    fingerprint: str,
) -> Dataset:
    """The :class:`Dataset` of train, validation and test indexes, each split made by
    ``make``; an empty test index means no test split."""
    train, validation, test = splits
    return Dataset(
        schema=schema,
        target=target,
        train=make(train),
        validation=make(validation),
        test=make(test) if len(test) else None,
        fingerprint=fingerprint,
    )


def data_source(x: Any, data: DataSpec, base_dir: Path | None = None) -> Any:
    """``x``, or the path of ``data.train`` (read against ``base_dir``) when ``x`` is None."""
    if x is None and data.train is not None:
        path = Path(data.train)
        return path if path.is_absolute() or base_dir is None else base_dir / path
    return x


def split_indices(n: int, y: pd.Series, data: DataSpec, stratify: bool) -> list[np.ndarray]:
    """Train, validation and test indexes of ``n`` examples (sorted; test empty when
    ``data.test`` is 0), stratified on ``y`` when asked and every label has 2 examples."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(n)
    labels = y.to_numpy()
    can_stratify = stratify and y.value_counts().min() >= 2

    def split(ids: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray]:
        strat = labels[ids] if can_stratify else None
        try:
            a, b = train_test_split(ids, test_size=fraction, random_state=data.seed, stratify=strat)
        except ValueError:  # too few rows of a class for this fraction
            a, b = train_test_split(ids, test_size=fraction, random_state=data.seed)
        return np.sort(a), np.sort(b)

    test = np.array([], dtype=int)
    if data.test > 0:
        idx, test = split(idx, data.test)
    train, val = split(idx, data.validation / (1 - data.test))
    return [train, val, test]


def check_classes(target: Target, train: pd.Series, what: str, add: str) -> None:
    """Raise a DataError when a class of a stratified target is missing from the training
    labels ``train`` (``what``: the examples, ``add``: the fix, in the message)."""
    if not target.stratified:
        return
    missing = set(target.classes) - set(train)
    if missing:
        raise DataError(
            f"class(es) {sorted(map(str, missing))} have too few {what} to appear in the "
            f"training split; {add} or merge classes"
        )


def fingerprint(parts: Iterable[bytes], data: DataSpec, tag: str | None = None) -> str:
    """The dataset fingerprint: a hash of its content (``parts``) and of its split
    (fractions, seed and ``tag``, the loader's name for the data)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    split = f"{data.validation}/{data.test}/{data.seed}"
    digest.update((split if tag is None else f"{split}/{tag}").encode())
    return digest.hexdigest()[:16]


def frame_bytes(frame: pd.DataFrame | pd.Series) -> bytes:
    """The rows of a table as bytes to fingerprint (a hash per row)."""
    return pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()


def label_bytes(labels: pd.Series) -> bytes:
    """Labels (as text) as bytes to fingerprint."""
    return frame_bytes(labels.astype(str))
