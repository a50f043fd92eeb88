"""Datasets of other kinds than a plain table: images, sequences, texts, multilabel targets
and forecasting windows. ``load_dataset`` hands them here (see :func:`wants_kinds`)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._arrays import array_kind
from archsmith.datasets._arrays import as_float_array
from archsmith.datasets._arrays import check_texts
from archsmith.datasets._arrays import image_schema
from archsmith.datasets._arrays import looks_like_text
from archsmith.datasets._arrays import sequence_schema
from archsmith.datasets._arrays import text_schema
from archsmith.datasets._dataset import MIN_ROWS
from archsmith.datasets._dataset import Dataset
from archsmith.datasets._dataset import Split
from archsmith.datasets._dataset import _split_indices
from archsmith.datasets._dataset import _target
from archsmith.datasets._dataset import as_frame
from archsmith.datasets._dataset import as_target
from archsmith.datasets._dataset import assemble
from archsmith.datasets._graphs import load_graph_dataset
from archsmith.datasets._graphs import looks_like_graphs
from archsmith.datasets._images import read_image_folder
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._schema import Target
from archsmith.datasets._schema import build_schema
from archsmith.datasets._series import forecast_target
from archsmith.datasets._series import make_windows
from archsmith.datasets._series import read_series
from archsmith.datasets._series import window_schema
from archsmith.datasets._targets import multilabel_target
from archsmith.exceptions import DataError
from archsmith.spec import ClassificationTask
from archsmith.spec import DataSpec
from archsmith.spec import ForecastingTask
from archsmith.spec import MultilabelTask
from archsmith.spec import RegressionTask

AnyTask = ClassificationTask | RegressionTask | MultilabelTask | ForecastingTask

#: shipped spaces searched for each data kind when the declaration names none
DEFAULT_SPACES: dict[str, tuple[str, ...]] = {
    "tabular": ("mlp",),
    "image": ("cnn", "resnet"),
    "sequence": ("rnn", "conv1d", "transformer"),
    "text": ("text_bag", "text_sequence"),
    "graph": ("gnn",),
}


#: defaults of a data kind for a task, where they differ from the kind's own
TASK_DEFAULT_SPACES: dict[tuple[str, str], tuple[str, ...]] = {
    ("image", "anomaly_detection"): ("conv_autoencoder",),
    ("image", "similarity"): ("siamese",),
}


def default_spaces(kind: str, task: str | None = None) -> tuple[str, ...]:
    """The shipped spaces searched for data of ``kind`` when none is declared.

    ``task`` (the declaration's ``task.type``) picks a task's own default where there is
    one: ``conv_autoencoder`` for anomaly detection on images, ``siamese`` for similarity
    of images; for other data the kind's default spaces are the Siamese shared encoder.
    """
    if task is not None and (kind, task) in TASK_DEFAULT_SPACES:
        return TASK_DEFAULT_SPACES[(kind, task)]
    return DEFAULT_SPACES.get(kind, ("mlp",))


def _source(x: Any, data: DataSpec, base_dir: Path | None) -> Any:
    if x is None and data.train is not None:
        path = Path(data.train)
        return path if path.is_absolute() or base_dir is None else base_dir / path
    return x


def _text_column(frame: pd.DataFrame, data: DataSpec) -> str | None:
    """The text column of a table that is a text dataset, else None."""
    if data.kind == "text":
        if frame.shape[1] != 1:
            raise DataError(
                "data.kind is text, so the table must have exactly one input column besides "
                f"the target, but it has {list(frame.columns)}; list the others under data.drop"
            )
        return str(frame.columns[0])
    if data.kind == "auto" and frame.shape[1] == 1 and looks_like_text(frame.iloc[:, 0]):
        return str(frame.columns[0])
    return None


#: rows of a column looked at to tell free text from categories
_TEXT_SAMPLE = 2000


def refuse_mixed_text(frame: pd.DataFrame) -> None:
    """Raise a DataError when a table of several input columns holds a column of free text.

    One dataset has one input: a text column alone is a text dataset (vectorised inside
    the model), and a table without text is tabular. A column of sentences among others
    would otherwise be read as a category of mostly unique values.
    """
    if frame.shape[1] < 2:
        return
    texts = [
        str(c)
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c])
        and looks_like_text(frame[c].iloc[:_TEXT_SAMPLE])
    ]
    if texts:
        raise DataError(
            f"column(s) {texts} hold free text (sentences), but the table has "
            f"{frame.shape[1]} input columns {[str(c) for c in frame.columns][:10]}; a table "
            "that mixes a text column with other columns is not supported. To classify the "
            "text, keep only its column (list the others under data.drop, or pass that "
            "column alone); to read the text as a category, set data.kind: tabular; to "
            "ignore it, list it under data.drop"
        )


def wants_kinds(x: Any, task: AnyTask, data: DataSpec, base_dir: Path | None = None) -> bool:
    """Whether the data is not a plain table for classification or regression."""
    if isinstance(task, MultilabelTask | ForecastingTask):
        return True
    if data.kind == "graph" or looks_like_graphs(_source(x, data, base_dir)):
        return True
    if data.kind in ("image", "sequence", "text"):
        return True
    if data.kind == "tabular":
        return False
    source = _source(x, data, base_dir)
    if isinstance(source, str | Path):
        return Path(source).is_dir()
    if array_kind(source) != "tabular":
        return True
    if _text_list(source):
        return True
    if isinstance(source, pd.DataFrame):
        ignored = [c for c in (task.target, *data.drop) if c in source.columns]
        feats = source.drop(columns=ignored)
        return feats.shape[1] == 1 and looks_like_text(feats.iloc[:, 0])
    return False


def _text_list(x: Any) -> bool:
    """A list, tuple, Series or 1-D array whose first value is a string."""
    if isinstance(x, pd.Series):
        return len(x) > 0 and isinstance(x.iloc[0], str)
    if isinstance(x, np.ndarray):
        return x.ndim == 1 and len(x) > 0 and isinstance(x[0], str)
    return isinstance(x, list | tuple) and len(x) > 0 and isinstance(x[0], str)


def _fingerprint(parts: list[bytes], data: DataSpec) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    digest.update(f"{data.validation}/{data.test}/{data.seed}/{data.kind}".encode())
    return digest.hexdigest()[:16]


def _inputs_and_target(x: Any, y: Any, task: AnyTask, data: DataSpec) -> tuple[str, Any, Any, str]:
    """(kind, inputs, raw target, target name) of non-forecasting data."""
    if isinstance(x, str | Path) and Path(x).is_dir():
        if y is not None:
            raise DataError("an image folder's classes are its sub-folders; do not pass y")
        images, labels = read_image_folder(x, data.image_size, data.color_mode)
        return "image", images, pd.Series(labels), task.target or "label"
    kind = array_kind(x, data.kind) if not isinstance(x, str | Path) else "tabular"
    if kind in ("image", "sequence"):
        if y is None:
            raise DataError(f"{kind} arrays need their targets: pass y")
        return kind, as_float_array(x), y, task.target or "y"
    if _text_list(x):
        if y is None:
            raise DataError("texts given as a list need their targets: pass y")
        name = str(x.name) if isinstance(x, pd.Series) and x.name is not None else "text"
        texts = pd.Series(np.asarray(x, dtype=object).reshape(-1), name=name)
        return "text", texts, y, task.target or "y"
    frame = as_frame(x)
    if y is None:
        if task.target is None or task.target not in frame.columns:
            raise DataError(
                "no target: pass y, or name the target column with task.target; the data has "
                f"columns {list(frame.columns)}"
            )
        y = frame.pop(task.target)
        name = task.target
    else:
        name = task.target or (str(y.name) if isinstance(y, pd.Series) and y.name else "y")
    frame = frame.drop(columns=[c for c in data.drop if c in frame.columns])
    column = _text_column(frame, data)
    if column is not None:
        return "text", frame[column].reset_index(drop=True), y, name
    if data.kind in ("image", "sequence"):
        raise DataError(f"data.kind is {data.kind}, but the data is a table; pass an array")
    return "tabular", frame.reset_index(drop=True), y, name


def load_kinds_dataset(
    x: Any, y: Any, *, task: AnyTask, data: DataSpec, base_dir: Path | None = None
) -> Dataset:
    """Build the :class:`Dataset` of image, sequence, text, multilabel or forecasting data.

    Raises:
        DataError: the data cannot serve the task (mixed image shapes, non-string texts,
            series too short, a multilabel target with one label, an empty image folder …).
    """
    source = _source(x, data, base_dir)
    if source is None:
        raise DataError("no data: pass X to fit() or set data.train in the declaration")
    if isinstance(task, ForecastingTask):
        return _forecasting(source, task, data)
    if data.kind == "graph" or looks_like_graphs(source):
        if not isinstance(task, ClassificationTask | RegressionTask):
            raise DataError(
                f"graph data serves classification and regression (of graphs or of nodes), "
                f"not {task.type}"
            )
        return load_graph_dataset(source, y, task=task, data=data)
    if isinstance(source, str | Path) and not Path(source).is_dir():
        source = as_frame(source)
    kind, inputs, raw_y, name = _inputs_and_target(source, y, task, data)
    n = len(inputs)
    if isinstance(task, MultilabelTask):
        target, labels = multilabel_target(name, raw_y, task.threshold)
        strat = pd.Series(np.zeros(len(labels)))
    else:
        labels = as_target(raw_y).reset_index(drop=True)
        target = _target(name, labels, task)
        strat = labels
    if len(labels) != n:
        raise DataError(f"X has {n} examples but y has {len(labels)}; one target per example")
    if n < MIN_ROWS:
        raise DataError(f"the data has {n} examples; at least {MIN_ROWS} are needed")
    train_idx, val_idx, test_idx = _split_indices(
        n, strat, data, stratify=isinstance(task, ClassificationTask)
    )
    if isinstance(task, ClassificationTask):
        missing = set(target.classes) - set(labels.iloc[train_idx])
        if missing:
            raise DataError(
                f"class(es) {sorted(map(str, missing))} have too few examples to appear in the "
                "training split; add examples or merge classes"
            )
    schema: InputSchema | ArraySchema
    if kind == "tabular":
        schema = build_schema(inputs.iloc[train_idx])
        rows: Any = inputs
        parts = [pd.util.hash_pandas_object(inputs, index=False).to_numpy().tobytes()]
    elif kind == "text":
        check_texts(inputs, str(inputs.name or "text"), "X")
        schema = text_schema(inputs.iloc[train_idx], str(inputs.name or "text"))
        rows = inputs.to_numpy(dtype=object)
        parts = ["\x00".join(inputs).encode()]
    else:
        arr = inputs if kind == "image" or inputs.ndim == 3 else inputs[..., None]
        if kind == "image" and arr.ndim == 3:
            arr = arr[..., None]
        if kind == "image" and arr.ndim != 4:
            raise DataError(
                f"images must be an array (N, H, W) or (N, H, W, C), but got shape {arr.shape}"
            )
        arr = arr.astype("float32", copy=False)
        if not np.isfinite(arr).all():
            raise DataError(f"the {kind}s hold NaN or infinite values; fill them first")
        schema = (image_schema if kind == "image" else sequence_schema)(arr[train_idx])
        rows = arr
        parts = [np.ascontiguousarray(arr).tobytes()]
    parts.append(pd.util.hash_pandas_object(labels.astype(str), index=False).to_numpy().tobytes())

    def make(ids: np.ndarray) -> Split:
        chosen = labels.iloc[ids].reset_index(drop=True)
        if isinstance(schema, InputSchema):
            frame = rows.iloc[ids].reset_index(drop=True)
            x_in = schema.model_inputs(frame)
        else:
            frame = schema.as_table(rows[ids])
            x_in = schema.model_inputs(rows[ids])
        return Split(frame, x_in, target.encode(chosen), chosen)

    return assemble(schema, target, make, (train_idx, val_idx, test_idx), _fingerprint(parts, data))


def _forecasting(source: Any, task: ForecastingTask, data: DataSpec) -> Dataset:
    if isinstance(source, str | Path):
        source = as_frame(source)
    series = read_series(source, task)
    train, val, test, scale = make_windows(series, task, data)
    schema = window_schema(train)
    name = task.target or "value"
    target: Target = forecast_target(name, train, task, scale)

    def make(w: Any) -> Split:
        labels = pd.Series(list(w.y))
        return Split(schema.as_table(w.x), schema.model_inputs(w.x), w.y.astype("float32"), labels)

    parts = [np.ascontiguousarray(v).tobytes() for v in series.values()]
    parts.append(f"{task.lookback}/{task.horizon}".encode())
    return Dataset(
        schema=schema,
        target=target,
        train=make(train),
        validation=make(val),
        test=make(test) if test is not None else None,
        fingerprint=_fingerprint(parts, data),
    )
