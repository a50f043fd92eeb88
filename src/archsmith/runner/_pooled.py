"""How a trial trains when the search serves more than its best trial: with ``data.folds``
each trial trains one model per fold (scored by the mean over the folds, its models
averaged into one bag), and with ``search.ensemble``, ``search.refit`` or folds a trial
keeps its validation (out-of-fold) outputs and its best epoch for the final step."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import Dataset
from archsmith.datasets import fold_datasets
from archsmith.datasets import fold_indices
from archsmith.datasets import scored_rows
from archsmith.spec import Experiment
from archsmith.spec import TrainingSpec
from archsmith.training import EpochHook
from archsmith.training import TrainingResult

#: where a trial's validation (out-of-fold) outputs are logged in its run
OUTPUTS_ARTIFACT = "predictions/validation.npy"


@dataclass(frozen=True)
class Fitted:
    """A trained trial: its result, its model (a fold bag with folds), and what the final
    step needs (validation outputs and best epoch; None when nothing asks for them)."""

    result: TrainingResult
    model: Any
    outputs: np.ndarray | None = None
    best_epoch: int | None = None


class Pooling:
    """Trains the trials of one search (folds or not) and says what they keep.

    Args:
        exp: the declaration (``data.folds``, ``search.ensemble``, ``search.refit``).
        dataset: the search's data.
    """

    def __init__(self, exp: Experiment, dataset: Dataset) -> None:
        self.dataset = dataset
        self.metric = exp.task.metric
        k = exp.data.folds
        self.folds = fold_datasets(dataset, k, exp.data.seed) if k else None
        self.held = fold_indices(dataset, k, exp.data.seed) if k else None
        if self.folds and self.held and dataset.time_folds is not None:
            # time-ordered: the latest block (the validation split, the most history)
            # trains first, so the pruner and the epoch log follow it
            self.folds, self.held = self.folds[::-1], self.held[::-1]
        self.keeps_outputs = bool(k) or exp.search.ensemble is not None or exp.search.refit
        self.keeps_models = exp.search.ensemble is not None  # members need their models

    @property
    def scored(self) -> Dataset:
        """The data whose validation split a pruner watches (the first fold with folds;
        time-ordered folds: the latest)."""
        return self.folds[0] if self.folds else self.dataset

    def validation_y(self) -> np.ndarray:
        """The encoded targets the kept outputs belong to (out-of-fold: the pooled rows a
        fold holds out: all of them, but for time-ordered folds)."""
        if self.held is None:
            return self.dataset.validation.y
        from archsmith.datasets import pooled

        return pooled(self.dataset).y[scored_rows(self.held)]

    def fit(
        self,
        model: Any,
        build: Callable[[], Any],
        config: dict[str, Any],
        spec: TrainingSpec,
        *,
        deadline: float | None,
        on_epoch: EpochHook | None,
        callbacks: Sequence[Any],
    ) -> Fitted:
        """Train ``model`` (and, with folds, one more built by ``build`` per other fold;
        the epoch log, the pruner and ``callbacks`` follow the first)."""
        models, results, outs = [], [], []
        for i, data in enumerate(self.folds or [self.dataset]):
            member = model if i == 0 else build()
            result = tasks.fit(
                member,
                data,
                config,
                spec,
                deadline=deadline,
                on_epoch=on_epoch if i == 0 else None,
                callbacks=callbacks if i == 0 else (),
            )
            if self.keeps_outputs:  # always with folds
                outs.append(training.outputs(member, data.validation.x))
            models.append(member)
            results.append(result)
        if self.folds is None:
            result = results[0]
            if not self.keeps_outputs:
                return Fitted(result, model)
            return Fitted(result, model, outs[0], best_epoch(result, spec))
        return self._bagged(models, results, outs, spec)

    def _bagged(
        self,
        models: list[Any],
        results: list[TrainingResult],
        outs: list[np.ndarray],
        spec: TrainingSpec,
    ) -> Fitted:
        """The fold models averaged into one bag, scored by the mean over the folds, with
        their out-of-fold outputs."""
        assert self.held is not None
        rows = scored_rows(self.held)
        oof = np.zeros((len(rows), *outs[0].shape[1:]), dtype=outs[0].dtype)
        for held, out in zip(self.held, outs, strict=True):
            oof[np.searchsorted(rows, held)] = out
        first = results[0]
        names = [m for m in first.scores if all(m in r.scores for r in results)]
        metric = self.metric
        folds = {f"val.{metric}_fold_{i}": r.scores[metric] for i, r in enumerate(results)}
        mean = TrainingResult(
            history=first.history,
            epochs=round(float(np.mean([r.epochs for r in results]))),
            scores={m: float(np.mean([r.scores[m] for r in results])) for m in names},
            fit_seconds=sum(r.fit_seconds for r in results),
            eval_seconds=sum(r.eval_seconds for r in results),
            stopped_by=first.stopped_by,
            extra={**first.extra, **folds},
            artifacts=first.artifacts,
        )
        epochs = round(float(np.mean([best_epoch(r, spec) for r in results])))
        bag = builders.average_models(models, [1.0] * len(models), name="folds")
        return Fitted(mean, bag, oof, max(1, epochs))


def best_epoch(result: TrainingResult, spec: TrainingSpec) -> int:
    """The epoch whose weights early stopping kept (the lowest validation loss), else the
    epochs run."""
    losses = result.history.get("val_loss")
    if spec.early_stopping is None or not losses:
        return max(1, result.epochs)
    return int(np.argmin(losses)) + 1
