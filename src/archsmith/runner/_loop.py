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


def optimize(
    trials: TrialRunner, quota: Quota, deadline: float | None, progress: Progress | None
) -> list[TrialResult]:
    """Run trials until ``max_trials`` are taken, the time budget is spent or the engine
    has no new point; return this process's results, in order.

    Each trial's outcome is told to the engine and recorded before the next is asked for
    (see :meth:`TrialRunner.run`); ``progress`` then sees it.
    """
    total = trials.exp.search.max_trials
    results: list[TrialResult] = []
    started = getattr(progress, "trial_started", None)  # a live display's hooks, if any
    trials.epoch_hook = getattr(progress, "epoch_ended", None)
    while quota.taken() < total:
        if deadline is not None and time.monotonic() >= deadline:
            logger.info("time budget reached after %d trials", quota.done())
            break
        try:
            trial = trials.engine.ask()
        except SearchExhausted as exc:
            logger.info("search ended after %d trials: %s", quota.done(), exc)
            break
        if started is not None:
            started(trial.number, quota.done(), trials.best)
        result = trials.run(trial, deadline)  # build -> train -> tell -> record
        results.append(result)
        quota.count()
        if progress is not None:
            progress(result, trials.best, quota.done(), total)
    return results
