"""Generation: a GAN learns to generate rows like the data's; scored by MMD on held-out rows."""

from __future__ import annotations

import io
import math
import time
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

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


#: bandwidths of the MMD kernels, as fractions of the median squared distance
_MMD_SCALES = (0.01, 0.1, 1.0)


def mmd(real: np.ndarray, generated: np.ndarray, max_rows: int = 2000) -> float:
    """Squared maximum mean discrepancy between two samples (unbiased estimate).

    Columns standardised by ``real``'s statistics; the mean over Gaussian kernels
    ``exp(-d^2 / (s * median d^2))`` for ``s`` in 0.01, 0.1 and 1 (``median``: of the
    pairwise squared distances of ``real``), so both the overall spread and fine structure
    (sharp modes) count. At most ``max_rows`` rows of each sample (seeded).
    """
    rng = np.random.default_rng(0)
    x = np.asarray(real, dtype="float64")
    z = np.asarray(generated, dtype="float64")
    x = x[rng.permutation(len(x))[:max_rows]]
    z = z[rng.permutation(len(z))[:max_rows]]
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    x, z = (x - mean) / std, (z - mean) / std

    def sq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.maximum((a**2).sum(1)[:, None] - 2 * a @ b.T + (b**2).sum(1)[None], 0.0)

    dxx, dzz, dxz = sq(x, x), sq(z, z), sq(x, z)
    median = float(np.median(dxx[np.triu_indices(len(x), 1)])) or 1.0
    n, m = len(x), len(z)
    total = 0.0
    for scale in _MMD_SCALES:  # coarse to fine: the fine ones see smeared modes
        kxx, kzz, kxz = (np.exp(-d / (scale * median)) for d in (dxx, dzz, dxz))
        total += (kxx.sum() - n) / (n * (n - 1)) + (kzz.sum() - m) / (m * (m - 1))
        total -= 2 * kxz.mean()
    return float(total / len(_MMD_SCALES))


class Generation(BaseTask):
    """No target: a split's ``y`` holds its rows; ``predict`` gives one generated row per
    input row."""

    task_type = "generation"
    target_kinds = ("generation",)

    def predictions(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        return outputs.astype("float64")

    def score(self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
        if metric != "mmd":
            raise self.unknown(metric)
        return mmd(y, outputs)

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
        """Train a GAN with the non-saturating or the Wasserstein-GP loss; score by MMD.

        The model's generator layer (one with a ``discriminator``) maps each input row's
        batch slot to a generated row in standardised units; its ``loss`` picks the step.
        Non-saturating (:class:`NonSaturatingStep`): each step trains the discriminator on
        a batch of real rows (label 1) and as many generated rows (label 0), then the
        generator through the frozen discriminator towards label 1. Wasserstein-GP
        (:class:`~archsmith.tasks.generation._wgan.WassersteinStep`): ``critic_steps``
        critic updates with the gradient penalty, then one generator update. Both networks
        use the trial's optimizer settings (one optimizer each). Only Keras'
        ``train_on_batch`` is used, so every backend runs the non-saturating loss; the
        gradient penalty has code for TensorFlow, JAX and PyTorch (``WGAN_BACKENDS``).
        Each epoch logs ``d_loss``, ``g_loss`` and ``val_mmd``; training keeps the weights
        of the epoch with the lowest validation MMD when early stopping is on (patience in
        epochs).

        Raises:
            TrialFailed: no generator layer, a loss became NaN/inf, or the Wasserstein-GP
                loss on a backend it has no gradient code for.
        """
        return _fit(model, dataset, config, training, on_epoch=on_epoch, deadline=deadline)


def _fit(
    model: keras.Model,
    dataset: Dataset,
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    on_epoch: EpochHook | None,
    deadline: float | None,
) -> TrainingResult:
    import keras

    from archsmith.tasks.generation._wgan import WGAN_BACKENDS
    from archsmith.tasks.generation._wgan import WassersteinStep
    from archsmith.training import TrainingResult
    from archsmith.training import custom_gradients_dropped
    from archsmith.training import make_optimizer
    from archsmith.training import outputs

    gans = [layer for layer in model.layers if hasattr(layer, "discriminator")]
    if len(gans) != 1:
        raise TrialFailed(
            "generation needs a model with one generator block (gan); got layers "
            f"{[layer.name for layer in model.layers[1:]]}"
        )
    gan = gans[0]
    disc = gan.discriminator
    generated = gan.output  # standardised rows, before the head
    chained = keras.Model(model.input, disc(generated))
    generator = keras.Model(model.input, generated)
    standardised = keras.Model(model.input, gan.input)  # the real rows, standardised
    train = dataset.train
    real = np.asarray(keras.ops.convert_to_numpy(standardised(train.x, training=False)))
    step: Step
    if getattr(gan, "loss", "non_saturating") == "wasserstein_gp":
        if keras.backend.backend() not in WGAN_BACKENDS:
            raise TrialFailed(
                f"the Wasserstein-GP loss supports the backends {list(WGAN_BACKENDS)}, but "
                f"Keras runs on {keras.backend.backend()!r}; use loss non_saturating"
            )
        step = WassersteinStep(
            disc,
            generator,
            chained,
            real,
            lambda: make_optimizer(config["optimizer"]),
            gp_weight=gan.gp_weight,
            critic_steps=gan.critic_steps,
        )
    else:
        step = NonSaturatingStep(disc, generator, chained, real, config)
    batch_size = int(config.get("batch_size") or training.batch_size)
    rng = np.random.default_rng(0)
    history: dict[str, list[float]] = {"d_loss": [], "g_loss": [], "val_mmd": []}
    best: tuple[float, list[Any]] | None = None
    patience = training.early_stopping.patience if training.early_stopping else None
    since_best = 0
    stopped_by = None
    with custom_gradients_dropped():
        start = time.perf_counter()
        for epoch in range(training.epochs):
            order = rng.permutation(len(train))
            d_losses, g_losses = [], []
            for begin in range(0, len(order), batch_size):
                ids = order[begin : begin + batch_size]
                d_loss, g_loss = step(ids, {k: v[ids] for k, v in train.x.items()})
                d_losses.append(d_loss)
                g_losses.append(g_loss)
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


class Step(Protocol):
    """One GAN training step on a batch (``ids``: its rows in the training split)."""

    def __call__(self, ids: np.ndarray, batch: dict[str, np.ndarray]) -> tuple[float, float]:
        """Train on the batch; return the discriminator's and the generator's loss."""
        ...


class NonSaturatingStep:
    """The discriminator on real (label 1) and generated (label 0) rows, then the generator
    through the frozen discriminator towards label 1 (binary cross-entropy on logits)."""

    def __init__(
        self,
        disc: keras.Model,
        generator: keras.Model,
        chained: keras.Model,
        real: np.ndarray,
        config: Mapping[str, Any],
    ) -> None:
        import keras

        from archsmith.training import make_optimizer

        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        disc.trainable = True
        disc.compile(optimizer=make_optimizer(config["optimizer"]), loss=bce)
        disc.trainable = False
        chained.compile(optimizer=make_optimizer(config["optimizer"]), loss=bce)
        self.disc, self.generator, self.chained, self.real = disc, generator, chained, real

    def __call__(self, ids: np.ndarray, batch: dict[str, np.ndarray]) -> tuple[float, float]:
        import keras

        fake = keras.ops.convert_to_numpy(self.generator(batch, training=False))
        n = len(ids)
        self.disc.trainable = True
        d_loss = self.disc.train_on_batch(
            np.concatenate([self.real[ids], fake]),
            np.concatenate([np.ones((n, 1)), np.zeros((n, 1))]),
        )
        self.disc.trainable = False
        g_loss = self.chained.train_on_batch(batch, np.ones((n, 1)))
        return _loss(d_loss), _loss(g_loss)


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


TASK = Generation()
