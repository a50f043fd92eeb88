"""Write a searched model in a deployment format and check it against the Keras model.

Each format is written, read back by its own runtime (Keras, TensorFlow, the LiteRT
interpreter, ONNX Runtime) and its outputs compared with the Keras model's on rows of
the search's data before the path is handed back; a format that cannot express the model
raises ``ArchsmithError`` naming the format and the reason, and leaves no file.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import Target
from archsmith.exceptions import ArchsmithError

FORMATS = ("keras", "savedmodel", "tflite", "onnx")
SUFFIXES = {"keras": ".keras", "savedmodel": "", "tflite": ".tflite", "onnx": ".onnx"}
#: training rows that calibrate int8 quantisation (the first rows of the training split)
CALIBRATION_ROWS = 256
#: a float export whose outputs differ more than this from Keras' is refused (observed:
#: below 1e-6 on every supported kind; the tests hold them to 1e-5)
REFUSE_ABOVE = 1e-3


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote and how close it stays to the Keras model.

    Attributes:
        path: the file (or SavedModel folder) written.
        format: ``keras``, ``savedmodel``, ``tflite`` or ``onnx``.
        bytes: its size; ``compressed_bytes``: its size compressed with zlib (level 9).
        rows_checked: rows whose outputs were compared (0: no rows were given).
        max_difference: largest absolute difference of the outputs (probabilities or
            values) from the Keras model's, on those rows.
        agreement: share of rows with the same prediction (label) as the Keras model
            (tasks with classes), else None.
        int8: int8 post-training quantisation (TFLite); calibration_rows: rows used.
        categories_as_codes: categorical columns are integer codes (ONNX: 0 missing or
            unseen, then 1… in the order of ``vocabularies``), not strings.
    """

    path: Path
    format: str
    bytes: int
    compressed_bytes: int
    rows_checked: int
    max_difference: float | None
    agreement: float | None
    int8: bool = False
    calibration_rows: int = 0
    categories_as_codes: bool = False


def export_file(
    model: Any,
    schema: Any,
    target: Target,
    path: str | Path,
    format: str = "keras",
    *,
    int8: bool = False,
    calibration: Any = None,
    check: Any = None,
) -> ExportReport:
    """Write ``model`` (an exported, raw-input model) in ``format`` and check it.

    Args:
        schema, target: the search's input schema and target (``Dataset.schema``/``target``).
        path: the file to write; the format's suffix is added when missing (``savedmodel``:
            a folder).
        int8: int8 post-training quantisation (``tflite`` only), calibrated on
            ``calibration``.
        calibration: raw training rows (DataFrame, arrays) for ``int8``; the first
            :data:`CALIBRATION_ROWS` are used.
        check: raw rows whose outputs are compared with the Keras model's.

    Raises:
        ArchsmithError: unknown format, int8 outside tflite or without rows, a model the
            format cannot express (named), or outputs that differ beyond
            :data:`REFUSE_ABOVE`.
    """
    if format not in FORMATS:
        choices = ", ".join(FORMATS)
        raise ArchsmithError(f"unknown export format {format!r}; choose one of {choices}")
    if int8 and format != "tflite":
        raise ArchsmithError(f"int8 quantisation is a tflite option, not {format}'s")
    if int8 and calibration is None:
        raise ArchsmithError("int8 quantisation needs training rows to calibrate on")
    path = Path(path)
    if SUFFIXES[format] and path.suffix != SUFFIXES[format]:
        path = path.with_name(path.name + SUFFIXES[format])
    variant = builders.codes_model(model, schema) if format == "onnx" else model
    strings = builders.takes_strings(variant)
    rows = 0
    if format == "keras":
        training.save_model(variant, path)
    elif format == "savedmodel":
        training.export_savedmodel(variant, path)
    elif format == "onnx":
        training.export_onnx(variant, path)
    else:
        feed = None
        if int8:
            feed = _head(schema.raw_inputs(_first(calibration, CALIBRATION_ROWS), strings))
            rows = len(next(iter(feed.values())))
        training.export_tflite(variant, path, feed)
    report = ExportReport(
        path, format, *_sizes(path), 0, None, None, int8, rows, strings != _strings(model)
    )
    if check is None:
        return report
    return _checked(report, model, schema, target, variant, check)


def _checked(
    report: ExportReport, model: Any, schema: Any, target: Target, variant: Any, rows: Any
) -> ExportReport:
    keras_out = training.outputs(model, schema.raw_inputs(rows, _strings(model)))
    feed = schema.raw_inputs(rows, builders.takes_strings(variant))
    out = READERS[report.format](report.path, feed).reshape(keras_out.shape)
    diff = float(np.max(np.abs(out - keras_out))) if out.size else 0.0
    agreement = None
    if tasks.for_target(target).has_classes:
        same = tasks.predictions(out, target) == tasks.predictions(keras_out, target)
        agreement = float(np.mean(np.all(same.reshape(len(same), -1), axis=1)))
    if not report.int8 and not diff <= REFUSE_ABOVE:
        _remove(report.path)
        raise ArchsmithError(
            f"the {report.format} export does not reproduce the model: outputs differ by "
            f"{diff:.3g} (more than {REFUSE_ABOVE}); no file was written"
        )
    return ExportReport(
        report.path,
        report.format,
        report.bytes,
        report.compressed_bytes,
        len(keras_out),
        diff,
        agreement,
        report.int8,
        report.calibration_rows,
        report.categories_as_codes,
    )


def _keras_outputs(path: Path, inputs: Any) -> np.ndarray:
    return training.outputs(builders.load_model(path), inputs)


READERS: dict[str, Callable[[Path, Any], np.ndarray]] = {
    "keras": _keras_outputs,
    "savedmodel": lambda path, inputs: training.savedmodel_outputs(path, inputs),
    "tflite": lambda path, inputs: training.tflite_outputs(path, inputs),
    "onnx": lambda path, inputs: training.onnx_outputs(path, inputs),
}


def _strings(model: Any) -> bool:
    return bool(builders.takes_strings(model))


def _first(rows: Any, n: int) -> Any:
    return rows.iloc[:n] if hasattr(rows, "iloc") else rows[:n]


def _head(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.asarray(v)[:CALIBRATION_ROWS] for k, v in inputs.items()}


def _sizes(path: Path) -> tuple[int, int]:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    data = b"".join(p.read_bytes() for p in files)
    return len(data), len(zlib.compress(data, 9))


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


__all__ = ["CALIBRATION_ROWS", "FORMATS", "REFUSE_ABOVE", "ExportReport", "export_file"]
