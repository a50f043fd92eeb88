"""The MLflow pyfunc model of an archsmith search (logged as model code).

``mlflow.pyfunc.load_model(uri).predict(frame)`` takes raw rows (a DataFrame with the
training columns) and returns labels (classification) or values (regression), exactly as
``AutoModel.predict`` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlflow.models
import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import InputSchema
from archsmith.datasets import Target
from archsmith.datasets import as_frame


class TableModel(PythonModel):
    """A searched Keras model plus what it needs to read raw rows and decode outputs."""

    def load_context(self, context: Any) -> None:
        meta = json.loads(Path(context.artifacts["metadata"]).read_text())
        self.schema = InputSchema.from_dict(meta["schema"])
        self.target = Target.from_dict(meta["target"])
        self.model = builders.load_model(context.artifacts["keras_model"])
        self.strings = builders.takes_strings(self.model)

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> np.ndarray:
        frame = as_frame(model_input)
        out = training.outputs(self.model, self.schema.raw_inputs(frame, self.strings))
        return tasks.predictions(out, self.target)


if __name__ != "archsmith.serving":  # executed by MLflow as model code
    mlflow.models.set_model(TableModel())
