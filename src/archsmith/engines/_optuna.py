"""Optuna engine: define-by-run sampling of the static space, persistent storage, resume."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from archsmith.engines._base import Engine
from archsmith.engines._base import EngineCapabilities
from archsmith.engines._base import SearchExhausted
from archsmith.engines._base import Trial
from archsmith.engines._base import TrialRecord
from archsmith.engines._base import TrialState
from archsmith.engines._base import Values
from archsmith.engines._base import as_values
from archsmith.engines._samplers import make_pruner
from archsmith.engines._samplers import make_sampler
from archsmith.exceptions import SpecError
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import Param
from archsmith.spec import ENGINE_ALGORITHMS

_STATES = {
    "COMPLETE": TrialState.COMPLETE,
    "PRUNED": TrialState.PRUNED,
    "FAIL": TrialState.FAILED,
    "RUNNING": TrialState.RUNNING,
    "WAITING": TrialState.RUNNING,
}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Hush Optuna's INFO lines while we call it, without changing its settings for good."""
    logger = logging.getLogger("optuna")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def open_storage(url: str | None) -> Any:
    """An Optuna storage for ``search.storage``.

    ``*.journal`` paths use Optuna's journal file (append-only, safe for several processes
    on one machine, and about 30x cheaper per ``ask`` than SQLite: each suggested param is
    one SQL transaction there); database URLs (``sqlite:///…``, ``postgresql://…``) use the
    RDB storage, which several machines can share. None keeps trials in memory.
    """
    if url is None:
        return None
    if "://" not in url and url.endswith(".journal"):
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return JournalStorage(JournalFileBackend(url))
    return url


def suggest(trial: Any, param: Param) -> Any:
    """Ask an Optuna trial for one param's value (exhaustive over domain types)."""
    d = param.domain
    if isinstance(d, Int):
        return trial.suggest_int(param.name, d.low, d.high, step=d.step, log=d.log)
    if isinstance(d, Float):
        return trial.suggest_float(param.name, d.low, d.high, step=d.step, log=d.log)
    if isinstance(d, Choice):
        return trial.suggest_categorical(param.name, list(d.values))
    if isinstance(d, Bool):
        return trial.suggest_categorical(param.name, [False, True])
    raise TypeError(f"unknown domain {d!r}")


class OptunaEngine(Engine):
    """Optuna study per search: ``tpe`` (default), ``random``, ``cmaes``, ``gp``, ``grid``,
    ``nsga2`` sampling, optional pruner, one or several objectives.

    The study is named ``<name>/<timestamp>-<id>`` in the storage, so each search keeps its
    trials and ``resume`` continues the most recent one.
    """

    capabilities = EngineCapabilities(
        algorithms=ENGINE_ALGORITHMS["optuna"], resume=True, pruning=True, multi_objective=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        import optuna

        storage = open_storage(self.storage)
        with _quiet():
            if self.resume:
                name = self._latest(storage)
                self._study = optuna.load_study(study_name=name, storage=storage)
                # a resumed search must not replay the first run's random start-up points
                offset = len(self._study.get_trials(deepcopy=False))
                self._study.sampler = self._sampler(offset)
                self._study.pruner = make_pruner(self.pruner, self.max_epochs)
            else:
                name = f"{self.name}/{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
                self._study = optuna.create_study(
                    study_name=name,
                    storage=storage,
                    sampler=self._sampler(0),
                    pruner=make_pruner(self.pruner, self.max_epochs),
                    directions=list(self.directions),
                )
                self._study.set_user_attr("created_ns", time.time_ns())
        self._live: dict[int, Any] = {}

    def _sampler(self, offset: int) -> Any:
        seed = None if self.seed is None else self.seed + offset
        return make_sampler(self.algorithm, self.space, seed)

    def _latest(self, storage: Any) -> str:
        """The most recently created study of this search name."""
        import optuna

        prefix = f"{self.name}/"
        studies = [
            s
            for s in optuna.get_all_study_summaries(storage, False)
            if s.study_name.startswith(prefix)
        ]
        if not studies:
            raise SpecError(
                f"no earlier search named '{self.name}' to resume in the engine "
                "storage; run it without --resume first",
                path="search.storage",
            )
        latest = max(studies, key=lambda s: (s.user_attrs.get("created_ns", 0), s.study_name))
        return str(latest.study_name)

    @property
    def search_id(self) -> str:
        return str(self._study.study_name)

    def enqueue(self, params: Mapping[str, Any]) -> None:
        """Queue ``params`` in the study (kept in the storage, so a resume replays them)."""
        self._study.enqueue_trial(dict(params))

    def report(self, trial: Trial, step: int, value: float) -> bool:
        live = self._live[trial.number]
        live.report(value, step)
        return bool(live.should_prune())

    def ask(self) -> Trial:
        sampler: Any = self._study.sampler
        if self.algorithm == "grid" and sampler.is_exhausted(self._study):
            raise SearchExhausted(f"every point of the grid of {self.space.name} was tried")
        with _quiet():
            live = self._study.ask()
            values: dict[str, Any] = {}
            for param in self.space.params:
                if param.is_active(values):
                    values[param.name] = suggest(live, param)
        self._live[live.number] = live
        return Trial(live.number, values, live)

    def tell(
        self,
        trial: Trial,
        state: TrialState,
        value: Values | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        import optuna

        live = self._live.pop(trial.number)
        for key, val in (attrs or {}).items():
            live.set_user_attr(key, val)
        with _quiet():
            if state is TrialState.COMPLETE:
                values = as_values(value)
                self._study.tell(live, list(values) if self.multi_objective else values[0])
            elif state is TrialState.PRUNED:
                self._study.tell(live, state=optuna.trial.TrialState.PRUNED)
            else:
                self._study.tell(live, state=optuna.trial.TrialState.FAIL)

    def trials(self) -> list[TrialRecord]:
        return [
            TrialRecord(
                t.number,
                _STATES[t.state.name],
                t.values[0] if t.values else None,
                dict(t.params),
                dict(t.user_attrs),
                tuple(t.values or ()),
            )
            for t in self._study.get_trials(deepcopy=False)
        ]

    def fail_stale(self, number: int, reason: str) -> None:
        import optuna

        trial = next(t for t in self._study.get_trials(deepcopy=False) if t.number == number)
        storage = self._study._storage
        storage.set_trial_user_attr(trial._trial_id, "reason", reason)
        storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)

    def get_metadata(self) -> dict[str, Any]:
        return {k: v for k, v in self._study.user_attrs.items() if k != "created_ns"}

    def set_metadata(self, key: str, value: Any) -> None:
        self._study.set_user_attr(key, value)
