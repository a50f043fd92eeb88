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
        self.keeps_outputs = bool(k) or exp.search.ensemble is not None or exp.search.refit
        self.keeps_models = exp.search.ensemble is not None  # members need their models

    @property
    def scored(self) -> Dataset:
        """The data whose validation split a pruner watches (the first fold with folds)."""
        return self.folds[0] if self.folds else self.dataset

    def validation_y(self) -> np.ndarray:
        """The encoded targets the kept outputs belong to (out-of-fold: all pooled rows)."""
        if self.held is None:
            return self.dataset.validation.y
        from archsmith.datasets import pooled

        return pooled(self.dataset).y

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
        """Train ``model`` (and, with folds, one more built by ``build`` per other fold)."""
        if self.folds is None:
            result = tasks.fit(
                model,
                self.dataset,
                config,
                spec,
                deadline=deadline,
                on_epoch=on_epoch,
                callbacks=callbacks,
            )
            if not self.keeps_outputs:
                return Fitted(result, model)
            out = training.outputs(model, self.dataset.validation.x)
            return Fitted(result, model, out, best_epoch(result, spec))
        return self._fit_folds(model, build, config, spec, deadline, on_epoch, callbacks)

    def _fit_folds(
        self,
        model: Any,
        build: Callable[[], Any],
        config: dict[str, Any],
        spec: TrainingSpec,
        deadline: float | None,
        on_epoch: EpochHook | None,
        callbacks: Sequence[Any],
    ) -> Fitted:
        assert self.folds is not None and self.held is not None
        models, results, oof = [], [], None
        for i, (fold, held) in enumerate(zip(self.folds, self.held, strict=True)):
            member = model if i == 0 else build()
            result = tasks.fit(  # the epoch log and the pruner follow the first fold
                member,
                fold,
                config,
                spec,
                deadline=deadline,
                on_epoch=on_epoch if i == 0 else None,
                callbacks=callbacks if i == 0 else (),
            )
            out = training.outputs(member, fold.validation.x)
            if oof is None:
                oof = np.zeros((len(self.validation_y()), *out.shape[1:]), dtype=out.dtype)
            oof[held] = out
            models.append(member)
            results.append(result)
        assert oof is not None
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
