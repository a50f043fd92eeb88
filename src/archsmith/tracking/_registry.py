"""The MLflow Model Registry: register a search's logged model, find a version's files.

A version's files are located through its run (``models:/NAME/VERSION`` -> the run that
logged it -> its ``model`` folder) and read as data (``_model_files``): nothing stored
with the model is executed.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archsmith.exceptions import ArchsmithError
from archsmith.exceptions import NotFound
from archsmith.tracking._model_files import model_files as folder_files
from archsmith.tracking._store import hushed

_URI = re.compile(r"^models:/(?P<name>[^/]+)/(?P<version>[^/]+)$")


def register(
    tracker: Any, run_id: str, name: str, task: str, scores: Mapping[str, float | None]
) -> str:
    """Register the ``model`` of search run ``run_id`` as a new version of ``name``; the
    registered model is tagged with the task and the declaration's name, the version with
    the scores. Returns ``models:/NAME/VERSION``.

    Raises:
        ArchsmithError: the store has no model registry (a plain folder of files).
    """
    client = tracker.client
    run = client.get_run(run_id)
    tags = {
        "archsmith.task": task,
        "archsmith.experiment": str(run.data.tags.get("mlflow.runName", "")),
        "archsmith.search_run": run_id,
        **{
            f"archsmith.{k}": str(v)
            for k, v in scores.items()
            if v is not None and math.isfinite(float(v))
        },
    }
    try:
        with hushed():
            if not client.search_registered_models(filter_string=f"name = '{name}'"):
                client.create_registered_model(name, tags={"archsmith.task": task})
            version = client.create_model_version(
                name, f"{run.info.artifact_uri}/model", run_id=run_id, tags=tags
            )
    except Exception as exc:
        raise ArchsmithError(
            f"cannot register the model as {name!r} in {tracker.tracking_uri}: "
            f"{type(exc).__name__}: {str(exc)[:300]} (the model registry needs a database "
            "store, e.g. archsmith's default folder store)"
        ) from None
    return f"models:/{name}/{version.version}"


def model_files(tracker: Any, name: str) -> tuple[Path, Path]:
    """The model files of a search name (its latest search) or a ``models:/NAME/VERSION``."""
    if is_model_uri(name):
        return registered_files(tracker, name)
    return tracker.search_model_files(name)


def log_metrics(tracker: Any, run_id: str, metrics: Mapping[str, float]) -> None:
    """Log metrics to a finished run now (e.g. a pruned model's score and size)."""
    from mlflow.entities import Metric

    stamp = int(time.time() * 1000)
    tracker.client.log_batch(
        run_id, metrics=[Metric(k, float(v), stamp, 0) for k, v in metrics.items()]
    )


def is_model_uri(text: str) -> bool:
    """Whether ``text`` names a registered model version (``models:/NAME/VERSION``)."""
    return text.startswith("models:/")


def registered_files(tracker: Any, uri: str) -> tuple[Path, Path]:
    """The ``.keras`` file and metadata JSON of ``models:/NAME/VERSION`` (or ``/latest``).

    Raises:
        NotFound: no such registered model or version.
        ArchsmithError: a malformed URI, or a version not logged by an archsmith search.
    """
    match = _URI.match(uri)
    if match is None:
        raise ArchsmithError(f"{uri!r} is not a registered model URI: use models:/NAME/VERSION")
    name, version = match["name"], match["version"]
    client = tracker.client
    try:
        versions = client.search_model_versions(filter_string=f"name = '{name}'")
    except Exception:
        versions = []
    if version == "latest":
        chosen = max(versions, key=lambda v: int(v.version), default=None)
    else:
        chosen = next((v for v in versions if str(v.version) == version), None)
    if chosen is None:
        known = ", ".join(sorted(str(v.version) for v in versions)) or "none"
        raise NotFound(f"no registered model {uri} (versions of {name!r}: {known})")
    if not chosen.run_id:
        raise ArchsmithError(f"{uri} was not registered from an archsmith search run")
    return folder_files(tracker.artifact_path(chosen.run_id, "model"))


__all__ = ["is_model_uri", "log_metrics", "model_files", "register", "registered_files"]
