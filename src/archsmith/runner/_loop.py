"""The search loop: ask -> build -> train -> tell -> record, one trial at a time.

The same loop runs a single-process search and each worker of a shared one; they differ
only in how trials are counted against ``max_trials`` (a :class:`Quota`).
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from archsmith.engines import Engine
from archsmith.engines import SearchExhausted
from archsmith.engines import Trial
from archsmith.runner._prescreen import Prescreen
from archsmith.runner._records import Progress
from archsmith.runner._records import TrialResult
from archsmith.runner._records import finished
from archsmith.runner._trial import TrialRunner

logger = logging.getLogger("archsmith")


class Quota(Protocol):
    """How trials count against ``max_trials``."""

    def taken(self) -> int:
        """Trials that no longer leave room for a new one."""

    def done(self) -> int:
        """Trials finished (what progress shows)."""

    def count(self) -> None:
        """One trial of this process ended."""

    def over(self, trial: Trial, total: int) -> bool:
        """Whether ``trial``, just asked for, is beyond ``total`` (another worker took the
        last place at the same instant)."""


class LocalQuota:
    """One process runs the search: its finished trials (earlier processes' too) count."""

    def __init__(self, engine: Engine) -> None:
        self._done = finished(engine.trials())

    def taken(self) -> int:
        return self._done

    def done(self) -> int:
        return self._done

    def count(self) -> None:
        self._done += 1

    def over(self, trial: Trial, total: int) -> bool:
        return False  # one process: the count before ``ask`` is exact


def claim(engine: Engine, quota: Quota, total: int) -> Trial | None:
    """Ask ``engine`` for the next trial, or None when it would run beyond ``total``.

    Workers check the count before they ask, so two that ask at the same instant may both
    get a trial for the last place: the trial numbers the storage handed out decide, and
    the later trial is given back unrun (it is not counted, and no tracking run is made).

    Raises:
        SearchExhausted: the engine has no new point.
    """
    trial = engine.ask()
    if quota.over(trial, total):
        engine.give_back(trial)
        return None
    return trial


def optimize(
    trials: TrialRunner,
    quota: Quota,
    deadline: float | None,
    progress: Progress | None,
    prescreen: Prescreen | None = None,
) -> list[TrialResult]:
    """Run trials until ``max_trials`` are taken, the time budget is spent or the engine
    has no new point; return this process's results, in order.

    Each trial's outcome is told to the engine and recorded before the next is asked for
    (see :meth:`TrialRunner.run`); ``progress`` then sees it. With ``prescreen``, the best
    of several scored candidates is queued in the engine before each ask.
    """
    total = trials.exp.search.max_trials
    results: list[TrialResult] = []
    started = getattr(progress, "trial_started", None)  # a live display's hooks, if any
    trials.epoch_hook = getattr(progress, "epoch_ended", None)
    while quota.taken() < total:
        if deadline is not None and time.monotonic() >= deadline:
            logger.info("time budget reached after %d trials", quota.done())
            break
        screened = None
        if prescreen is not None:
            screened = prescreen.queue_best(trials.engine, len(trials.engine.trials()))
        try:
            trial = claim(trials.engine, quota, total)
        except SearchExhausted as exc:
            logger.info("search ended after %d trials: %s", quota.done(), exc)
            break
        if trial is None:
            logger.info("the last trial was taken by another worker at the same instant")
            break
        if started is not None:
            started(trial.number, quota.done(), trials.best)
        measured = screened.metrics if screened and screened.params == trial.params else {}
        result = trials.run(trial, deadline, measured)  # build -> train -> tell -> record
        results.append(result)
        quota.count()
        if progress is not None:
            progress(result, trials.best, quota.done(), total)
    return results
