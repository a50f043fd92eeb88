"""Recovery and worker coordination: settle trials whose process is gone, share one
search among workers, and pick the worker that writes the summary."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any

from archsmith.engines import Engine
from archsmith.engines import Trial
from archsmith.engines import TrialState
from archsmith.exceptions import ArchsmithError
from archsmith.runner._records import WORKER_LOST
from archsmith.runner._records import finished
from archsmith.runner._records import running
from archsmith.tracking import Tracker

logger = logging.getLogger("archsmith")

#: Tag of a trial run closed by ``reconcile`` from the engine's record (see there).
WRITES_LOST_TAG = "archsmith.tracking_writes_lost"


def reconcile(engine: Engine, tracker: Tracker, run_id: str, *, stopped: bool = False) -> list[int]:
    """Settle trials whose worker is gone, in the engine and in the tracker alike.

    A lost trial whose tracking run completed (the worker died between recording it there
    and telling the engine) is COMPLETE with that score; any other lost trial is FAILED with
    :data:`WORKER_LOST`, and so is its tracking run (one is created if the worker died
    before opening it). A tracking run left RUNNING for a trial the engine has finished is
    closed with the engine's state: FAILED with its reason or, on ``--resume``, COMPLETE or
    PRUNED with the engine's score (the process stopped before the background write of the
    trial's end; the run is tagged :data:`WRITES_LOST_TAG`). Trials of live workers are left
    alone.

    Args:
        engine: the search's engine.
        tracker: the search's tracker.
        run_id: the search's parent run.
        stopped: the user says the search stopped (``--resume``): a trial not shown alive
            by a heartbeat or a live process on this host is lost.

    Returns:
        The numbers of the trials settled.
    """
    lost = engine.lost_trials(stopped=stopped)
    if not lost and stopped is False:
        return []
    runs = tracker.trial_runs(run_id)
    settled = []
    for rec in lost:
        mine = runs.get(rec.number, [])
        done = next((r for r in mine if r["state"] == "COMPLETE" and r["score"] is not None), None)
        if done is not None:
            engine.complete_stale(
                rec.number, float(done["score"]), {"mlflow_run_id": done["run_id"]}
            )
            if done["status"] == "RUNNING":
                tracker.close_run(done["run_id"])
        else:
            engine.fail_stale(rec.number, WORKER_LOST)
            for run in mine:
                if run["status"] == "RUNNING":
                    tracker.fail_run(run["run_id"], WORKER_LOST)
            if not mine:
                tracker.record_lost_trial(run_id, rec.number, rec.params, WORKER_LOST)
        settled.append(rec.number)
    done_trials = {r.number: r for r in engine.trials() if r.state.finished}
    for number, mine in runs.items():
        told = done_trials.get(number)
        if told is None or number in settled:
            continue
        for run in mine:
            if run["status"] != "RUNNING":
                continue
            if told.state is TrialState.FAILED:
                tracker.fail_run(run["run_id"], str(told.attrs.get("reason") or WORKER_LOST))
            elif stopped and run["run_id"] == told.attrs.get("mlflow_run_id"):
                # the engine has the trial, the process stopped before its tracking run was
                # closed (its end is written in the background): close it with the engine's
                # state and score; its per-epoch metrics were lost with the process
                score = {"score": told.value} if told.value is not None else {}
                tracker.end_trial(run["run_id"], told.state.value, score, {WRITES_LOST_TAG: "1"})
    return settled


class SharedQuota:
    """``max_trials`` shared by every worker of a search: trials finished or running
    anywhere count, and lost workers' trials are settled before each count."""

    def __init__(self, engine: Engine, tracker: Tracker, run_id: str) -> None:
        self.engine = engine
        self.tracker = tracker
        self.run_id = run_id

    def taken(self) -> int:
        reconcile(self.engine, self.tracker, self.run_id)
        records = self.engine.trials()
        return finished(records) + running(records)

    def done(self) -> int:
        return finished(self.engine.trials())

    def count(self) -> None:
        """One trial of this worker ended (the engine counts it already)."""

    def over(self, trial: Trial, total: int) -> bool:
        """Whether ``total`` trials of lower numbers exist (given-back ones are not trials):
        the storage numbers trials in the order they were asked for, so of two workers
        that asked for the last place at once, the later keeps none."""
        ahead = sum(r.number < trial.number for r in self.engine.trials())
        return ahead >= total


def wait_for_run(engine: Engine, timeout: float = 120.0) -> dict[str, Any]:
    """A joining worker waits for the worker that created the search to open its run."""
    end = time.monotonic() + timeout
    while True:
        meta = engine.get_metadata()
        if meta.get("mlflow_run_id"):
            return meta
        if time.monotonic() > end:
            raise ArchsmithError(
                f"search {engine.search_id} has had no tracking run for {timeout:.0f} s; "
                "the worker that created it stopped before opening it. Start the workers "
                "again: they will begin a new search"
            )
        time.sleep(0.25)


def writes_summary(engine: Engine, tracker: Tracker, run_id: str) -> bool:
    """Whether this worker, done with its trials, writes the search's summary: no trial
    runs anywhere and it won the claim (then the search is marked finished)."""
    reconcile(engine, tracker, run_id)
    if running(engine.trials()):
        logger.info("other workers still run trials; the last one writes the summary")
        return False
    if not _claim_summary(engine):
        logger.info("another worker that finished at the same time writes the summary")
        return False
    engine.set_metadata("finished", True)
    return True


def _claim_summary(engine: Engine, settle: float = 1.0) -> bool:
    """Whether this worker writes the search's summary (one worker does, even when several
    find no running trial at the same moment).

    The engine's metadata has no compare-and-set, so a worker that sees no claim writes its
    own, waits ``settle`` seconds for a simultaneous claim to land, and wins if its claim is
    the one stored. Claims are written milliseconds after the check, so two workers that both
    saw no claim read the same winner after the wait.
    """
    if engine.get_metadata().get("summary_by"):
        return False
    me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    engine.set_metadata("summary_by", me)
    time.sleep(settle)
    return bool(engine.get_metadata().get("summary_by") == me)
