"""Compile, fit and evaluate one candidate."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from archsmith.datasets import Dataset
from archsmith.datasets import Target
from archsmith.devices import jit_compile
from archsmith.exceptions import TrialFailed
from archsmith.spec import TrainingSpec
from archsmith.training._inference import inference_call
from archsmith.training._init import initialise_layers
from archsmith.training._knobs import NOT_OPTIMIZER_ARGS
from archsmith.training._knobs import class_weights
from archsmith.training._knobs import schedule_callbacks
from archsmith.training._schedule import scaled_to_data
from archsmith.training._stream import StreamBatches

#: ``on_epoch(epoch, logs)``: called after every epoch with Keras' logs.
EpochHook = Callable[[int, Mapping[str, float]], None]
#: ``scores(y, outputs, target)``: every metric of the task on a split.
Scorer = Callable[[np.ndarray, np.ndarray, Target], Mapping[str, float]]

_OPTIMIZERS = {
    "adam": "Adam",
    "adamw": "AdamW",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}


@dataclass(frozen=True)
class TrainingResult:
    """What training one candidate produced.

    Attributes:
        history: per-epoch values of every Keras metric (``loss``, ``val_loss`` …).
        epochs: epochs run.
        scores: validation scores of every metric that applies to the task.
        fit_seconds: time inside ``model.fit``.
        eval_seconds: time spent predicting the validation split.
        stopped_by: ``early_stopping``, ``time_budget`` or ``None`` (ran all epochs).
        extra: further final metrics of the trial (data-driven initialisation, task
            specifics), logged as they are named.
        artifacts: files of the trial (e.g. ``plots/reconstruction.png``) as bytes.
    """

    history: Mapping[str, tuple[float, ...]]
    epochs: int
    scores: Mapping[str, float]
    fit_seconds: float
    eval_seconds: float
    stopped_by: str | None
    extra: Mapping[str, float] = field(default_factory=dict)
    artifacts: Mapping[str, bytes] = field(default_factory=dict)


class _Guard(keras.callbacks.Callback):
    """Stops on a non-finite loss or at the deadline; forwards epoch logs to a hook."""

    def __init__(self, on_epoch: EpochHook | None, deadline: float | None) -> None:
        super().__init__()
        self.on_epoch = on_epoch
        self.deadline = deadline
        self.nan_epoch: int | None = None
        self.out_of_time = False

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        values = {k: float(v) for k, v in (logs or {}).items()}
        if self.on_epoch is not None:
            self.on_epoch(epoch, values)
        if any(not math.isfinite(values[k]) for k in ("loss", "val_loss") if k in values):
            self.nan_epoch = epoch
            self.model.stop_training = True
        elif self.deadline is not None and time.monotonic() >= self.deadline:
            self.out_of_time = True
            self.model.stop_training = True


class _NoRetracingNotice(logging.Filter):
    """Drops TensorFlow's "N out of the last M calls to <function> triggered tf.function
    retracing" warnings: a search builds new models (so new training functions) trial after
    trial, and an epoch's last, smaller batch traces once more; expected, and nothing a
    user of a search can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def quiet_retracing() -> None:
    """Install :class:`_NoRetracingNotice` on the ``tensorflow`` logger (once)."""
    tf_logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _NoRetracingNotice) for f in tf_logger.filters):
        tf_logger.addFilter(_NoRetracingNotice())


quiet_retracing()


def _custom_gradients() -> set[str] | None:
    """Names in TensorFlow's global gradient registry (None on other backends)."""
    if keras.backend.backend() != "tensorflow":
        return None
    try:
        from tensorflow.python.framework import ops as tf_ops

        return set(tf_ops._gradient_registry._registry)
    except (ImportError, AttributeError):
        return None


def _purge_custom_gradients(before: set[str] | None) -> None:
    """Drop the ``CustomGradient-N`` entries a fit added to TensorFlow's gradient registry.

    TensorFlow <= 2.21 registers a closure per traced training step (the all-reduce of the
    gradients under the default strategy) that keeps the whole step graph alive for the
    life of the process: about 5-10 MB per trial (tensorflow/tensorflow#97697, fixed
    upstream by PR #109334). An already traced step never looks the entry up again, so it
    is safe to drop once ``fit`` has returned. A private API: if it changes, the purge does
    nothing and the leak returns, nothing breaks.
    """
    if before is None:
        return
    try:
        from tensorflow.python.framework import ops as tf_ops

        registry = tf_ops._gradient_registry._registry
        for name in [n for n in registry if n.startswith("CustomGradient-") and n not in before]:
            registry.pop(name, None)
    except (ImportError, AttributeError):
        return


@contextmanager
def custom_gradients_dropped() -> Iterator[None]:
    """Drop, on exit, what the enclosed training added to TensorFlow's gradient registry
    (see :func:`_purge_custom_gradients`); wrap every loop of Keras training steps in it."""
    before = _custom_gradients()
    try:
        yield
    finally:
        _purge_custom_gradients(before)


def _string_tensors(x: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Text inputs (numpy object arrays) as string tensors, which ``fit`` takes (TF only)."""
    return {
        k: keras.ops.convert_to_tensor(v, dtype="string") if v.dtype == object else v
        for k, v in x.items()
    }


def _batch_size(config: Mapping[str, Any], training: TrainingSpec) -> int:
    return int(config.get("batch_size") or training.batch_size)


def make_optimizer(config: Mapping[str, Any]) -> keras.optimizers.Optimizer:
    """An optimizer from ``{name: …, learning_rate: …, <its own args>}``."""
    kwargs = {k: v for k, v in config.items() if k not in NOT_OPTIMIZER_ARGS}
    return getattr(keras.optimizers, _OPTIMIZERS[config["name"]])(**kwargs)


@dataclass(frozen=True)
class Loss:
    """What a supervised task compiles its model with (given by the task's plug-in).

    Attributes:
        loss: a Keras loss (name or function).
        weights: the loss weight (None: 1).
        metrics: Keras metrics shown in the training history.
        smoothed: ``smoothed(label_smoothing, target)``: the loss with label smoothing
            (classification), used when the trial sets ``label_smoothing``.
    """

    loss: Any
    weights: float | None = None
    metrics: tuple[Any, ...] = ()
    smoothed: Callable[[float, Any], Any] | None = None


def compile_model(
    model: keras.Model,
    config: Mapping[str, Any],
    loss: Loss,
    training: TrainingSpec,
    target: Any = None,
) -> None:
    """Compile with the trial's optimizer and the task's loss.

    An output layer with a ``training_loss()`` method brings its own loss (capsule
    lengths: the margin loss), which replaces the task's. A trial's ``label_smoothing``
    (above 0) takes the task's smoothed loss where it has one.
    """
    own = getattr(model.layers[-1], "training_loss", None)
    chosen = loss.loss
    smoothing = float(config.get("label_smoothing") or 0.0)
    if smoothing > 0 and loss.smoothed is not None:
        chosen = loss.smoothed(smoothing, target)
    model.compile(
        optimizer=make_optimizer(config["optimizer"]),
        loss=own() if callable(own) else chosen,
        loss_weights=loss.weights,
        metrics=list(loss.metrics),
        jit_compile=jit_compile(training.jit_compile),
    )


def outputs(model: keras.Model, x: Mapping[str, np.ndarray], batch_size: int = 8192) -> np.ndarray:
    """Network outputs by direct calls in inference mode (no graph tracing per trial)."""
    n = len(next(iter(x.values())))
    parts = []
    call = inference_call(model)  # compiled once per model on JAX
    for start in range(0, n, batch_size):
        batch = {k: v[start : start + batch_size] for k, v in x.items()}
        parts.append(keras.ops.convert_to_numpy(call(batch)))
    return np.concatenate(parts, axis=0) if parts else np.zeros((0, 1), dtype="float32")


@dataclass(frozen=True)
class KerasFit:
    """One ``model.fit`` run: its history, the guard's findings and why it stopped."""

    history: Any
    guard: _Guard
    seconds: float
    stopped_by: str | None


def _rows(x: Any) -> int:
    """The number of training rows of ``x`` (a mapping of arrays or an array); 0 if unknown."""
    first: Any = next(iter(x.values()), None) if isinstance(x, Mapping) else x
    return len(first) if hasattr(first, "__len__") else 0


def keras_fit(
    model: keras.Model,
    x: Any,
    y: Any,
    validation_data: tuple[Any, Any],
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    on_epoch: EpochHook | None = None,
    deadline: float | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    class_weight: Mapping[int, float] | None = None,
) -> KerasFit:
    """``model.fit`` of a compiled model with archsmith's callbacks: the NaN/deadline guard,
    then ``callbacks``, the learning-rate schedule of ``optimizer.schedule``, then early
    stopping on ``val_loss`` (best weights restored; epochs and patience scaled to small
    data by ``training.min_steps``); the entries the fit added to
    TensorFlow's gradient registry are dropped afterwards."""
    streamed = isinstance(x, keras.utils.PyDataset)
    batch_size = _batch_size(config, training)
    training = scaled_to_data(training, 0 if streamed else _rows(x), batch_size)
    guard = _Guard(on_epoch, deadline)
    all_callbacks: list[keras.callbacks.Callback] = [guard, *callbacks]
    all_callbacks += schedule_callbacks(config, training)
    stopper = None
    if training.early_stopping is not None:
        stopper = keras.callbacks.EarlyStopping(
            monitor="val_loss",
            patience=training.early_stopping.patience,
            min_delta=training.early_stopping.min_delta,
            restore_best_weights=True,
        )
        all_callbacks.append(stopper)
    if training.reduce_lr is not None:  # as the published FCN / ResNet: on the training loss
        all_callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                monitor="loss",
                factor=training.reduce_lr.factor,
                patience=training.reduce_lr.patience,
                min_lr=training.reduce_lr.min_lr,
            )
        )
    with custom_gradients_dropped():
        start = time.perf_counter()
        history = model.fit(
            x,
            y,
            validation_data=validation_data,
            epochs=training.epochs,
            batch_size=None if streamed else batch_size,
            shuffle=not streamed,  # a stream is read in order (shuffled within its chunks)
            callbacks=all_callbacks,
            verbose=0,
            **({"class_weight": dict(class_weight)} if class_weight else {}),
        )
    seconds = time.perf_counter() - start
    stopped_by = (
        "time_budget"
        if guard.out_of_time
        else "early_stopping"
        if stopper is not None and stopper.stopped_epoch > 0
        else None
    )
    return KerasFit(history, guard, seconds, stopped_by)


def supervised_fit(
    model: keras.Model,
    dataset: Dataset,
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    loss: Loss,
    scores: Scorer,
    on_epoch: EpochHook | None = None,
    deadline: float | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> TrainingResult:
    """Compile, train with early stopping (best weights restored), score on validation.

    The fit of supervised tasks (``archsmith.tasks`` gives each its loss and scores).

    Args:
        model: the built network.
        dataset: the search's data.
        config: the resolved trial config (``optimizer``, ``batch_size``).
        training: epochs, early stopping, default batch size.
        loss: the task's loss.
        scores: ``scores(y, outputs, target)``: every metric of the task.
        on_epoch: called with ``(epoch, logs)`` after every epoch.
        deadline: ``time.monotonic()`` value after which training stops at the epoch end.
        callbacks: more Keras callbacks, run after the NaN guard (e.g. the pruning reporter).

    Raises:
        TrialFailed: the loss became NaN/inf, or the model produced non-finite outputs.
    """
    weights = class_weights(training, dataset.target, dataset.train.y)
    extra = initialise_layers(model, dataset.train.x)
    compile_model(model, config, loss, training, dataset.target)
    train_x: Any = _string_tensors(dataset.train.x)
    train_y: np.ndarray | None = dataset.train.y
    if dataset.stream is not None:  # a table larger than memory: batches read from its file
        train_x, train_y = StreamBatches(dataset.stream, _batch_size(config, training)), None
    run = keras_fit(
        model,
        train_x,
        train_y,
        (_string_tensors(dataset.validation.x), dataset.validation.y),
        config,
        training,
        on_epoch=on_epoch,
        deadline=deadline,
        callbacks=callbacks,
        class_weight=weights,
    )
    guard, history, fit_seconds = run.guard, run.history, run.seconds
    if guard.nan_epoch is not None:
        raise TrialFailed(
            f"loss became NaN or infinite at epoch {guard.nan_epoch + 1}; a lower "
            f"optimizer.learning_rate (now {config['optimizer'].get('learning_rate')}) or "
            "batch normalisation usually helps"
        )
    start = time.perf_counter()
    out = outputs(model, dataset.validation.x)
    eval_seconds = time.perf_counter() - start
    if not np.isfinite(out).all():
        raise TrialFailed("the model predicts NaN or infinite values on the validation split")
    return TrainingResult(
        history={k: tuple(float(v) for v in vals) for k, vals in history.history.items()},
        epochs=len(history.history.get("loss", [])),
        scores=scores(dataset.validation.y, out, dataset.target),
        fit_seconds=fit_seconds,
        eval_seconds=eval_seconds,
        stopped_by=run.stopped_by,
        extra=extra,
    )


_SKIPSET_KINDS = ("Operation", "Layer", "Functional", "Sequential", "Metric", "Optimizer", "Loss")
_skipsets: dict[str, Any] = {}


def _prime_saving_cache() -> None:
    """Make Keras' saving code find the attribute skip-sets it has already computed.

    Keras <= 3.15 caches ``get_attr_skipset(kind)`` under ``saving_attr_skipset_<kind>``
    but looks it up under ``saving_attr_skiplist_<kind>``, so it builds a throw-away
    ``Layer`` for every object of every save: about half of ``model.save`` (measured 60 of
    127 ms for a 3-layer MLP). Storing each set under the key Keras reads gives the same
    sets it would compute. Keras' global state is per thread and reset by
    ``clear_session``, so this runs before every save; a private API: if it changes,
    saving is just slower.
    """
    try:
        from keras.src.backend.common import global_state
        from keras.src.saving import saving_lib
    except ImportError:
        return
    try:
        for kind in _SKIPSET_KINDS:
            key = f"saving_attr_skiplist_{kind}"
            if global_state.get_global_attribute(key) is None:
                if kind not in _skipsets:
                    _skipsets[kind] = saving_lib.get_attr_skipset(kind)
                global_state.set_global_attribute(key, _skipsets[kind])
    except (AttributeError, TypeError, ValueError):
        return


def save_model(model: keras.Model, path: str | Path) -> Path:
    """Save a model as a ``.keras`` file (load it with ``archsmith.builders.load_model``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _prime_saving_cache()
    model.save(path)
    return path


def seed_trial(seed: int) -> None:
    """Seed Python's, NumPy's and the backend's random generators for one trial.

    A seeded search calls this before building each trial (with the search seed plus the
    trial number), so a trial's initial weights, dropout masks and batch order are the
    same when it runs again (on one machine and backend; GPU kernels may still differ).
    """
    keras.utils.set_random_seed(seed)


def clear_session() -> None:
    """Reset Keras' global state (graph, layer-name counters) before the next trial.

    No explicit ``gc.collect()``: a full collection per trial cost 0.1-0.25 s and Python's
    own collections free the previous trial's model anyway (measured: RSS stays within a
    40 MB band over 40 trials). The runner ``gc.freeze()``s the long-lived objects, which
    keeps those automatic collections cheap.
    """
    keras.backend.clear_session(free_memory=False)
