"""Training for anomaly detection: fit on normal rows, score by the model's anomaly score."""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from archsmith.datasets import Dataset
from archsmith.exceptions import TrialFailed
from archsmith.spec import TrainingSpec
from archsmith.training._fit import EpochHook
from archsmith.training._fit import TrainingResult
from archsmith.training._fit import keras_fit
from archsmith.training._fit import make_optimizer
from archsmith.training._fit import outputs
from archsmith.training._init import initialise_layers
from archsmith.training._metrics import all_scores
from archsmith.training._metrics import choose_threshold

#: name of the head layer whose inputs are ``[features, reconstruction]``
SCORE_LAYER = "archsmith_anomaly_score"


def fit_anomaly(
    model: keras.Model,
    dataset: Dataset,
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    on_epoch: EpochHook | None = None,
    deadline: float | None = None,
) -> TrainingResult:
    """Minimise the anomaly score of normal training rows; score validation (all rows).

    Early stopping watches the loss on the normal validation rows. The threshold (logged
    as ``threshold``, with ``f1_at_threshold``) is chosen on validation: the F1-best one
    with labels, the 99th percentile of the scores without.

    Raises:
        TrialFailed: the loss became NaN/inf, or the scores are not finite.
    """
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
        scores=all_scores(val.y, scores, dataset.target),
        fit_seconds=fit_seconds,
        eval_seconds=eval_seconds,
        stopped_by=run.stopped_by,
        extra=extra,
        artifacts={"plots/reconstruction.png": _plot(model, val.x, val.y, scores, threshold)},
    )


def _plot(
    model: keras.Model,
    x: Mapping[str, np.ndarray],
    y: np.ndarray,
    scores: np.ndarray,
    threshold: float,
) -> bytes:
    """Score histogram (normal vs anomalous, threshold) and two rows against their
    reconstructions (the most typical and the most anomalous validation row)."""
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
    layer = next((lay for lay in model.layers if lay.name == SCORE_LAYER), None)
    if layer is not None:
        pick = {k: v[rows] for k, v in x.items()}
        features, recon = keras.Model(model.input, layer.input)(pick, training=False)
        features = keras.ops.convert_to_numpy(features)
        recon = keras.ops.convert_to_numpy(recon)
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
