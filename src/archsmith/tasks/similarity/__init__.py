"""Similarity: whether two examples are of the same class, by a Siamese pair model.

The pair model (``builders/_siamese.py``) holds a shared encoder, a distance layer and a
decision layer with a stored threshold. Training fits the encoder through a training model
that outputs distances only:

* ``pairs`` (contrastive loss): ``same * d^2 + (1 - same) * max(margin - d, 0)^2``;
* ``triplets`` (triplet loss): ``max(d(anchor, positive) - d(anchor, negative) + margin, 0)``.

From labelled examples, new pairs or triplets are drawn every epoch (``PyDataset``);
explicit pairs are used as they are. Afterwards the threshold that classifies the
validation pairs best is stored in the model and logged. Everything is ``keras.ops`` and
``model.fit``, so every Keras backend trains it.
"""

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
    from archsmith.datasets import SimilarityDataset
    from archsmith.datasets import Target
    from archsmith.spec import TrainingSpec
    from archsmith.training import EpochHook
    from archsmith.training import TrainingResult

#: layer names of the pair model (builders/_siamese.py; tasks do not import builders)
ENCODER = "archsmith_encoder"
DISTANCE = "archsmith_pair_distance"
DECISION = "archsmith_same"


class Similarity(BaseTask):
    """Pair outputs ``[distance, same]``; ``y``: 1 = same class; ``predict`` gives 1 for a
    same-class pair, 0 otherwise."""

    task_type = "similarity"
    target_kinds = ("similarity",)

    def predictions(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return (outputs[:, 1] >= 0.5).astype("int64")

    def score(self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
        """``verification_accuracy``: share of pairs whose same/different decision (at the
        model's threshold) is right; ``roc_auc``: how well small distances rank same pairs
        first (needs both kinds of pairs)."""
        from sklearn import metrics as m

        if metric == "verification_accuracy":
            return float(((outputs[:, 1] >= 0.5).astype("int64") == y).mean())
        if metric == "roc_auc":
            if len(np.unique(y)) < 2:
                raise ValueError("roc_auc needs both same and different pairs")
            return float(m.roc_auc_score(y, -outputs[:, 0]))
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
        """Train the pair model's encoder, choose the threshold on validation, score.

        Early stopping watches the loss on the validation pairs (validation triplets in
        ``triplets`` mode). Logged besides the scores: ``threshold``, and the mean
        distances of same and of different validation pairs.

        Raises:
            TrialFailed: the model is not a pair model, the loss became NaN/inf, or the
                distances are not finite.
        """
        return _fit(self, model, dataset, config, training, on_epoch=on_epoch, deadline=deadline)


def choose_distance_threshold(y: np.ndarray, distances: np.ndarray) -> tuple[float, float]:
    """The distance at or below which a pair is "same" that classifies ``y`` best.

    Returns:
        ``(threshold, accuracy)``: the midpoint between the last distance called same and
        the next one, and the share of pairs it classifies right.
    """
    order = np.argsort(distances, kind="stable")
    d, same = distances[order], y[order].astype("int64")
    n = len(d)
    different = n - int(same.sum())
    # calling the k + 1 smallest distances "same": right = same among them + different after
    right = np.cumsum(same) + different - (np.arange(1, n + 1) - np.cumsum(same))
    cut = np.r_[d[1:] > d[:-1], True]  # only between distinct values
    right = np.where(cut, right, -1)
    k = int(np.argmax(right))
    if different >= right[k]:  # calling every pair different is at least as good
        return float(d[0] - 1e-6), different / n
    threshold = (d[k] + d[k + 1]) / 2 if k + 1 < n else d[k]
    return float(threshold), float(right[k] / n)


def contrastive_loss(margin: float) -> Any:
    """Contrastive loss of pair distances ``(batch, 1)`` and same (1) / different (0) flags."""

    from keras import ops

    def loss(same: Any, distance: Any) -> Any:
        d = ops.reshape(distance, (-1,))
        y = ops.cast(ops.reshape(same, (-1,)), d.dtype)
        return y * ops.square(d) + (1.0 - y) * ops.square(ops.maximum(margin - d, 0.0))

    return loss


def triplet_loss(margin: float) -> Any:
    """Triplet loss of ``[d(anchor, positive), d(anchor, negative)]`` (targets ignored)."""

    from keras import ops

    def loss(_: Any, distances: Any) -> Any:
        return ops.maximum(distances[:, 0] - distances[:, 1] + margin, 0.0)

    return loss


def _triplet_model(model: keras.Model) -> keras.Model:
    """Anchor, positive and negative inputs -> the two distances, with the shared encoder."""
    import keras

    from archsmith.tasks.similarity._draws import ROLES

    encoder = model.get_layer(ENCODER)
    own = model.get_layer(DISTANCE)
    measure = type(own).from_config({**own.get_config(), "name": "archsmith_triplet_distance"})
    inputs: dict[str, Any] = {}
    embeddings = {}
    for role in ROLES:
        ins = {
            k: keras.Input(shape=t.shape[1:], dtype=t.dtype, name=f"{role}_{k}")
            for k, t in encoder.input.items()
        }
        inputs.update({f"{role}_{k}": v for k, v in ins.items()})
        embeddings[role] = encoder(ins)
    distances = keras.layers.Concatenate(name="archsmith_triplet_distances")(
        [
            measure([embeddings["anchor"], embeddings["positive"]]),
            measure([embeddings["anchor"], embeddings["negative"]]),
        ]
    )
    return keras.Model(inputs, distances, name="archsmith_triplets")


def _fit(
    task: Similarity,
    model: keras.Model,
    dataset: Dataset,
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    on_epoch: EpochHook | None,
    deadline: float | None,
) -> TrainingResult:
    import keras

    from archsmith.datasets import SimilarityDataset
    from archsmith.tasks.similarity._draws import Draws
    from archsmith.training import TrainingResult
    from archsmith.training import keras_fit
    from archsmith.training import make_optimizer
    from archsmith.training import outputs

    if not isinstance(dataset, SimilarityDataset):
        raise TrialFailed("similarity training needs the data of a similarity task")
    names = {layer.name for layer in model.layers}
    if not {ENCODER, DISTANCE, DECISION} <= names:
        raise TrialFailed(
            "similarity trains a Siamese pair model (built by archsmith for task similarity); "
            f"model '{model.name}' has no shared encoder and pair distance"
        )
    batch = int(config.get("batch_size") or training.batch_size)
    val = dataset.validation
    train_x: Any
    if dataset.mode == "triplets":
        trainer = _triplet_model(model)
        loss = triplet_loss(dataset.margin)
        assert dataset.validation_items is not None
        held = dataset.validation_items
        val_data = Draws(held.x, held.y, "triplets", len(held), batch, dataset.seed + 1).fixed()
    else:
        trainer = keras.Model(model.input, model.get_layer(DISTANCE).output, name="archsmith_pairs")
        loss = contrastive_loss(dataset.margin)
        val_data = (val.x, val.y.astype("float32"))
    if dataset.labelled:
        count = dataset.pairs_per_epoch or len(dataset.train)
        train_x = Draws(dataset.train.x, dataset.train.y, dataset.mode, count, batch, dataset.seed)
        train_y = None
    else:
        train_x, train_y = dataset.train.x, dataset.train.y.astype("float32")
    trainer.compile(
        optimizer=make_optimizer(config["optimizer"]), loss=loss, jit_compile=training.jit_compile
    )
    run = keras_fit(
        trainer, train_x, train_y, val_data, config, training, on_epoch=on_epoch, deadline=deadline
    )
    if run.guard.nan_epoch is not None:
        raise TrialFailed(
            f"loss became NaN or infinite at epoch {run.guard.nan_epoch + 1}; a lower "
            f"optimizer.learning_rate (now {config['optimizer'].get('learning_rate')}) helps"
        )
    start = time.perf_counter()
    distances = outputs(model, val.x)[:, 0]
    eval_seconds = time.perf_counter() - start
    if not np.isfinite(distances).all():
        raise TrialFailed("the model gives NaN or infinite distances on the validation pairs")
    threshold, _ = choose_distance_threshold(val.y, distances)
    model.get_layer(DECISION).threshold.assign(threshold)
    decided = np.column_stack([distances, (distances <= threshold).astype("float32")])
    same = val.y == 1
    extra = {
        "threshold": threshold,
        "distance_same": float(distances[same].mean()),
        "distance_different": float(distances[~same].mean()),
    }
    history = run.history.history
    return TrainingResult(
        history={k: tuple(float(v) for v in vals) for k, vals in history.items()},
        epochs=len(history.get("loss", [])),
        scores=task.all_scores(val.y, decided, dataset.target),
        fit_seconds=run.seconds,
        eval_seconds=eval_seconds,
        stopped_by=run.stopped_by,
        extra=extra,
        artifacts={"plots/distances.png": _plot(model, dataset, distances, threshold)},
    )


def _plot(
    model: keras.Model, dataset: SimilarityDataset, distances: Any, threshold: float
) -> bytes:
    """Distances of same vs different validation pairs (with the threshold) and, with
    labelled examples, their embeddings projected on two principal axes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from archsmith.training import outputs

    y = dataset.validation.y
    held = dataset.validation_items
    fig = Figure(figsize=(8 if held is not None else 4, 3), dpi=80)
    ax = fig.add_subplot(1, 2 if held is not None else 1, 1)
    bins = np.histogram_bin_edges(distances, bins=30).tolist()
    for flag, label in ((1, "same class"), (0, "different classes")):
        ax.hist(distances[y == flag], bins=bins, alpha=0.6, label=label)
    ax.axvline(threshold, color="k", linestyle="--", label="threshold")
    ax.set_title("validation pair distances", fontsize=9)
    ax.legend(fontsize=7)
    if held is not None:
        ax = fig.add_subplot(1, 2, 2)
        rows = {k: v[:1000] for k, v in held.x.items()}
        emb = outputs(model.get_layer(ENCODER), rows).reshape(len(held.y[:1000]), -1)
        emb = emb - emb.mean(axis=0)
        _, _, axes = np.linalg.svd(emb, full_matrices=False)
        xy = emb @ axes[:2].T if len(axes) >= 2 else np.column_stack([emb[:, 0], emb[:, 0]])
        points = ax.scatter(xy[:, 0], xy[:, 1], c=held.y[:1000], s=6, cmap="tab10")
        fig.colorbar(points, ax=ax, label="class index")
        ax.set_title("validation embeddings (2 principal axes)", fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


TASK = Similarity()
