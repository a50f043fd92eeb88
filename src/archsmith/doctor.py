"""``archsmith doctor``: compare a search's engine trials with its tracking runs.

Reports every trial missing on either side, trials run twice, states that disagree, runs
and trials left RUNNING, and artifact folders that belong to no run. It only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from archsmith import engines
from archsmith.engines import TrialRecord
from archsmith.engines import TrialState
from archsmith.engines import read_trials
from archsmith.exceptions import SpecError
from archsmith.tracking import open_tracker
from archsmith.tracking import store_folder

#: Tracking state for each engine state.
_SAME = {
    TrialState.COMPLETE: "COMPLETE",
    TrialState.PRUNED: "PRUNED",
    TrialState.FAILED: "FAILED",
    TrialState.RUNNING: "RUNNING",
}


@dataclass(frozen=True)
class Report:
    """What ``doctor`` found for one search.

    Attributes:
        search_id: the engine's study name (also the parent run's name).
        run_id: the tracking parent run.
        trials: number of trials in the engine.
        runs: number of trial runs in the tracker.
        problems: one line per inconsistency; empty when the two sides agree.
    """

    search_id: str
    run_id: str
    trials: int
    runs: int
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


def default_storage(tracking_uri: str) -> str:
    """The engine storage a search uses by default for ``tracking_uri``."""
    return engines.default_storage("optuna", store_folder(tracking_uri))


def check(
    name: str,
    *,
    tracking_uri: str = "mlruns",
    storage: str | None = None,
    run_id: str | None = None,
) -> Report:
    """Compare the latest search of experiment ``name`` (or run ``run_id``) on both sides.

    Args:
        name: MLflow experiment (the declaration's name).
        tracking_uri: the tracking store.
        storage: the engine storage; default: the parent run's ``storage`` param, then
            ``<tracking folder>/optuna.journal``.
        run_id: a particular search's parent run instead of the latest.

    Raises:
        ArchsmithError: no search of that name; SpecError: the storage cannot be read.
    """
    tracker = open_tracker(tracking_uri)
    run_id = run_id or tracker.latest_search(name)
    parent = tracker.search_run(run_id)
    search_id = parent.tags.get("archsmith.search_id") or parent.name
    logged = parent.params.get("storage", "")
    if storage is None and "***" in logged:
        raise SpecError(
            f"the search's engine storage {logged} has a password; pass it with --storage URL",
            path="search.storage",
        )
    storage = storage or logged or default_storage(tracking_uri)
    trials = {t.number: t for t in read_trials(storage, search_id)}
    runs = tracker.trial_runs(run_id)
    problems = [
        *_compare(trials, runs),
        *(f"orphan artifact folder (no run): {path}" for path in tracker.orphan_artifacts(name)),
    ]
    running = [n for n, t in trials.items() if t.state is TrialState.RUNNING]
    if parent.status != "RUNNING" and running:
        problems.append(
            f"search run is {parent.status} but trials {running} are RUNNING in the engine"
        )
    return Report(
        search_id=search_id,
        run_id=run_id,
        trials=len(trials),
        runs=sum(len(v) for v in runs.values()),
        problems=tuple(problems),
    )


def _compare(trials: dict[int, TrialRecord], runs: dict[int, list[dict[str, Any]]]) -> list[str]:
    problems = []
    for number in sorted(set(trials) | set(runs)):
        trial, mine = trials.get(number), runs.get(number, [])
        if trial is None:
            ids = ", ".join(r["run_id"] for r in mine)
            problems.append(f"trial {number}: run(s) {ids} in MLflow, no trial in the engine")
            continue
        if not mine:
            problems.append(f"trial {number}: {trial.state.value} in the engine, no MLflow run")
            continue
        if len(mine) > 1:
            ids = ", ".join(r["run_id"] for r in mine)
            problems.append(f"trial {number}: {len(mine)} MLflow runs ({ids}); expected one")
        for run in mine:
            where = f"trial {number} (run {run['run_id']})"
            if run["status"] == "RUNNING":
                alive = trial.state is TrialState.RUNNING
                note = (
                    "its worker may still run it (archsmith worker/--resume settles it)"
                    if alive
                    else f"the engine says {trial.state.value}"
                )
                problems.append(f"{where}: left RUNNING in MLflow; {note}")
            elif run["state"] != _SAME[trial.state]:
                problems.append(
                    f"{where}: {run['state'] or run['status']} in MLflow but "
                    f"{trial.state.value} in the engine"
                )
            linked = trial.attrs.get("mlflow_run_id")
            if linked and len(mine) == 1 and linked != run["run_id"]:
                problems.append(f"{where}: the engine links it to another run, {linked}")
    return problems


__all__ = ["Report", "check", "default_storage"]
