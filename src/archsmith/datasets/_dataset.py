"""Read a table (DataFrame, arrays, CSV, Parquet), check it against the task, split it."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._files import is_array_file
from archsmith.datasets._files import read_arrays
from archsmith.datasets._sanity import check_columns
from archsmith.datasets._sanity import check_finite
from archsmith.datasets._sanity import check_unique_names
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._schema import Target
from archsmith.datasets._schema import build_schema
from archsmith.exceptions import DataError
from archsmith.spec import AnomalyDetectionTask
from archsmith.spec import ClassificationTask
from archsmith.spec import ClusteringTask
from archsmith.spec import DataSpec
from archsmith.spec import ForecastingTask
from archsmith.spec import GenerationTask
from archsmith.spec import MultilabelTask
from archsmith.spec import RegressionTask
from archsmith.spec import SimilarityTask

logger = logging.getLogger("archsmith")

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


@dataclass(frozen=True)
class Dataset:
    """Everything a trial needs from the data, computed once per search.

    Attributes:
        schema: input columns and their training statistics.
        target: target kind, classes or scale.
        train, validation: splits used by every trial.
        test: split held out for the final score, or None.
        fingerprint: hash of the rows and the split, logged with the search.
    """

    schema: InputSchema | ArraySchema
    target: Target
    train: Split
    validation: Split
    test: Split | None
    fingerprint: str

    @property
    def kind(self) -> str:
        return self.schema.kind

    def describe(self) -> dict[str, Any]:
        kinds = [c.kind for c in self.schema.columns]
        return {
            "rows_train": len(self.train),
            "rows_validation": len(self.validation),
            "rows_test": len(self.test) if self.test else 0,
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
    splits: tuple[np.ndarray, np.ndarray, np.ndarray],
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
    check_unique_names(frame, what)
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


def _target(name: str, y: pd.Series, task: ClassificationTask | RegressionTask) -> Target:
    bad = y.isna()
    if isinstance(task, RegressionTask):
        values = pd.to_numeric(y, errors="coerce")
        bad |= values.isna() | ~np.isfinite(values.astype("float64").fillna(0.0))
        if bad.any():
            rows = y.index[bad][:5].tolist()
            raise DataError(
                f"target '{name}' must be finite numbers for regression, but {int(bad.sum())} "
                f"row(s) are missing, infinite or not numeric (first rows: {rows})"
            )
        std = float(values.std(ddof=0))
        return Target(name, "continuous", mean=float(values.mean()), std=std or 1.0)
    if bad.any():
        rows = y.index[bad][:5].tolist()
        raise DataError(
            f"target '{name}' has {int(bad.sum())} missing value(s) (first rows: {rows}); "
            "drop those rows or fill them"
        )
    classes = tuple(sorted(y.unique(), key=lambda v: (str(type(v)), v)))
    if len(classes) < 2:
        raise DataError(
            f"target '{name}' has a single class {classes[0]!r}; classification needs at "
            "least 2 classes"
        )
    return Target(name, "binary" if len(classes) == 2 else "multiclass", classes=classes)


def _fingerprint(frame: pd.DataFrame, y: pd.Series, spec: DataSpec) -> str:
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(pd.util.hash_pandas_object(y.astype(str), index=False).to_numpy().tobytes())
    digest.update(f"{spec.validation}/{spec.test}/{spec.seed}".encode())
    return digest.hexdigest()[:16]


def _split_indices(n: int, y: pd.Series, spec: DataSpec, stratify: bool) -> list[np.ndarray]:
    from sklearn.model_selection import train_test_split

    idx = np.arange(n)
    labels = y.to_numpy()
    can_stratify = stratify and y.value_counts().min() >= 2

    def split(ids: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray]:
        strat = labels[ids] if can_stratify else None
        try:
            a, b = train_test_split(ids, test_size=fraction, random_state=spec.seed, stratify=strat)
        except ValueError:  # too few rows of a class for this fraction
            a, b = train_test_split(ids, test_size=fraction, random_state=spec.seed)
        return np.sort(a), np.sort(b)

    test = np.array([], dtype=int)
    if spec.test > 0:
        idx, test = split(idx, spec.test)
    train, val = split(idx, spec.validation / (1 - spec.test))
    return [train, val, test]


def load_dataset(
    x: Any,
    y: Any = None,
    *,
    task: ClassificationTask
    | RegressionTask
    | MultilabelTask
    | ForecastingTask
    | AnomalyDetectionTask
    | ClusteringTask
    | GenerationTask
    | SimilarityTask,
    data: DataSpec,
    base_dir: Path | None = None,
) -> Dataset:
    """Build the search's :class:`Dataset`.

    Args:
        x: a DataFrame, array, mapping of columns, CSV/Parquet/``.npz``/``.npy`` path or
            image folder; None to read ``data.train``.
        y: the target, when it is not a column of ``x``.
        task: the declared task (its ``target`` names the target column).
        data: split fractions, seed and columns to drop.
        base_dir: folder that a relative ``data.train`` is read against.

    Raises:
        DataError: the data cannot serve the task (missing target column, one class,
            X/y length mismatch, too few rows …).
    """
    source = x
    if x is None and data.train is not None:
        path = Path(data.train)
        source = path if path.is_absolute() or base_dir is None else base_dir / path
    from archsmith.datasets._graphs import is_graph_file  # (imports this module)

    graphs = data.kind == "graph" or is_graph_file(source)  # read by the graph loader
    if is_array_file(source) and not graphs:  # .npz / .npy: arrays, read without unpickling
        x, file_y = read_arrays(Path(source), data, task.type)
        y = file_y if y is None else y
    elif x is None and not graphs and isinstance(source, Path) and source.is_file():
        x = read_table(source)  # read once; the kind is inferred from its columns
    if isinstance(task, AnomalyDetectionTask):
        from archsmith.datasets._unsupervised import load_anomaly_dataset

        return load_anomaly_dataset(x, y, task=task, data=data, base_dir=base_dir)
    if isinstance(task, ClusteringTask):
        from archsmith.datasets._unsupervised import load_clustering_dataset

        return load_clustering_dataset(x, y, task=task, data=data, base_dir=base_dir)
    if isinstance(task, GenerationTask):
        from archsmith.datasets._unsupervised import load_generation_dataset

        return load_generation_dataset(x, y, task=task, data=data, base_dir=base_dir)
    if isinstance(task, SimilarityTask):
        from archsmith.datasets._pairs import load_similarity_dataset

        return load_similarity_dataset(x, y, task=task, data=data, base_dir=base_dir)
    from archsmith.datasets._kinds import load_kinds_dataset
    from archsmith.datasets._kinds import wants_kinds

    if wants_kinds(x, task, data, base_dir):  # images, sequences, texts, multilabel, forecasting
        return load_kinds_dataset(x, y, task=task, data=data, base_dir=base_dir)
    assert isinstance(task, ClassificationTask | RegressionTask)
    if x is None:
        if data.train is None:
            raise DataError("no data: pass X to fit() or set data.train in the declaration")
        path = Path(data.train)
        x = path if path.is_absolute() or base_dir is None else base_dir / path
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
        target = frame.pop(task.target)
        name = task.target
    else:
        target = as_target(y)
        name = task.target or (str(target.name) if target.name is not None else "y")
        if len(target) != len(frame):
            raise DataError(
                f"X has {len(frame)} rows but y has {len(target)}; they must have one "
                "target per row"
            )
    target = target.reset_index(drop=True)
    frame = frame.reset_index(drop=True)
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
        from archsmith.datasets._kinds import refuse_mixed_text

        refuse_mixed_text(frame)
    if len(frame) < MIN_ROWS:
        raise DataError(
            f"the data has {len(frame)} rows; at least {MIN_ROWS} are needed to train and validate"
        )
    info = _target(name, target, task)
    train_idx, val_idx, test_idx = _split_indices(
        len(frame), target, data, stratify=isinstance(task, ClassificationTask)
    )
    check_finite(frame, [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])])
    schema = build_schema(frame.iloc[train_idx])
    check_finite(frame, [c.name for c in schema.numeric])  # numbers written as text too
    if isinstance(task, ClassificationTask):
        missing = set(info.classes) - set(target.iloc[train_idx])
        if missing:
            raise DataError(
                f"class(es) {sorted(map(str, missing))} have too few rows to appear "
                "in the training split; add rows or merge classes"
            )

    def make(ids: np.ndarray) -> Split:
        rows = frame.iloc[ids].reset_index(drop=True)
        labels = target.iloc[ids].reset_index(drop=True)
        return Split(rows, schema.model_inputs(rows), info.encode(labels), labels)

    return assemble(
        schema, info, make, (train_idx, val_idx, test_idx), _fingerprint(frame, target, data)
    )
