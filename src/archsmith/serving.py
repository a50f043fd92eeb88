"""The MLflow pyfunc model of an archsmith search (logged as model code).

``mlflow.pyfunc.load_model(uri).predict(frame)`` takes raw rows (a DataFrame with the
training columns) and returns labels (classification) or values (regression), exactly as
``AutoModel.predict`` does. The work is done by :class:`archsmith.served.ServedModel`,
which ``archsmith predict`` uses directly (without running this file's stored copy).
"""

from __future__ import annotations

from typing import Any

import mlflow.models
import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel

from archsmith.served import ServedModel


class TableModel(PythonModel):
    """A searched Keras model plus what it needs to read raw rows and decode outputs."""

    def load_context(self, context: Any) -> None:
        served = ServedModel.from_files(
            context.artifacts["keras_model"], context.artifacts["metadata"]
        )
        self.served = served
        self.schema, self.target, self.model = served.schema, served.target, served.model
        self.strings = served.strings

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> np.ndarray:
        return self.served.predict(model_input)


if __name__ != "archsmith.serving":  # executed by MLflow as model code
    mlflow.models.set_model(TableModel())
