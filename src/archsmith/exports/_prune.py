"""Magnitude pruning of a search's best model: prune, fine-tune briefly, score, size, log.

The smallest-magnitude share (``sparsity``) of every kernel is zeroed, the model is
fine-tuned on the search's training split for a few epochs with the pruned weights held
at zero (``training.KeepPruned``), and its validation score and size (bytes of the
``.keras`` file, and compressed: zeros compress) are logged to the search's MLflow run
(metrics ``pruned.*``, the file as ``pruned/model.keras``).
"""

from __future__ import annotations

import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras

from archsmith import tasks
from archsmith import training
from archsmith.exceptions import ArchsmithError
from archsmith.tracking import log_metrics
from archsmith.tracking import open_tracker


@dataclass(frozen=True)
class PruneReport:
    """Before and after pruning: sparsity reached, validation score of the declared
    metric, ``.keras`` size in bytes and zlib-compressed bytes, fine-tuning epochs."""

    sparsity: float
    metric: str
    score_before: float | None
    score_after: float
    bytes_before: int
    compressed_before: int
    bytes_after: int
    compressed_after: int
    epochs: int


def prune_search_model(model: Any, result: Any, sparsity: float, epochs: int = 3) -> PruneReport:
    """Prune ``model`` (the search's raw-input best model, changed in place) to
    ``sparsity``, fine-tune it ``epochs`` epochs on the training split and log the result
    to the search's run.

    Raises:
        ArchsmithError: sparsity outside (0, 1), or a task without a supervised fit.
    """
    if not 0.0 < sparsity < 1.0:
        raise ArchsmithError(f"pruning sparsity must lie in (0, 1), got {sparsity}")
    dataset, exp = result.dataset, result.experiment
    network = _network(model, set(dataset.train.x))
    masks = training.magnitude_masks(network, sparsity)
    training.apply_masks(masks)
    config = result.space.resolve(result.best.params)
    spec = exp.training.model_copy(update={"epochs": epochs})
    fitted = tasks.fit(network, dataset, config, spec, callbacks=[training.KeepPruned(masks)])
    training.apply_masks(masks)  # early stopping may restore weights saved between batches
    before = _sizes(Path(result.model_path))
    tracker = _tracker(result.tracking_uri)
    with tempfile.TemporaryDirectory(prefix="archsmith-") as tmp:
        path = training.save_model(model, Path(tmp) / "model.keras")
        after = _sizes(path)
        tracker.log_file(result.run_id, path, "pruned")
    report = PruneReport(
        training.sparsity_of(masks),
        exp.task.metric,
        result.best.value,
        float(fitted.scores[exp.task.metric]),
        *before,
        *after,
        fitted.epochs,
    )
    log_metrics(
        tracker,
        result.run_id,
        {
            "pruned.sparsity": report.sparsity,
            f"pruned.val.{report.metric}": report.score_after,
            "pruned.bytes": report.bytes_after,
            "pruned.compressed_bytes": report.compressed_after,
            "model.bytes": report.bytes_before,
            "model.compressed_bytes": report.compressed_before,
        },
    )
    return report


def _network(model: Any, inputs: set[str]) -> Any:
    """The trained network inside a raw-row model (tables), or the model itself."""
    if {t.name for t in model.inputs} == inputs:
        return model
    return next((layer for layer in model.layers if isinstance(layer, keras.Model)), model)


def _tracker(uri: str) -> Any:
    return open_tracker(uri)


def _sizes(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(zlib.compress(data, 9))


__all__ = ["PruneReport", "prune_search_model"]
