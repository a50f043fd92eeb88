"""Exports of a trained model other than the ``.keras`` file: a TensorFlow SavedModel, a
TFLite/LiteRT flatbuffer (optionally int8) and an ONNX graph, and the runtimes that read
the last two back (to check an export before it is handed over).

Every export traces the model in inference mode (``training=False``): batch
normalisation uses its moving statistics and augmentation layers (``RandomFlip`` …) are
left out of the graph. A conversion that fails, or writes a file its runtime cannot load,
raises ``ArchsmithError`` naming the format and the reason, and leaves no file behind.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras
import numpy as np

from archsmith.exceptions import ArchsmithError

_OPS = re.compile(r"'tf\.(\w+)' op is neither a custom op nor a flex op")
_ONNX_OPS = re.compile(r"No Op registered for (\w+)")


def _tensorflow(fmt: str) -> Any:
    if keras.backend.backend() != "tensorflow":
        raise ArchsmithError(
            f"export format {fmt!r} needs the TensorFlow backend; this model runs on "
            f"{keras.backend.backend()} (set KERAS_BACKEND=tensorflow)"
        )
    import tensorflow as tf

    return tf


def _write_savedmodel(model: keras.Model, path: Path) -> None:
    tf = _tensorflow("savedmodel")
    signature = [{t.name: tf.TensorSpec(t.shape, t.dtype, name=t.name) for t in model.inputs}]
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serve", functools.partial(model.__call__, training=False), input_signature=signature
    )
    with _quiet():
        archive.write_out(str(path), verbose=False)


def export_savedmodel(model: keras.Model, path: str | Path) -> Path:
    """Write ``model`` as a TensorFlow SavedModel folder for TF Serving: its ``serve``
    signature takes the model's inputs as a mapping (one tensor per input column for a
    table, strings for categorical columns) and returns its outputs. Needs the TensorFlow
    backend."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_savedmodel(model, path)
    return path


def export_tflite(
    model: keras.Model, path: str | Path, calibration: Mapping[str, np.ndarray] | None = None
) -> Path:
    """Write ``model`` as a TFLite/LiteRT file using LiteRT's built-in ops only (no Flex
    delegate needed where it runs).

    Args:
        calibration: model inputs (the first axis: rows) for int8 post-training
            quantisation: weights and activations in int8, calibrated on these rows;
            inputs and outputs stay float32 (and strings). None: a float32 model.

    Raises:
        ArchsmithError: the model uses TensorFlow ops LiteRT has no built-in for (named).
    """
    tf = _tensorflow("tflite")
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="archsmith-") as tmp:
        _write_savedmodel(model, Path(tmp) / "saved")
        converter = tf.lite.TFLiteConverter.from_saved_model(str(Path(tmp) / "saved"))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        if calibration is not None:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = functools.partial(_rows, calibration)
        try:
            with _quiet(), _no_native_stderr():
                flat = converter.convert()
        except Exception as exc:  # ConverterError and friends: name the missing ops
            ops = sorted(set(_OPS.findall(str(exc))))
            reason = (
                f"it uses TensorFlow ops that LiteRT has no built-in for: {', '.join(ops)}"
                if ops
                else f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:300]}"
            )
            raise ArchsmithError(f"cannot export to tflite: {reason}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(flat)
    return path


def _rows(inputs: Mapping[str, np.ndarray]) -> Iterator[dict[str, np.ndarray]]:
    n = len(next(iter(inputs.values())))
    for i in range(n):
        yield {k: _tflite_value(v[i : i + 1]) for k, v in inputs.items()}


def export_onnx(model: keras.Model, path: str | Path) -> Path:
    """Write ``model`` as an ONNX graph (tf2onnx, from the inference-mode SavedModel) and
    check that ONNX Runtime loads it. String inputs are not supported: pass a model that
    takes integer codes (``builders.codes_model``).

    Raises:
        ArchsmithError: tf2onnx or onnxruntime missing, or a graph ONNX cannot express
            (the ops are named); no file is left behind.
    """
    _tensorflow("onnx")
    try:
        import onnxruntime  # noqa: F401
        from tf2onnx import convert
        from tf2onnx import tf_loader
    except ImportError as exc:
        raise ArchsmithError(
            f"export format 'onnx' needs tf2onnx and onnxruntime ({exc.name} is not "
            "installed): pip install 'archsmith[onnx]'"
        ) from None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="archsmith-") as tmp, _quiet():
        from keras.src.export.tf2onnx_lib import patch_tf2onnx  # tf2onnx on NumPy 2

        patch_tf2onnx()
        _write_savedmodel(model, Path(tmp) / "saved")
        loaded = tf_loader.from_saved_model(
            str(Path(tmp) / "saved"), None, None, tag="serve", signatures=["serve"]
        )
        graph_def, inputs, outputs = loaded[0], loaded[1], loaded[2]
        try:
            convert.from_graph_def(
                graph_def, input_names=inputs, output_names=outputs, output_path=str(path)
            )
            onnx_session(path)
        except Exception as exc:
            path.unlink(missing_ok=True)
            ops = sorted(set(_ONNX_OPS.findall(str(exc))))
            reason = (
                f"the graph holds ops ONNX has none for: {', '.join(ops)}"
                if ops
                else f"{type(exc).__name__}: {str(exc).strip()[:300]}"
            )
            raise ArchsmithError(f"cannot export to onnx: {reason}") from None
    return path


def savedmodel_outputs(path: str | Path, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    """The SavedModel's ``serve`` output for ``inputs`` (as TF Serving would compute it)."""
    tf = _tensorflow("savedmodel")
    loaded = tf.saved_model.load(str(path))
    return np.asarray(loaded.serve({k: tf.constant(v) for k, v in inputs.items()}))


def onnx_session(path: str | Path) -> Any:
    """An ONNX Runtime session over the file (CPU)."""
    import onnxruntime

    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def onnx_outputs(path: str | Path, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    """The ONNX file's first output for ``inputs`` (keyed by the Keras input names)."""
    session = onnx_session(path)
    feed = {}
    for spec in session.get_inputs():
        value = np.asarray(inputs[spec.name.split(":")[0]])
        feed[spec.name] = value.astype("float32") if value.dtype.kind == "f" else value
    return np.asarray(session.run(None, feed)[0])


def tflite_outputs(path: str | Path, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    """The TFLite file's output for ``inputs``, one row at a time (LiteRT's interpreter
    where ``ai-edge-litert`` is installed, else TensorFlow's)."""
    runner = _interpreter(path).get_signature_runner()
    n = len(next(iter(inputs.values())))
    rows = []
    for i in range(n):
        out = runner(**{k: _tflite_value(v[i : i + 1]) for k, v in inputs.items()})
        rows.append(np.asarray(next(iter(out.values()))))
    return np.concatenate(rows) if rows else np.zeros((0, 1), dtype="float32")


def _tflite_value(value: np.ndarray) -> np.ndarray:
    value = np.asarray(value)
    return value.astype("float32") if value.dtype.kind == "f" else value.astype(bytes)


def _interpreter(path: str | Path) -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter  # deprecated in favour of LiteRT's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Interpreter(model_path=str(path))


@contextlib.contextmanager
def _no_native_stderr() -> Iterator[None]:
    """The converter's native (C++) diagnostics off file descriptor 2: a failure is
    reported by the exception, its unsupported ops named by our error."""
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (embedded interpreters)
        yield
        return
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """TensorFlow's and tf2onnx's progress and deprecation lines kept off the terminal."""
    loggers = [logging.getLogger(n) for n in ("tensorflow", "tf2onnx", "absl")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


__all__ = [
    "export_onnx",
    "export_savedmodel",
    "export_tflite",
    "onnx_outputs",
    "savedmodel_outputs",
    "tflite_outputs",
]
