"""The files of a logged model, found without running anything stored with it.

A search logs its model as an MLflow pyfunc whose ``MLmodel`` names the ``.keras`` file
and the metadata JSON among its artifacts, next to a copy of ``serving.py``. Loading it
with ``mlflow.pyfunc.load_model`` would execute that copy: anyone who can write to a
shared store could run code as whoever predicts. Here only the two data files are located
(``MLmodel`` is read with archsmith's bounded safe YAML loader, and both paths must stay
inside the model folder); ``archsmith.served`` loads them with Keras safe mode and the
installed archsmith code.
"""

from __future__ import annotations

from pathlib import Path

from archsmith.exceptions import ArchsmithError
from archsmith.spec import read_yaml

#: Where ``log_model`` puts the two files (used when ``MLmodel`` does not say).
DEFAULTS = {"keras_model": "artifacts/model.keras", "metadata": "artifacts/archsmith.json"}
SUFFIXES = {"keras_model": ".keras", "metadata": ".json"}


def model_files(model_dir: Path) -> tuple[Path, Path]:
    """``(keras file, metadata JSON)`` of the pyfunc model saved in ``model_dir``.

    Raises:
        ArchsmithError: a file is missing, has the wrong suffix, or lies outside the folder.
    """
    root = model_dir.resolve()
    artifacts: dict[str, object] = {}
    mlmodel = root / "MLmodel"
    if mlmodel.is_file():
        data = read_yaml(mlmodel).data
        try:
            artifacts = dict(data["flavors"]["python_function"]["artifacts"])
        except (KeyError, TypeError, ValueError):
            artifacts = {}
    found = []
    for name, default in DEFAULTS.items():
        entry = artifacts.get(name)
        rel = entry.get("path", default) if isinstance(entry, dict) else default
        path = (root / str(rel)).resolve()
        if not path.is_relative_to(root) or path.suffix != SUFFIXES[name] or not path.is_file():
            raise ArchsmithError(
                f"the logged model in {root} has no usable {name} file ({rel!r}); expected a "
                f"{SUFFIXES[name]} file inside the model folder"
            )
        found.append(path)
    return found[0], found[1]


__all__ = ["model_files"]
