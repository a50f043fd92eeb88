"""A searched table model ready to predict raw rows, from its two data files.

:class:`ServedModel` is what ``archsmith predict`` and the MLflow pyfunc
(``serving.TableModel``) both use: the ``.keras`` file loaded in Keras safe mode, the
input schema and the target read from the metadata JSON, and archsmith's own (installed)
code to turn rows into inputs and outputs into labels. ``load_served`` finds the files of
a search's logged model without executing anything stored with it (no ``serving.py``
copy, no pickle).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import InputSchema
from archsmith.datasets import Target
from archsmith.datasets import network_inputs
from archsmith.datasets import read_examples
from archsmith.exceptions import ArchsmithError


@dataclass(frozen=True)
class ServedModel:
    """A Keras model plus what it needs to read raw rows and decode its outputs."""

    model: Any
    schema: InputSchema
    target: Target
    strings: bool

    @classmethod
    def from_files(cls, keras_file: str | Path, metadata_file: str | Path) -> ServedModel:
        """Load the model (Keras safe mode) and its metadata JSON.

        Raises:
            ArchsmithError: the metadata is not archsmith's.
        """
        try:
            meta = json.loads(Path(metadata_file).read_text(encoding="utf-8"))
            schema = InputSchema.from_dict(meta["schema"])
            target = Target.from_dict(meta["target"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArchsmithError(
                f"cannot read the model metadata {metadata_file}: {type(exc).__name__}: {exc}"
            ) from None
        model = builders.load_model(keras_file)
        return cls(model, schema, target, builders.takes_strings(model))

    def predict(self, rows: Any) -> np.ndarray:
        """Labels (classification), values (regression) or one column per output.

        Args:
            rows: data of the kind the model was fit on, or a path to it (see
                ``archsmith.datasets.read_examples``): a CSV/Parquet table, an ``.npz`` or
                ``.npy`` file, an image file or a folder of images.

        Raises:
            DataError: the rows do not fit the schema (missing or non-numeric columns,
                infinite values, duplicate or nested columns, images or sequences of
                another shape, an unknown kind of file).
        """
        out = training.outputs(self.model, network_inputs(rows, self.schema, self.strings))
        return np.asarray(tasks.predictions(out, self.target))


def load_served(experiment: str, tracking_uri: str = "mlruns") -> ServedModel:
    """The model of the latest search named ``experiment`` (or of a registered version,
    ``models:/NAME/VERSION`` or ``models:/NAME/latest``), loaded without running code from
    the store.

    Raises:
        ArchsmithError: no such search or version, or it logged no model.
    """
    from archsmith.tracking import model_files
    from archsmith.tracking import open_tracker

    keras_file, metadata_file = model_files(open_tracker(tracking_uri), experiment)
    return ServedModel.from_files(keras_file, metadata_file)


def predictions_frame(served: ServedModel, rows: Any) -> pd.DataFrame:
    """Predictions as a table: ``prediction``, one column per label, or per step ahead;
    read from images, a ``file`` column first (the image of each row).

    Args:
        rows: data or a path, as :meth:`ServedModel.predict` takes them.
    """
    examples = read_examples(rows, served.schema)
    predictions = served.predict(examples.data)
    if predictions.ndim == 1:
        frame = pd.DataFrame({"prediction": predictions})
    elif served.target.kind == "multilabel":
        frame = pd.DataFrame(predictions, columns=[str(c) for c in served.target.classes])
    else:
        steps = [f"step_{i + 1}" for i in range(predictions.shape[1])]
        frame = pd.DataFrame(predictions, columns=steps)
    if examples.files:
        frame.insert(0, "file", list(examples.files))
    return frame


__all__ = ["ServedModel", "load_served", "predictions_frame"]
