"""``load_dataset``: read what the user passed, then hand it to the loader of the task.

Each task's loader lives in the module of its data: labelled examples of any kind
(``_labelled``, which hands tables, images, sequences, texts and graphs to their modules),
forecasting series (``_series``), pairs (``_pairs``), anomaly detection (``_anomaly``),
clustering and generation (``_unsupervised``). This module imports them; none imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from typing import Protocol

from archsmith.datasets._anomaly import load_anomaly_dataset
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import data_source
from archsmith.datasets._files import is_array_file
from archsmith.datasets._files import read_arrays
from archsmith.datasets._graph_read import graph_data
from archsmith.datasets._labelled import load_examples_dataset
from archsmith.datasets._labelled import load_labelled_dataset
from archsmith.datasets._pairs import load_similarity_dataset
from archsmith.datasets._readers import read_table
from archsmith.datasets._series import load_forecasting_dataset
from archsmith.datasets._stream import load_streamed
from archsmith.datasets._stream import streamed
from archsmith.datasets._unsupervised import load_clustering_dataset
from archsmith.datasets._unsupervised import load_generation_dataset
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

AnyTask = (
    ClassificationTask
    | RegressionTask
    | MultilabelTask
    | ForecastingTask
    | AnomalyDetectionTask
    | ClusteringTask
    | GenerationTask
    | SimilarityTask
)


class Loader(Protocol):
    """Builds the :class:`Dataset` of one task from the data as :func:`load_dataset` read it."""

    def __call__(
        self, x: Any, y: Any = None, *, task: Any, data: DataSpec, base_dir: Path | None = None
    ) -> Dataset: ...


#: the loader of each task (``task.type``)
LOADERS: dict[str, Loader] = {
    "classification": load_labelled_dataset,
    "regression": load_labelled_dataset,
    "multilabel": load_examples_dataset,
    "forecasting": load_forecasting_dataset,
    "anomaly_detection": load_anomaly_dataset,
    "clustering": load_clustering_dataset,
    "generation": load_generation_dataset,
    "similarity": load_similarity_dataset,
}


#: the tasks whose table files can be streamed (``data.stream``), and their loader
STREAMED = {"classification": load_streamed, "regression": load_streamed}


def load_dataset(
    x: Any,
    y: Any = None,
    *,
    task: AnyTask,
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
    source = data_source(x, data, base_dir)
    graphs = graph_data(source, data)  # read by the graph loader
    if is_array_file(source) and not graphs:  # .npz / .npy: arrays, read without unpickling
        x, file_y = read_arrays(Path(source), data, task.type)
        y = file_y if y is None else y
    elif x is None and y is None and streamed(source, data):  # larger than memory: batches
        stream = STREAMED.get(task.type)
        if stream is None:
            raise DataError(
                f"data.stream reads tables of {sorted(STREAMED)} tasks, not {task.type}; "
                "set data.stream: false"
            )
        return stream(Path(source), task=task, data=data)
    elif x is None and not graphs and isinstance(source, Path) and source.is_file():
        x = read_table(source)  # read once; the kind is inferred from its columns
    return LOADERS[task.type](x, y, task=task, data=data, base_dir=base_dir)
