"""Training for generation: a GAN's alternating steps, scored by MMD on held-out rows."""

from __future__ import annotations

import io
import math
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
from archsmith.training._fit import _custom_gradients
from archsmith.training._fit import _purge_custom_gradients
from archsmith.training._fit import make_optimizer
from archsmith.training._fit import outputs
from archsmith.training._metrics import mmd


def fit_generation(
    model: keras.Model,
    dataset: Dataset,
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    on_epoch: EpochHook | None = None,
    deadline: float | None = None,
) -> TrainingResult:
    """Train a GAN with the non-saturating loss; score generated rows by MMD.

    The model's generator layer (one with a ``discriminator``) maps each input row's batch
    slot to a generated row in standardised units. Each step trains the discriminator on a
    batch of real rows (label 1) and as many generated rows (label 0), then the generator
    through the frozen discriminator towards label 1. Both use the trial's optimizer
    settings (one optimizer each). Only Keras' ``train_on_batch`` is used, so every backend
    runs it; only TensorFlow is installed and tested. Each epoch logs ``d_loss``,
    ``g_loss`` and ``val_mmd``; training keeps the weights of the epoch with the lowest
    validation MMD when early stopping is on (patience in epochs).

    Raises:
        TrialFailed: no generator layer, or a loss became NaN/inf.
    """
    gans = [layer for layer in model.layers if hasattr(layer, "discriminator")]
    if len(gans) != 1:
        raise TrialFailed(
            "generation needs a model with one generator block (gan); got layers "
            f"{[layer.name for layer in model.layers[1:]]}"
        )
    gan = gans[0]
    disc = gan.discriminator
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    disc.trainable = True
    disc.compile(optimizer=make_optimizer(config["optimizer"]), loss=bce)
    disc.trainable = False
    generated = gan.output  # standardised rows, before the head
    chained = keras.Model(model.input, disc(generated))
    chained.compile(optimizer=make_optimizer(config["optimizer"]), loss=bce)
    generator = keras.Model(model.input, generated)
    standardised = keras.Model(model.input, gan.input)  # the real rows, standardised
    train = dataset.train
    real = np.asarray(keras.ops.convert_to_numpy(standardised(train.x, training=False)))
    batch_size = int(config.get("batch_size") or training.batch_size)
    rng = np.random.default_rng(0)
    history: dict[str, list[float]] = {"d_loss": [], "g_loss": [], "val_mmd": []}
    best: tuple[float, list[Any]] | None = None
    patience = training.early_stopping.patience if training.early_stopping else None
    since_best = 0
    stopped_by = None
    registered = _custom_gradients()
    start = time.perf_counter()
    try:
        for epoch in range(training.epochs):
            order = rng.permutation(len(train))
            d_losses, g_losses = [], []
            for begin in range(0, len(order), batch_size):
                ids = order[begin : begin + batch_size]
                batch = {k: v[ids] for k, v in train.x.items()}
                fake = keras.ops.convert_to_numpy(generator(batch, training=False))
                n = len(ids)
                disc.trainable = True
                d_losses.append(
                    _loss(
                        disc.train_on_batch(
                            np.concatenate([real[ids], fake]),
                            np.concatenate([np.ones((n, 1)), np.zeros((n, 1))]),
                        )
                    )
                )
                disc.trainable = False
                g_losses.append(_loss(chained.train_on_batch(batch, np.ones((n, 1)))))
            value = mmd(dataset.validation.y, outputs(model, dataset.validation.x))
            logs = {"d_loss": float(np.mean(d_losses)), "g_loss": float(np.mean(g_losses))}
            logs["val_mmd"] = value
            for key, v in logs.items():
                history[key].append(v)
            if on_epoch is not None:
                on_epoch(epoch, logs)
            if not all(math.isfinite(v) for v in logs.values()):
                raise TrialFailed(
                    f"a GAN loss became NaN or infinite at epoch {epoch + 1}; a lower "
                    f"optimizer.learning_rate (now {config['optimizer'].get('learning_rate')}) "
                    "usually helps"
                )
            if best is None or value < best[0]:
                best, since_best = (value, model.get_weights()), 0
            else:
                since_best += 1
            if patience is not None and since_best >= patience:
                stopped_by = "early_stopping"
                break
            if deadline is not None and time.monotonic() >= deadline:
                stopped_by = "time_budget"
                break
    finally:
        _purge_custom_gradients(registered)
    fit_seconds = time.perf_counter() - start
    if patience is not None and best is not None:
        model.set_weights(best[1])
    start = time.perf_counter()
    samples = outputs(model, dataset.validation.x)
    eval_seconds = time.perf_counter() - start
    if not np.isfinite(samples).all():
        raise TrialFailed("the generator produces NaN or infinite values")
    return TrainingResult(
        history={k: tuple(v) for k, v in history.items()},
        epochs=len(history["d_loss"]),
        scores={"mmd": mmd(dataset.validation.y, samples)},
        fit_seconds=fit_seconds,
        eval_seconds=eval_seconds,
        stopped_by=stopped_by,
        artifacts={"plots/samples.png": _plot(dataset.validation.y, samples, dataset)},
    )


def _loss(value: Any) -> float:
    """The loss from ``train_on_batch``'s result (a scalar or ``[loss, *metrics]``)."""
    return float(np.ravel(np.asarray(value, dtype="float64"))[0])


def _plot(real: np.ndarray, generated: np.ndarray, dataset: Dataset) -> bytes:
    """Held-out rows and as many generated rows, on the first two columns."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 4), dpi=80)
    ax = fig.add_subplot(1, 1, 1)
    cols = min(2, real.shape[1])
    ys = (lambda a: a[:, 1]) if cols == 2 else (lambda a: np.zeros(len(a)))
    ax.scatter(real[:, 0], ys(real), s=4, alpha=0.5, label="held-out rows")
    ax.scatter(generated[:, 0], ys(generated), s=4, alpha=0.5, label="generated rows")
    names = dataset.schema.names
    ax.set_xlabel(names[0])
    if cols == 2:
        ax.set_ylabel(names[1])
    ax.legend(fontsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
