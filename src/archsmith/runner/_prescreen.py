"""Pre-screening (``search.prescreen``): before a trial is asked for, build several random
candidates, score each with a zero-cost proxy at initialisation, and queue the best in the
engine, which then hands it out as its next trial.

Only the winner becomes a trial: the engine's records (an Optuna study, KerasTuner's
oracle) hold trained trials alone, so ``max_trials`` counts exactly the trials trained.
The engine's sampler learns from those trials but does not propose them while screening
is on. The winner's proxy score is logged on its trial (``prescreen.<proxy>``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import Dataset
from archsmith.engines import Engine
from archsmith.engines import sample_params
from archsmith.exceptions import SpecError
from archsmith.search_space import SearchSpace
from archsmith.spec import Experiment
from archsmith.spec import PrescreenSpec

logger = logging.getLogger("archsmith")


@dataclass(frozen=True)
class Screened:
    """The candidate queued for the next trial and what its screening measured."""

    params: Mapping[str, Any]
    metrics: Mapping[str, float]


class Prescreen:
    """Scores ``spec.candidates`` random points of ``space`` per trial; see the module.

    Raises (on creation):
        SpecError: the proxy cannot run here (a gradient proxy off TensorFlow; ``gradnorm``
            for a task without a loss), at ``search.prescreen.proxy``.
    """

    def __init__(
        self, spec: PrescreenSpec, exp: Experiment, space: SearchSpace, dataset: Dataset
    ) -> None:
        self.spec = spec
        self.exp = exp
        self.space = space
        self.dataset = dataset
        self._loss = self._task_loss()
        self._batch = self._rows()
        self._check()

    def _task_loss(self) -> Any:
        """The task's loss as ``loss(y_true, y_pred)``, or None (a task with its own fit)."""
        try:
            loss = tasks.for_target(self.dataset.target).loss(self.dataset.target).loss
        except NotImplementedError:
            return None
        import keras

        return keras.losses.get(loss) if isinstance(loss, str) else loss

    def _rows(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """``spec.batch`` training rows (seeded), the batch every candidate is scored on."""
        train = self.dataset.train
        n = len(train)
        rng = np.random.default_rng(self.exp.search.seed)
        idx = np.sort(rng.choice(n, min(n, self.spec.batch), replace=False))
        return {k: v[idx] for k, v in train.x.items()}, train.y[idx]

    def _check(self) -> None:
        """Score one candidate now, so that a proxy that cannot run stops the search
        before trial 0 (a declaration error, not a failed trial per candidate)."""
        probe = sample_params(self.space, np.random.default_rng(0))
        try:
            self._score(probe)
        except training.ProxyUnavailable as exc:
            raise SpecError(str(exc), path="search.prescreen.proxy") from None
        except Exception:  # a candidate that cannot build is the trials' business
            logger.debug("prescreen: the probe candidate failed", exc_info=True)

    def queue_best(self, engine: Engine, number: int) -> Screened | None:
        """Score the candidates of trial ``number`` and queue the best in ``engine``.

        Nothing is queued (None) while the engine still has queued points (warm start):
        those are trained as given.
        """
        if engine.queued():
            return None
        start = time.perf_counter()
        seed = self.exp.search.seed
        rng = np.random.default_rng(None if seed is None else [seed, number])
        best: tuple[float, dict[str, Any]] | None = None
        scored = 0
        for i in range(self.spec.candidates):
            params = sample_params(self.space, rng)
            if seed is not None:  # the same candidates get the same initial weights again
                training.seed_trial(seed * 100_003 + number * 1_009 + i)
            try:
                score = self._score(params)
            except Exception as exc:  # a candidate that cannot build or score ranks last
                logger.debug("prescreen: candidate %d of trial %d: %s", i, number, exc)
                score = math.nan
            if math.isnan(score):
                score = -math.inf
            else:
                scored += 1
            if best is None or score > best[0]:
                best = (score, params)
        training.clear_session()
        assert best is not None
        engine.enqueue(best[1])
        metrics = {
            "prescreen.candidates": float(self.spec.candidates),
            "prescreen.scored": float(scored),
            "prescreen.seconds": time.perf_counter() - start,
        }
        if math.isfinite(best[0]):
            metrics[f"prescreen.{self.spec.proxy}"] = best[0]
        return Screened(best[1], metrics)

    def _score(self, params: Mapping[str, Any]) -> float:
        """Build ``params``' model untrained and score it with the proxy."""
        training.clear_session()
        config = self.space.resolve(params)
        model = builders.build_model(
            config, self.dataset.schema, self.dataset.target, self.exp.base_dir
        )
        x, y = self._batch
        training.initialise_layers(model, x)  # data-driven layers (RBF centres …) first
        own = getattr(model.layers[-1], "training_loss", None)  # e.g. capsule margin loss
        loss = own() if callable(own) else self._loss
        return training.proxy_score(self.spec.proxy, model, x, y, loss)


def make_prescreen(exp: Experiment, space: SearchSpace, dataset: Dataset) -> Prescreen | None:
    """The search's pre-screening, or None when ``search.prescreen`` is not set."""
    spec = exp.search.prescreen
    return None if spec is None else Prescreen(spec, exp, space, dataset)
