"""Training for the similarity task: a Siamese pair model on pairs or triplets.

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
import math
import time
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np
from keras import ops

from archsmith.datasets import Dataset
from archsmith.datasets import SimilarityDataset
from archsmith.datasets._pairs import draw_pairs
from archsmith.datasets._pairs import draw_triplets
from archsmith.devices import jit_compile
from archsmith.exceptions import TrialFailed
from archsmith.spec import TrainingSpec
from archsmith.training._fit import EpochHook
from archsmith.training._fit import TrainingResult
from archsmith.training._fit import keras_fit
from archsmith.training._fit import make_optimizer
from archsmith.training._fit import outputs
from archsmith.training._metrics import all_scores
from archsmith.training._metrics import choose_distance_threshold

#: layer names of the pair model (builders/_siamese.py; training does not import builders)
ENCODER = "archsmith_encoder"
DISTANCE = "archsmith_pair_distance"
DECISION = "archsmith_same"
ROLES = ("anchor", "positive", "negative")


def contrastive_loss(margin: float) -> Any:
    """Contrastive loss of pair distances ``(batch, 1)`` and same (1) / different (0) flags."""

    def loss(same: Any, distance: Any) -> Any:
        d = ops.reshape(distance, (-1,))
        y = ops.cast(ops.reshape(same, (-1,)), d.dtype)
        return y * ops.square(d) + (1.0 - y) * ops.square(ops.maximum(margin - d, 0.0))

    return loss


def triplet_loss(margin: float) -> Any:
    """Triplet loss of ``[d(anchor, positive), d(anchor, negative)]`` (targets ignored)."""

    def loss(_: Any, distances: Any) -> Any:
        return ops.maximum(distances[:, 0] - distances[:, 1] + margin, 0.0)

    return loss


class _Draws(keras.utils.PyDataset):
    """Pairs or triplets drawn from labelled examples, drawn anew at every epoch end."""

    def __init__(
        self,
        x: Mapping[str, np.ndarray],
        labels: np.ndarray,
        mode: str,
        count: int,
        batch_size: int,
        seed: int,
    ) -> None:
        super().__init__()
        self.x, self.labels, self.mode = x, labels, mode
        self.count, self.batch_size = count, batch_size
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def on_epoch_end(self) -> None:
        if self.mode == "triplets":
            self.ids = dict(
                zip(ROLES, draw_triplets(self.labels, self.count, self.rng), strict=True)
            )
            self.y = np.zeros(self.count, dtype="float32")
        else:
            a, b, same = draw_pairs(self.labels, self.count, self.rng)
            self.ids, self.y = {"a": a, "b": b}, same.astype("float32")

    def __len__(self) -> int:
        return math.ceil(self.count / self.batch_size)

    def __getitem__(self, index: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        batch = {
            f"{role}_{k}": v[ids[part]] for role, ids in self.ids.items() for k, v in self.x.items()
        }
        return batch, self.y[part]

    def fixed(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The current draw as arrays (a validation set)."""
        x = {f"{role}_{k}": v[ids] for role, ids in self.ids.items() for k, v in self.x.items()}
        return x, self.y


def _triplet_model(model: keras.Model) -> keras.Model:
    """Anchor, positive and negative inputs -> the two distances, with the shared encoder."""
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


def fit_similarity(
    model: keras.Model,
    dataset: Dataset,
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    on_epoch: EpochHook | None = None,
    deadline: float | None = None,
) -> TrainingResult:
    """Train the pair model's encoder, choose the threshold on validation, score.

    Early stopping watches the loss on the validation pairs (validation triplets in
    ``triplets`` mode). Logged besides the scores: ``threshold``, and the mean distances of
    same and of different validation pairs.

    Raises:
        TrialFailed: the model is not a pair model, the loss became NaN/inf, or the
            distances are not finite.
    """
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
        val_data = _Draws(held.x, held.y, "triplets", len(held), batch, dataset.seed + 1).fixed()
    else:
        trainer = keras.Model(model.input, model.get_layer(DISTANCE).output, name="archsmith_pairs")
        loss = contrastive_loss(dataset.margin)
        val_data = (val.x, val.y.astype("float32"))
    if dataset.labelled:
        count = dataset.pairs_per_epoch or len(dataset.train)
        train_x = _Draws(dataset.train.x, dataset.train.y, dataset.mode, count, batch, dataset.seed)
        train_y = None
    else:
        train_x, train_y = dataset.train.x, dataset.train.y.astype("float32")
    trainer.compile(
        optimizer=make_optimizer(config["optimizer"]),
        loss=loss,
        jit_compile=jit_compile(training.jit_compile),
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
        scores=all_scores(val.y, decided, dataset.target),
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
