"""Exports of a trained model other than the ``.keras`` file: a TensorFlow SavedModel."""

from __future__ import annotations

from pathlib import Path

import keras

from archsmith.exceptions import ArchsmithError


def export_savedmodel(model: keras.Model, path: str | Path) -> Path:
    """Write ``model`` as a TensorFlow SavedModel folder for TF Serving: its ``serve``
    signature takes the model's inputs (one tensor per input column for a table, strings
    for categorical columns) and returns its outputs. Needs the TensorFlow backend."""
    if keras.backend.backend() != "tensorflow":
        raise ArchsmithError(
            f"a SavedModel needs the TensorFlow backend; this model runs on "
            f"{keras.backend.backend()} (set KERAS_BACKEND=tensorflow)"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.export(str(path), format="tf_saved_model", verbose=False)
    return path
