"""Labelled examples for classification, regression and multilabel: tables, images,
sequences, texts and graphs. :func:`load_labelled_dataset` finds the data kind, then the
kind's module reads the inputs (:data:`INPUTS`); a plain table for classification or
regression goes to :func:`~archsmith.datasets._tables.load_table_dataset`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._arrays import array_kind
from archsmith.datasets._arrays import as_float_array
from archsmith.datasets._base import MIN_ROWS
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import assemble
from archsmith.datasets._base import check_classes
from archsmith.datasets._base import data_source
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import label_bytes
from archsmith.datasets._base import split_indices
from archsmith.datasets._graph_read import graph_data
from archsmith.datasets._graphs import load_graph_dataset
from archsmith.datasets._images import image_inputs
from archsmith.datasets._images import read_image_folder
from archsmith.datasets._readers import as_frame
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._sequences import sequence_inputs
from archsmith.datasets._tables import load_table_dataset
from archsmith.datasets._tables import table_inputs
from archsmith.datasets._targets import LabelledTask
from archsmith.datasets._targets import labelled_target
from archsmith.datasets._texts import looks_like_text
from archsmith.datasets._texts import text_column
from archsmith.datasets._texts import text_inputs
from archsmith.datasets._texts import text_list
from archsmith.exceptions import DataError
from archsmith.spec import ClassificationTask
from archsmith.spec import DataSpec
from archsmith.spec import RegressionTask


@dataclass(frozen=True)
class DataKind:
    """How a data kind's inputs are read.

    Attributes:
        inputs: ``(inputs, training indexes) -> (schema, rows, fingerprint parts)``.
        arrays: the data are numeric arrays, so their targets come beside them (``y``).
    """

    inputs: Callable[[Any, np.ndarray], tuple[InputSchema | ArraySchema, Any, list[bytes]]]
    arrays: bool = False


#: the data kinds of labelled examples (graphs have their own loader)
INPUTS: dict[str, DataKind] = {
    "tabular": DataKind(table_inputs),
    "text": DataKind(text_inputs),
    "image": DataKind(image_inputs, arrays=True),
    "sequence": DataKind(sequence_inputs, arrays=True),
}

#: declared data kinds (``data.kind``) and whether they are read as examples, not a table
_DECLARED_EXAMPLES = {"image": True, "sequence": True, "text": True, "tabular": False}


def _arrays(kind: str) -> bool:
    """Whether data of ``kind`` are numeric arrays (images, sequences)."""
    spec = INPUTS.get(kind)
    return spec is not None and spec.arrays


def _plain_table(
    x: Any, task: ClassificationTask | RegressionTask, data: DataSpec, base_dir: Path | None
) -> bool:
    """Whether the data is a plain table (no graph, image, sequence or text)."""
    source = data_source(x, data, base_dir)
    if graph_data(source, data):
        return False
    declared = _DECLARED_EXAMPLES.get(data.kind)
    if declared is not None:
        return not declared
    if isinstance(source, str | Path):
        return not Path(source).is_dir()
    if array_kind(source) != "tabular":
        return False
    if text_list(source):
        return False
    if isinstance(source, pd.DataFrame):
        ignored = [c for c in (task.target, *data.drop) if c in source.columns]
        feats = source.drop(columns=ignored)
        return not (feats.shape[1] == 1 and looks_like_text(feats.iloc[:, 0]))
    return True


def load_labelled_dataset(
    x: Any,
    y: Any = None,
    *,
    task: ClassificationTask | RegressionTask,
    data: DataSpec,
    base_dir: Path | None = None,
) -> Dataset:
    """Build the :class:`Dataset` of classification or regression: a plain table, or
    examples of another kind (see :func:`load_examples_dataset`)."""
    if _plain_table(x, task, data, base_dir):
        return load_table_dataset(x, y, task=task, data=data, base_dir=base_dir)
    return load_examples_dataset(x, y, task=task, data=data, base_dir=base_dir)


def _inputs_and_target(
    x: Any, y: Any, task: LabelledTask, data: DataSpec
) -> tuple[str, Any, Any, str]:
    """(kind, inputs, raw target, target name) of labelled examples."""
    if isinstance(x, str | Path) and Path(x).is_dir():
        if y is not None:
            raise DataError("an image folder's classes are its sub-folders; do not pass y")
        images, labels = read_image_folder(x, data)
        return "image", images, pd.Series(labels), task.target or "label"
    kind = array_kind(x, data.kind) if not isinstance(x, str | Path) else "tabular"
    if _arrays(kind):
        if y is None:
            raise DataError(f"{kind} arrays need their targets: pass y")
        return kind, as_float_array(x, pad=data.pad), y, task.target or "y"
    if text_list(x):
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
    column = text_column(frame, data)
    if column is not None:
        return "text", frame[column].reset_index(drop=True), y, name
    if _arrays(data.kind):
        raise DataError(f"data.kind is {data.kind}, but the data is a table; pass an array")
    return "tabular", frame.reset_index(drop=True), y, name


def load_examples_dataset(
    x: Any, y: Any = None, *, task: LabelledTask, data: DataSpec, base_dir: Path | None = None
) -> Dataset:
    """Build the :class:`Dataset` of labelled images, sequences, texts, graphs or tables
    (the kind is found from the data, or declared by ``data.kind``).

    Raises:
        DataError: the data cannot serve the task (mixed image shapes, non-string texts,
            a multilabel target with one label, an empty image folder …).
    """
    source = data_source(x, data, base_dir)
    if source is None:
        raise DataError("no data: pass X to fit() or set data.train in the declaration")
    if graph_data(source, data):
        return load_graph_dataset(source, y, task=task, data=data)
    if isinstance(source, str | Path) and not Path(source).is_dir():
        source = as_frame(source)
    kind, inputs, raw_y, name = _inputs_and_target(source, y, task, data)
    n = len(inputs)
    target, labels = labelled_target(name, raw_y, task)
    if len(labels) != n:
        raise DataError(f"X has {n} examples but y has {len(labels)}; one target per example")
    if n < MIN_ROWS:
        raise DataError(f"the data has {n} examples; at least {MIN_ROWS} are needed")
    splits = split_indices(n, labels, data, stratify=target.stratified)
    check_classes(target, labels.iloc[splits[0]], "examples", "add examples")
    schema, rows, parts = INPUTS[kind].inputs(inputs, splits[0])
    parts.append(label_bytes(labels))

    def make(ids: np.ndarray) -> Split:
        chosen = labels.iloc[ids].reset_index(drop=True)
        if isinstance(schema, InputSchema):
            frame = rows.iloc[ids].reset_index(drop=True)
            x_in = schema.model_inputs(frame)
        else:
            frame = schema.as_table(rows[ids])
            x_in = schema.model_inputs(rows[ids])
        return Split(frame, x_in, target.encode(chosen), chosen)

    return assemble(schema, target, make, splits, fingerprint(parts, data, data.kind))
