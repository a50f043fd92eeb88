"""Anomaly detection: fit on normal rows, score rows by the model's anomaly score."""

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

#: name of the head layer whose inputs are ``[features, reconstruction]``
SCORE_LAYER = "archsmith_anomaly_score"


class AnomalyDetection(BaseTask):
    """``predict`` gives anomaly scores (higher = more anomalous); ``y``: 1 = anomaly."""

    task_type = "anomaly_detection"
    target_kinds = ("anomaly",)

    def predictions(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return outputs.reshape(-1).astype("float64")

    def score(self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
        """``reconstruction_error`` is the mean score of the normal rows (of all rows when
        none is labelled normal); the others need both kinds of rows."""
        from sklearn import metrics as m

        scores = outputs.reshape(-1)
        if metric == "reconstruction_error":
            normal = scores[y == 0]
            return float((normal if len(normal) else scores).mean())
        if metric not in self.metrics:
            raise self.unknown(metric)
        if len(np.unique(y)) < 2:
            raise ValueError(f"{metric} needs both normal and anomalous rows")
        if metric == "roc_auc":
            return float(m.roc_auc_score(y, scores))
        return float(m.average_precision_score(y, scores))

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
        """Minimise the anomaly score of normal training rows; score validation (all rows).

        Early stopping watches the loss on the normal validation rows. The threshold
        (logged as ``threshold``, with ``f1_at_threshold``) is chosen on validation: the
        F1-best one with labels, the 99th percentile of the scores without.

        Raises:
            TrialFailed: the loss became NaN/inf, or the scores are not finite.
        """
        return _fit(self, model, dataset, config, training, on_epoch=on_epoch, deadline=deadline)


def choose_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float | None]:
    """The score above which a row is an anomaly, and the F1 it gives on ``y``.

    With both kinds of rows, the threshold of best F1; otherwise the 99th percentile of the
    scores (F1 is then None).
    """
    from sklearn import metrics as m

    if len(np.unique(y)) < 2:
        return float(np.quantile(scores, 0.99)), None
    precision, recall, thresholds = m.precision_recall_curve(y, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1[:-1]))
    return float(thresholds[best]), float(f1[best])


def _fit(
    task: AnomalyDetection,
    model: keras.Model,
    dataset: Dataset,
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    on_epoch: EpochHook | None,
    deadline: float | None,
) -> TrainingResult:
    from archsmith.training import TrainingResult
    from archsmith.training import initialise_layers
    from archsmith.training import keras_fit
    from archsmith.training import make_optimizer
    from archsmith.training import outputs

    extra = initialise_layers(model, dataset.train.x)
    model.compile(
        optimizer=make_optimizer(config["optimizer"]),
        # the targets are zeros and the scores are >= 0: the loss is the mean score, and a
        # built-in loss keeps the saved model loadable in safe mode
        loss="mean_absolute_error",
        jit_compile=training.jit_compile,
    )
    val = dataset.validation
    normal = val.y == 0
    val_x = {k: v[normal] for k, v in val.x.items()}
    run = keras_fit(
        model,
        dataset.train.x,
        np.zeros((len(dataset.train), 1), dtype="float32"),
        (val_x, np.zeros((int(normal.sum()), 1), dtype="float32")),
        config,
        training,
        on_epoch=on_epoch,
        deadline=deadline,
    )
    guard, history, fit_seconds = run.guard, run.history, run.seconds
    if guard.nan_epoch is not None:
        raise TrialFailed(
            f"loss became NaN or infinite at epoch {guard.nan_epoch + 1}; a lower "
            f"optimizer.learning_rate (now {config['optimizer'].get('learning_rate')}) helps"
        )
    start = time.perf_counter()
    scores = outputs(model, val.x).reshape(-1)
    eval_seconds = time.perf_counter() - start
    if not np.isfinite(scores).all():
        raise TrialFailed("the model gives NaN or infinite anomaly scores on the validation split")
    threshold, f1 = choose_threshold(val.y, scores)
    extra.update(threshold=threshold)
    if f1 is not None:
        extra.update(f1_at_threshold=f1)
    return TrainingResult(
        history={k: tuple(float(v) for v in vals) for k, vals in history.history.items()},
        epochs=len(history.history.get("loss", [])),
        scores=task.all_scores(val.y, scores, dataset.target),
        fit_seconds=fit_seconds,
        eval_seconds=eval_seconds,
        stopped_by=run.stopped_by,
        extra=extra,
        artifacts=_artifacts(model, val.x, val.y, scores, threshold),
    )


def _artifacts(
    model: keras.Model,
    x: Mapping[str, np.ndarray],
    y: np.ndarray,
    scores: np.ndarray,
    threshold: float,
) -> dict[str, bytes]:
    """``plots/reconstruction.png``, and for images ``plots/reconstruction_grid.png``."""
    plots = {"plots/reconstruction.png": _plot(model, x, y, scores, threshold)}
    grid = _image_grid(model, x, scores)
    if grid is not None:
        plots["plots/reconstruction_grid.png"] = grid
    return plots


def _reconstructions(
    model: keras.Model, x: Mapping[str, np.ndarray], rows: list[int]
) -> tuple[np.ndarray, np.ndarray] | None:
    """The (preprocessed) inputs of ``rows`` and their reconstructions; None without a head."""
    import keras

    layer = next((lay for lay in model.layers if lay.name == SCORE_LAYER), None)
    if layer is None:
        return None
    pick = {k: v[rows] for k, v in x.items()}
    features, recon = keras.Model(model.input, layer.input)(pick, training=False)
    return keras.ops.convert_to_numpy(features), keras.ops.convert_to_numpy(recon)


def _image_grid(
    model: keras.Model, x: Mapping[str, np.ndarray], scores: np.ndarray, per_row: int = 8
) -> bytes | None:
    """Images against their reconstructions: the most typical and the most anomalous
    validation images (rows: typical, reconstructed, anomalous, reconstructed); None
    unless the model reconstructs images."""
    order = np.argsort(scores)
    k = min(per_row, len(order) // 2)
    rows = [int(i) for i in (*order[:k], *order[::-1][:k])]
    pair = _reconstructions(model, x, rows) if k else None
    if pair is None or pair[0].ndim != 4:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    features, recon = pair
    fig = Figure(figsize=(1.2 * k, 5.2), dpi=80)
    lines = (
        ("typical", features[:k], features[:k]),
        ("reconstructed", recon[:k], features[:k]),
        ("anomalous", features[k:], features[k:]),
        ("reconstructed", recon[k:], features[k:]),
    )
    for r, (label, images, originals) in enumerate(lines):
        for c in range(k):
            ax = fig.add_subplot(4, k, r * k + c + 1)
            ax.imshow(_displayable(images[c], originals[c]), cmap="gray")
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, fontsize=8)
            if r in (0, 2):
                ax.set_title(f"{scores[rows[c + (k if r == 2 else 0)]]:.3g}", fontsize=7)
    fig.suptitle("validation images and reconstructions (titles: anomaly score)", fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _displayable(image: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """A standardised image as grey (1 channel, else the first) or RGB (3) values in [0, 1],
    scaled by the range of ``reference`` so an image and its reconstruction compare."""
    low, high = float(reference.min()), float(reference.max())
    scaled = np.clip((image - low) / max(high - low, 1e-12), 0.0, 1.0)
    return scaled if scaled.shape[-1] == 3 else scaled[..., 0]


def _plot(
    model: keras.Model,
    x: Mapping[str, np.ndarray],
    y: np.ndarray,
    scores: np.ndarray,
    threshold: float,
) -> bytes:
    """Score histogram (normal vs anomalous, threshold) and, for rows of features, two rows
    against their reconstructions (the most typical and the most anomalous validation row)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = [int(np.argmin(scores)), int(np.argmax(scores))]
    fig = Figure(figsize=(9, 3), dpi=80)
    ax = fig.add_subplot(1, 3, 1)
    bins = np.histogram_bin_edges(np.log10(scores + 1e-12), bins=30).tolist()
    for flag, label in ((0, "normal"), (1, "anomaly")):
        if (y == flag).any():
            ax.hist(np.log10(scores[y == flag] + 1e-12), bins=bins, alpha=0.6, label=label)
    ax.axvline(np.log10(threshold + 1e-12), color="k", linestyle="--", label="threshold")
    ax.set_title("log10 reconstruction error")
    ax.legend(fontsize=7)
    pair = _reconstructions(model, x, rows)
    if pair is not None and pair[0].ndim == 2:  # rows of features (images: see _image_grid)
        features, recon = pair
        for i, title in enumerate(("most typical row", "most anomalous row")):
            ax = fig.add_subplot(1, 3, i + 2)
            ax.plot(features[i], "o-", markersize=2, label="features")
            ax.plot(recon[i], "x-", markersize=2, label="reconstruction")
            ax.set_title(f"{title} (score {scores[rows[i]]:.3g})", fontsize=8)
            ax.legend(fontsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


TASK = AnomalyDetection()
