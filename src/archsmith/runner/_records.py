"""Frozen records of a search: how a trial ended, what a search produced, the best so far."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pandas as pd

from archsmith.datasets import Dataset
from archsmith.engines import TrialRecord
from archsmith.engines import TrialState
from archsmith.search_space import Params
from archsmith.search_space import SearchSpace
from archsmith.spec import Experiment

#: Reason of a trial whose process stopped before the trial finished.
INTERRUPTED = "interrupted: the process running this trial stopped before it finished"
#: Reason of the trial running when the user pressed Ctrl-C (or the process got SIGTERM).
INTERRUPTED_BY_USER = "interrupted by the user"
#: Reason of a trial whose worker is gone (settled by ``reconcile``).
WORKER_LOST = "worker lost: the process running this trial was interrupted before it finished"


@dataclass(frozen=True)
class TrialResult:
    """How one trial ended (frozen record handed to the engine, tracker and progress)."""

    number: int
    state: TrialState
    value: float | None
    params: Params
    reason: str | None = None
    scores: Mapping[str, float] = field(default_factory=dict)
    epochs: int = 0
    params_count: int = 0
    fit_seconds: float = 0.0
    eval_seconds: float = 0.0
    seconds: float = 0.0
    stopped_by: str | None = None
    run_id: str | None = None
    values: tuple[float, ...] = ()
    latency_ms: float | None = None
    predict_ms_per_row: float | None = None
    facts: Mapping[str, float] = field(default_factory=dict)
    extra_metrics: Mapping[str, float] = field(default_factory=dict)
    screened: Mapping[str, float] = field(default_factory=dict)
    best_epoch: int | None = None


@dataclass(frozen=True)
class SearchResult:
    """What a search produced.

    Attributes:
        experiment: the validated declaration.
        space: the search space.
        dataset: the data and its splits.
        run_id: the MLflow parent run.
        trials: every trial of the search (earlier processes' too, on resume), in order.
        best: the best COMPLETE trial, if any.
        model_path: local ``.keras`` file of the best model (takes raw rows).
        model_uri: MLflow URI of the logged pyfunc model.
        test_scores: scores of the best model on the test split (empty without one).
        leaderboard: one row per trial, best first.
        wall_seconds: time of this call.
        ensemble: trial number -> weight of the served model's members when the search
            keeps validation outputs (``search.ensemble``, ``search.refit``, ``data.folds``);
            else empty (the best trial's model).
    """

    experiment: Experiment
    space: SearchSpace
    dataset: Dataset
    run_id: str
    search_id: str
    tracking_uri: str
    trials: tuple[TrialRecord, ...]
    best: TrialRecord | None
    model_path: Path | None
    model_uri: str | None
    test_scores: Mapping[str, float]
    leaderboard: pd.DataFrame
    wall_seconds: float
    new_trials: tuple[TrialResult, ...] = ()
    ensemble: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Best:
    """The best COMPLETE trial seen so far (all None before the first)."""

    value: float | None = None
    number: int | None = None
    run_id: str | None = None

    def improves(self, value: float, maximize: bool) -> bool:
        if self.value is None:
            return True
        return value > self.value if maximize else value < self.value

    def among(self, records: Iterable[TrialRecord], maximize: bool) -> Best:
        """The best of this one and the COMPLETE ``records`` (e.g. earlier processes')."""
        best = self
        for rec in records:
            if (
                rec.state is TrialState.COMPLETE
                and rec.value is not None
                and best.improves(rec.value, maximize)
            ):
                best = Best(rec.value, rec.number, rec.attrs.get("mlflow_run_id"))
        return best


#: The ``progress`` callback: ``(result, best so far, trials done, max_trials)``.
Progress = Callable[[TrialResult, Best, int, int], None]


def finished(records: Iterable[TrialRecord]) -> int:
    """Trials that count towards max_trials: finished, and not cut short by a stop."""
    interrupted = (INTERRUPTED, INTERRUPTED_BY_USER, WORKER_LOST)
    return sum(1 for r in records if r.state.finished and r.attrs.get("reason") not in interrupted)


def running(records: Iterable[TrialRecord]) -> int:
    """Trials some process is running now (or was, until ``reconcile`` settles them)."""
    return sum(r.state is TrialState.RUNNING for r in records)
