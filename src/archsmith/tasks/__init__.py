"""Tasks as plug-ins: one module per task kind behind a registry.

Each plug-in (a :class:`~archsmith.tasks.base.BaseTask`) holds everything that differs by
task: its metrics and their directions (from :data:`archsmith.spec.METRICS`), predictions,
probabilities and scores of network outputs, a model-free baseline, and its fit. The
functions below look the plug-in up by the data's ``Target.kind`` and hand over to it; the
runner and the estimator call only them. Keras is imported when a model trains, so
``import archsmith.tasks`` stays cheap.

Adding a task: a module here with a :class:`BaseTask` subclass, its instance in
:data:`REGISTRY`, a row of the metric table and a declaration model in ``archsmith.spec``.

Example:
    >>> import numpy as np
    >>> from archsmith import tasks
    >>> from archsmith.datasets import Target
    >>> target = Target("y", "binary", classes=("no", "yes"))
    >>> tasks.predictions(np.array([[0.2], [0.9]]), target).tolist()
    ['no', 'yes']
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from archsmith.tasks import anomaly
from archsmith.tasks import classification
from archsmith.tasks import clustering
from archsmith.tasks import forecasting
from archsmith.tasks import generation
from archsmith.tasks import multilabel
from archsmith.tasks import regression
from archsmith.tasks import similarity
from archsmith.tasks.base import BaseTask

if TYPE_CHECKING:
    import keras

    from archsmith.datasets import Dataset
    from archsmith.datasets import Target
    from archsmith.spec import TrainingSpec
    from archsmith.training import EpochHook
    from archsmith.training import PruningReporter
    from archsmith.training import TrainingResult

__all__ = [
    "REGISTRY",
    "BaseTask",
    "all_scores",
    "baseline_scores",
    "fit",
    "for_target",
    "for_type",
    "labels_from_outputs",
    "predictions",
    "probabilities",
    "pruning_reporter",
    "reference_scores",
    "score",
    "tuned_threshold",
]

#: every task plug-in; a new task adds its instance here
REGISTRY: tuple[BaseTask, ...] = (
    classification.MULTICLASS,
    classification.BINARY,
    regression.TASK,
    multilabel.TASK,
    forecasting.TASK,
    anomaly.TASK,
    clustering.TASK,
    generation.TASK,
    similarity.TASK,
)
_BY_KIND = {name: task for task in REGISTRY for name in task.target_kinds}
_BY_TYPE = {task.task_type: task for task in reversed(REGISTRY)}  # the first of a type wins


def for_target(target: Target) -> BaseTask:
    """The plug-in of a target (by ``target.kind``).

    Raises:
        ValueError: no plug-in serves that kind.
    """
    try:
        return _BY_KIND[target.kind]
    except KeyError:
        raise ValueError(
            f"no task serves targets of kind {target.kind!r}; expected one of: "
            f"{', '.join(_BY_KIND)}"
        ) from None


def for_type(task_type: str) -> BaseTask:
    """The plug-in of a declaration's ``task.type`` (classification: the multiclass one).

    Raises:
        ValueError: unknown task type.
    """
    try:
        return _BY_TYPE[task_type]
    except KeyError:
        raise ValueError(
            f"unknown task type {task_type!r}; expected one of: {', '.join(_BY_TYPE)}"
        ) from None


def fit(
    model: keras.Model,
    dataset: Dataset,
    config: Mapping[str, Any],
    training: TrainingSpec,
    *,
    on_epoch: EpochHook | None = None,
    deadline: float | None = None,
    callbacks: Sequence[Any] = (),
) -> TrainingResult:
    """Train ``model`` the way its task trains, and score it on the validation split.

    Args:
        model: the built network.
        dataset: the search's data.
        config: the resolved trial config (``optimizer``, ``batch_size``).
        training: epochs, early stopping, default batch size.
        on_epoch: called with ``(epoch, logs)`` after every epoch.
        deadline: ``time.monotonic()`` value after which training stops at the epoch end.
        callbacks: more Keras callbacks (e.g. the pruning reporter; supervised tasks).

    Raises:
        TrialFailed: the loss became NaN/inf, or the model produced non-finite outputs.
    """
    return for_target(dataset.target).fit(
        model,
        dataset,
        config,
        training,
        on_epoch=on_epoch,
        deadline=deadline,
        callbacks=callbacks,
    )


def score(metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
    """The value of ``metric`` for encoded targets ``y`` and network ``outputs``."""
    return for_target(target).score(metric, y, outputs, target)


def all_scores(y: np.ndarray, outputs: np.ndarray, target: Target) -> dict[str, float]:
    """Every metric that applies to the task (a metric that cannot be computed is left out)."""
    return for_target(target).all_scores(y, outputs, target)


def labels_from_outputs(outputs: np.ndarray, target: Target) -> np.ndarray:
    """Encoded predictions: class indices, a 0/1 label matrix (multilabel) or values."""
    return for_target(target).labels(outputs, target)


def predictions(outputs: np.ndarray, target: Target) -> np.ndarray:
    """Predicted labels (classification) or values (regression) from network outputs.

    Multilabel: a 0/1 matrix, one column per label (``Target.classes`` order). Forecast:
    ``(N, horizon)`` values. Anomaly detection: anomaly scores. Clustering: the index of
    the nearest unit. Similarity: 1 for a same-class pair. Generation: generated rows.
    """
    return for_target(target).predictions(outputs, target)


def tuned_threshold(
    metric: str, y: np.ndarray, outputs: np.ndarray, target: Target
) -> float | None:
    """The decision threshold that scores best for ``metric``; None where the task has none."""
    return for_target(target).tuned_threshold(metric, y, outputs, target)


def probabilities(outputs: np.ndarray, target: Target) -> np.ndarray:
    """``(N, n_classes)`` class probabilities from the network's outputs."""
    return for_target(target).probabilities(outputs, target)


def baseline_scores(dataset: Dataset) -> dict[str, dict[str, float]]:
    """A model-free baseline's scores by split (``validation``, ``test``), or {}.

    Only forecasting has one (the seasonal-naive forecast).
    """
    return for_target(dataset.target).baseline_scores(dataset)


def reference_scores(
    dataset: Dataset, names: Sequence[str]
) -> dict[str, dict[str, dict[str, float]]]:
    """Scores of classical reference models (forecasting: ``ets``) by name and split, or {}."""
    return for_target(dataset.target).reference_scores(dataset, names)


def pruning_reporter(
    dataset: Dataset, metric: str, report: Callable[[int, float], bool]
) -> PruningReporter:
    """The Keras callback that reports ``metric`` on the validation split after every
    epoch to the engine's pruner (``report(epoch, value) -> stop?``)."""
    from archsmith.training import PruningReporter

    val, target = dataset.validation, dataset.target
    task = for_target(target)
    return PruningReporter(val.x, lambda out: task.score(metric, val.y, out, target), report)
