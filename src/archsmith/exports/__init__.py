"""Deployment exports of a searched model (``keras``, ``savedmodel``, ``tflite`` with
optional int8, ``onnx``), each read back by its runtime and compared with the Keras
model; magnitude pruning; the MLflow Model Registry.

Used by ``AutoModel.export`` and ``archsmith export``; see ``docs/ecosystem.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archsmith.exports._formats import CALIBRATION_ROWS
from archsmith.exports._formats import FORMATS
from archsmith.exports._formats import REFUSE_ABOVE
from archsmith.exports._formats import ExportReport
from archsmith.exports._formats import export_file
from archsmith.exports._prune import PruneReport
from archsmith.exports._prune import prune_search_model

CHECK_ROWS = 256  # validation rows whose outputs every export is checked on


def export_search_model(
    model: Any, dataset: Any, path: str | Path, format: str = "keras", *, int8: bool = False
) -> ExportReport:
    """Export a search's best model: int8 calibrated on the first
    :data:`CALIBRATION_ROWS` training rows, the outputs checked on up to
    :data:`CHECK_ROWS` validation rows."""
    check = dataset.validation if len(dataset.validation) else dataset.train
    return export_file(
        model,
        dataset.schema,
        dataset.target,
        path,
        format,
        int8=int8,
        calibration=dataset.train.frame,
        check=check.frame.iloc[:CHECK_ROWS],
    )


__all__ = [
    "CALIBRATION_ROWS",
    "CHECK_ROWS",
    "FORMATS",
    "REFUSE_ABOVE",
    "ExportReport",
    "PruneReport",
    "export_file",
    "export_search_model",
    "prune_search_model",
]
