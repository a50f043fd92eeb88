"""The task plug-in contract: what every task kind tells the search and the estimator.

A plug-in is a stateless object (one per target kind) that knows its metrics (from the
metric table, :data:`archsmith.spec.METRICS`), turns network outputs into predictions,
probabilities and scores, and trains a model (:meth:`BaseTask.fit`; the default is the
supervised fit of :mod:`archsmith.training` with the task's :meth:`BaseTask.loss`).
Keras is never imported at module level: ``import archsmith.tasks`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

import numpy as np

from archsmith.spec.metrics import METRICS
from archsmith.spec.metrics import Direction

if TYPE_CHECKING:
    import keras

    from archsmith.datasets import Dataset
    from archsmith.datasets import Target
    from archsmith.spec import TrainingSpec
    from archsmith.training import EpochHook
    from archsmith.training import Loss
    from archsmith.training import TrainingResult


class BaseTask:
    """One task kind. Subclasses set the class attributes and implement :meth:`score`.

    Attributes:
        task_type: the declaration's ``task.type`` (a row of the metric table).
        target_kinds: the ``Target.kind`` values this plug-in serves.
        has_classes: predictions are labels of ``Target.classes`` (the estimator's
            ``classes_`` and ``predict_proba``).
        matrix_targets: targets are a matrix (one column per label) that ``evaluate`` takes
            as ``y`` only, never from a column of ``X``.
    """

    task_type: ClassVar[str]
    target_kinds: ClassVar[tuple[str, ...]]
    has_classes: ClassVar[bool] = True
    matrix_targets: ClassVar[bool] = False

    @property
    def metrics(self) -> Mapping[str, Direction]:
        """``{metric: "max" | "min"}`` of the task, its default first."""
        return METRICS[self.task_type]

    # -- outputs ---------------------------------------------------------------------------
    def labels(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        """Encoded predictions (class indices, a 0/1 label matrix, values) from outputs."""
        return outputs.reshape(-1)

    def predictions(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        """What ``predict`` returns: labels as the user gave them, or values."""
        return self.labels(outputs, target)

    def probabilities(self, outputs: np.ndarray, target: Target) -> np.ndarray:
        """What ``predict_proba`` returns (the outputs unless the task says otherwise)."""
        return outputs

    def tuned_threshold(
        self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target
    ) -> float | None:
        """The decision threshold that scores best for ``metric`` (binary tasks); None for
        tasks without one."""
        return None

    # -- scores ----------------------------------------------------------------------------
    def score(self, metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
        """The value of ``metric`` for encoded targets ``y`` and network ``outputs``.

        Raises:
            ValueError: the metric is not the task's, or cannot be computed on this data.
        """
        raise NotImplementedError

    def all_scores(self, y: np.ndarray, outputs: np.ndarray, target: Target) -> dict[str, float]:
        """Every metric of the task, in table order (one that cannot be computed is left out)."""
        out: dict[str, float] = {}
        for name in self.metrics:
            try:
                out[name] = self.score(name, y, outputs, target)
            except ValueError:
                continue
        return out

    def unknown(self, metric: str) -> ValueError:
        """The error for a metric that is not the task's."""
        return ValueError(
            f"metric {metric!r} does not apply to {self.task_type}; expected one of: "
            f"{', '.join(self.metrics)}"
        )

    def baseline_scores(self, dataset: Dataset) -> dict[str, dict[str, float]]:
        """Scores of a model-free baseline by split (``validation``, ``test``); {} without."""
        return {}

    def reference_scores(
        self, dataset: Dataset, names: Sequence[str]
    ) -> dict[str, dict[str, dict[str, float]]]:
        """Scores of the classical reference models ``names`` by name and split; {} without."""
        return {}

    # -- training --------------------------------------------------------------------------
    def loss(self, target: Target) -> Loss:
        """What the supervised fit compiles with (tasks with their own fit need none)."""
        raise NotImplementedError(f"{self.task_type} trains with its own fit, not a loss")

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
        """Train ``model`` on ``dataset`` and score it on validation.

        The default: compile with :meth:`loss`, train with early stopping (best weights
        restored), score every metric (``archsmith.training.supervised_fit``).

        Raises:
            TrialFailed: the loss became NaN/inf, or the model's outputs are not finite.
        """
        from archsmith.training import supervised_fit

        return supervised_fit(
            model,
            dataset,
            config,
            training,
            loss=self.loss(dataset.target),
            scores=self.all_scores,
            on_epoch=on_epoch,
            deadline=deadline,
            callbacks=callbacks,
        )
