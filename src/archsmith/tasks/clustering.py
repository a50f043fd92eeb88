"""Clustering: a self-organising map places rows on a grid of units; scores and the map image."""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from archsmith.exceptions import TrialFailed
from archsmith.tasks.base import BaseTask

if TYPE_CHECKING:
    import keras

    from archsmith.datasets import Dataset
    from archsmith.datasets import Target
    from archsmith.spec import TrainingSpec
    from archsmith.training import EpochHook
    from archsmith.training import TrainingResult


def purity(y: np.ndarray, units: np.ndarray) -> float:
    """Share of rows whose label is the most common label of their unit."""
    table = np.zeros((int(units.max()) + 1, int(y.max()) + 1))
    np.add.at(table, (units, y), 1)
    return float(table.max(axis=1).sum() / len(y))


def topographic_error(distances: np.ndarray, coords: np.ndarray) -> float:
    """Share of rows whose two nearest units are not grid neighbours (8-neighbourhood).

    Args:
        distances: ``(N, units)`` distances (squared or not) of rows to units.
        coords: ``(units, 2)`` grid positions of the units.
    """
    two = np.argsort(distances, axis=1)[:, :2]
    gap = np.abs(coords[two[:, 0]] - coords[two[:, 1]]).max(axis=1)
    return float((gap > 1).mean())


class Clustering(BaseTask):
    """Outputs: ``(N, units)`` squared distances of rows to units; ``predict`` gives the
    index of the nearest unit. Labels (optional) never train anything."""

    task_type = "clustering"
    target_kinds = ("cluster",)

    def predictions(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return outputs.argmin(axis=-1).astype("int64")

    def score(
        self,
        metric: str,
        y: np.ndarray,
        outputs: np.ndarray,
        target: Target,
        coords: np.ndarray | None = None,
    ) -> float:
        """``quantisation_error``: mean Euclidean distance to the nearest unit;
        ``topographic_error`` needs the units' grid ``coords``; ``purity`` needs labels."""
        if metric == "quantisation_error":
            return float(np.sqrt(np.maximum(outputs.min(axis=1), 0.0)).mean())
        if metric == "topographic_error":
            if coords is None:
                raise ValueError("topographic_error needs the grid of the units")
            return topographic_error(outputs, coords)
        if metric == "purity":
            if not target.classes:
                raise ValueError("purity needs labels")
            return purity(y, outputs.argmin(axis=1))
        raise self.unknown(metric)

    def fit(
        self,
        model: keras.Model,
        dataset: Dataset,
        config: Mapping[str, Any],
        training: TrainingSpec,
        *,
        on_epoch: EpochHook | None = None,
        deadline: float | None = None,
        callbacks: Sequence[Any] = (),
    ) -> TrainingResult:
        """Let the model's map self-organise on the training rows, then score validation.

        The map is the layer with ``unit_coordinates`` (a ``som`` block), and it must be
        the last block. With labels, ``purity`` is scored and ``purity_shuffled`` (the same
        units with the labels permuted) is logged as its chance level.

        Raises:
            TrialFailed: the model does not end with a map, or its distances are not finite.
        """
        return _fit(self, model, dataset)


def _fit(task: Clustering, model: keras.Model, dataset: Dataset) -> TrainingResult:
    import keras

    from archsmith.training import TrainingResult
    from archsmith.training import initialise_layers
    from archsmith.training import outputs

    maps = [layer for layer in model.layers if callable(getattr(layer, "unit_coordinates", None))]
    if len(maps) != 1 or model.layers[-2] is not maps[0]:
        raise TrialFailed(
            "clustering needs a model whose last block is one self-organising map (som); "
            f"got layers {[layer.name for layer in model.layers[1:]]}"
        )
    som = maps[0]
    start = time.perf_counter()
    extra = initialise_layers(model, dataset.train.x)  # the map's own training
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    val = dataset.validation
    distances = outputs(model, val.x)
    eval_seconds = time.perf_counter() - start
    if not np.isfinite(distances).all():
        raise TrialFailed("the map gives NaN or infinite distances on the validation split")
    coords = som.unit_coordinates()
    scores: dict[str, float] = {}
    for metric in task.metrics:
        try:
            scores[metric] = task.score(metric, val.y, distances, dataset.target, coords)
        except ValueError:
            continue
    if "purity" in scores:
        shuffled = np.random.default_rng(0).permutation(val.y)
        extra["purity_shuffled"] = purity(shuffled, distances.argmin(axis=1))
    train_distances = outputs(model, dataset.train.x)
    image = _plot_map(
        keras.ops.convert_to_numpy(som.prototypes),
        som.rows,
        som.cols,
        train_distances.argmin(axis=1),
        dataset.train.y,
        dataset.target,
    )
    return TrainingResult(
        history={},
        epochs=som.epochs,
        scores=scores,
        fit_seconds=fit_seconds,
        eval_seconds=eval_seconds,
        stopped_by=None,
        extra=extra,
        artifacts={"plots/map.png": image},
    )


def _plot_map(
    prototypes: np.ndarray,
    rows: int,
    cols: int,
    units: np.ndarray,
    y: np.ndarray,
    target: Target,
) -> bytes:
    """The U-matrix (mean distance of each unit to its grid neighbours) and, per unit, the
    number of training rows it wins and their most common label."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    grid = prototypes.reshape(rows, cols, -1)
    umatrix = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            near = [
                grid[r + dr, c + dc]
                for dr in (-1, 0, 1)
                for dc in (-1, 0, 1)
                if (dr or dc) and 0 <= r + dr < rows and 0 <= c + dc < cols
            ]
            umatrix[r, c] = np.mean([np.linalg.norm(grid[r, c] - n) for n in near]) if near else 0
    hits = np.bincount(units, minlength=rows * cols).reshape(rows, cols)
    fig = Figure(figsize=(8, 3.6), dpi=80)
    ax = fig.add_subplot(1, 2, 1)
    shown = ax.imshow(umatrix, cmap="bone_r")
    fig.colorbar(shown, ax=ax, fraction=0.046)
    ax.set_title("U-matrix (distance to neighbours)", fontsize=9)
    ax = fig.add_subplot(1, 2, 2)
    shown = ax.imshow(hits, cmap="Blues")
    fig.colorbar(shown, ax=ax, fraction=0.046)
    title = "training rows per unit"
    if target.classes and rows * cols <= 400:
        title += " and their main label"
        for unit in np.flatnonzero(hits.ravel()):
            label = np.bincount(y[units == unit]).argmax()
            r, c = divmod(int(unit), cols)
            ax.text(c, r, str(target.classes[label]), ha="center", va="center", fontsize=6)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


TASK = Clustering()
