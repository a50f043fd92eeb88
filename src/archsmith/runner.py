"""The search loop: for each trial build -> train -> track -> tell.

Every outcome of a trial is sorted into exactly one state (COMPLETE, PRUNED, FAILED) and
recorded in the engine before the next trial starts; an exception in one trial never stops
the search. In a single-process search the trial's closing tracker writes (its end, its
artifacts, the best model's file) run on a background thread while the next trial trains,
and every one of them is done before the search returns or stops.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import TypeVar

import pandas as pd
import yaml

from archsmith import builders
from archsmith import devices
from archsmith import training
from archsmith.datasets import Dataset
from archsmith.datasets import default_spaces
from archsmith.datasets import load_dataset
from archsmith.engines import Engine
from archsmith.engines import SearchExhausted
from archsmith.engines import Trial
from archsmith.engines import TrialRecord
from archsmith.engines import TrialState
from archsmith.engines import make_engine
from archsmith.exceptions import ArchsmithError
from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError
from archsmith.exceptions import TrialFailed
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Int
from archsmith.search_space import Params
from archsmith.search_space import SearchSpace
from archsmith.search_space import load_space
from archsmith.spec import Experiment
from archsmith.spec import load_experiment
from archsmith.tracking import MlflowTracker
from archsmith.tracking import Tracker
from archsmith.tracking import mask_password
from archsmith.tracking import store_root

logger = logging.getLogger("archsmith")
_T = TypeVar("_T")

INTERRUPTED = "interrupted: the process running this trial stopped before it finished"
INTERRUPTED_BY_USER = "interrupted by the user"
WORKER_LOST = "worker lost: the process running this trial was interrupted before it finished"
#: Longest wait (s) of a background write for the next trial's training to start.
_WRITE_DELAY_MAX = 10.0
#: Tag of a trial run closed by ``reconcile`` from the engine's record (see there).
WRITES_LOST_TAG = "archsmith.tracking_writes_lost"
#: Exception type names that mark a failure as transient (retried ``search.retries`` times).
TRANSIENT = frozenset(
    {
        "MemoryError",
        "ConnectionError",
        "ConnectionResetError",
        "ConnectionRefusedError",
        "TimeoutError",
        "ResourceExhaustedError",
        "UnavailableError",
        "DeadlineExceededError",
        "AbortedError",
        "OperationalError",
    }
)


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
    facts: Mapping[str, float] = field(default_factory=dict)
    extra_metrics: Mapping[str, float] = field(default_factory=dict)


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


Progress = Callable[[TrialResult, "_Best", int, int], None]


@dataclass
class _Best:
    """The best COMPLETE trial seen so far."""

    value: float | None = None
    number: int | None = None
    run_id: str | None = None

    def improves(self, value: float, maximize: bool) -> bool:
        if self.value is None:
            return True
        return value > self.value if maximize else value < self.value


def _default_storage(exp: Experiment) -> str:
    """Optuna's journal file beside the tracking store (./mlruns when tracking is a server)."""
    root = store_root(exp.tracking.uri) or Path("mlruns").resolve()
    root.mkdir(parents=True, exist_ok=True)
    if exp.search.engine == "kerastuner":  # KerasTuner's working folders
        return str(root / "kerastuner")
    return str(root / "optuna.journal")


def _load_data(exp: Experiment, x: Any, y: Any) -> Dataset:
    """The search's data; errors about ``data.train`` name that file."""
    try:
        return load_dataset(x, y, task=exp.task, data=exp.data, base_dir=exp.base_dir)
    except DataError as exc:
        train = exp.data.train
        if x is None and train and Path(train).name not in str(exc):
            raise DataError(f"{exp.base_dir / train}: {exc}") from None
        raise


def _declaration_yaml(exp: Experiment) -> str:
    data = exp.model_dump(mode="json")
    if data["search"].get("storage"):
        data["search"]["storage"] = mask_password(data["search"]["storage"])
    return yaml.safe_dump(data, sort_keys=False)


class _Stopped(Exception):
    """A trial ends early on purpose: a violated constraint (FAILED) or its pruner (PRUNED)."""

    def __init__(self, state: TrialState, reason: str) -> None:
        super().__init__(reason)
        self.state = state
        self.reason = reason


class _Search:
    """State of one running search (one process)."""

    precision: str | None = None  # Keras' mixed dtype policy (training.mixed_precision)

    def __init__(
        self,
        exp: Experiment,
        space: SearchSpace,
        dataset: Dataset,
        engine: Engine,
        tracker: Tracker,
        run_id: str,
        workdir: Path,
        progress: Progress | None,
        background: bool = False,
    ) -> None:
        self.exp = exp
        self.space = space
        self.dataset = dataset
        self.engine = engine
        self.tracker = tracker
        self.run_id = run_id
        self.workdir = workdir
        self.progress = progress
        self.maximize = exp.direction == "maximize"
        self.best = _Best()
        # one thread, so the writes land in the order they were asked for
        self._writer = ThreadPoolExecutor(1, "archsmith-writes") if background else None
        self._pending: list[Future[None]] = []
        # open while a model trains: the writes then share the CPU with Keras' fit (which
        # spends most of its time outside Python) rather than with the next trial's build
        self._training = threading.Event()
        for rec in engine.trials():
            if (
                rec.state is TrialState.COMPLETE
                and rec.value is not None
                and self.best.improves(rec.value, self.maximize)
            ):
                self.best = _Best(rec.value, rec.number, rec.attrs.get("mlflow_run_id"))

    def run_trial(
        self,
        trial: Trial,
        deadline: float | None,
        _attempt: int = 0,
        _run: str | Future[str] | None = None,
    ) -> TrialResult:
        """Build, train and score one candidate; record it whatever happens.

        A transient failure (see :data:`TRANSIENT`) runs the trial again, in the same
        tracking run, up to ``search.retries`` times.
        """
        start = time.perf_counter()
        run = _run or self._open_trial(trial)
        fields: dict[str, Any] = {"run_id": run}
        state, value, reason = TrialState.FAILED, None, None
        try:
            config = self.space.resolve(trial.params)
            training.clear_session()
            devices.release_gpu_memory()  # PyTorch's CUDA cache (no-op without a GPU)
            if self.exp.search.seed is not None:  # the same trial trains the same way again
                training.seed_trial(self.exp.search.seed * 100_003 + trial.number)
            try:
                model = builders.build_model(
                    config, self.dataset.schema, self.dataset.target, self.exp.base_dir
                )
            except TrialFailed:
                raise
            except Exception as exc:
                raise TrialFailed(f"cannot build the model: {type(exc).__name__}: {exc}") from exc
            if self.precision is not None:  # mixed precision: outputs stay float32
                devices.float32_outputs(model)
            fields["params_count"] = builders.count_params(model)
            violated = self._violated_constraint(model, fields, trial.params)
            if violated:  # never trained
                raise _Stopped(TrialState.FAILED, violated)
            self._check_size(model, trial, config)
            reporter = self._pruning_reporter(trial)
            fields["facts"] = builders.model_facts(model)  # e.g. frozen backbone layers
            self._training.set()
            try:
                result = training.fit(
                    model,
                    self.dataset,
                    config,
                    self._training_for(trial),
                    deadline=deadline,
                    on_epoch=lambda epoch, logs: self.tracker.log_epoch(self._id(run), epoch, logs),
                    callbacks=[reporter] if reporter is not None else [],
                )
            finally:
                self._training.clear()
            value = result.scores.get(self.exp.task.metric)
            if value is None or not math.isfinite(value):
                raise TrialFailed(
                    f"metric {self.exp.task.metric} could not be computed on the validation split"
                )
            fields.update(
                scores=dict(result.scores),
                epochs=result.epochs,
                fit_seconds=result.fit_seconds,
                eval_seconds=result.eval_seconds,
                stopped_by=result.stopped_by,
                extra_metrics=dict(result.extra),
            )
            if reporter is not None and reporter.pruned_epoch is not None:
                fields["stopped_by"] = "pruner"
                raise _Stopped(
                    TrialState.PRUNED,
                    f"pruned by the {self.exp.search.pruner} pruner after epoch "
                    f"{reporter.pruned_epoch}",
                )
            fields["values"] = self._objective_values(fields)
            self._log_artifacts(self._id(run), trial.number, result.artifacts)
            state = TrialState.COMPLETE
            if self.best.improves(value, self.maximize):
                self._keep_best(model, trial.number, value, self._id(run))
        except _Stopped as stop:
            state, value, reason = stop.state, None, stop.reason
        except TrialFailed as exc:
            reason = devices.failure_reason(exc, trial.params) or str(exc)
        except (KeyboardInterrupt, SystemExit):
            self._record(trial, TrialState.FAILED, None, INTERRUPTED_BY_USER, fields, start)
            raise
        except Exception as exc:
            if _transient(exc) and _attempt < self.exp.search.retries:
                logger.warning("trial %s: %s; retrying", trial.number, _reason(exc))
                return self.run_trial(trial, deadline, _attempt + 1, run)
            reason = devices.failure_reason(exc, trial.params) or _reason(exc)
            if _attempt:
                reason += f" (after {_attempt + 1} attempts)"
            logger.debug("trial %s failed", trial.number, exc_info=True)
        return self._record(trial, state, value, reason, fields, start)

    def _open_trial(self, trial: Trial) -> str | Future[str]:
        """The trial's tracking run, its id stored with the engine's trial.

        With background writes the run is opened on the writer thread once the model
        trains (a Future of its id): a process killed before that leaves a trial without a
        run, which :func:`reconcile` records as lost. Without, it is opened at once.
        """
        logged = {**dict(self.space.fixed), **dict(trial.params)}
        if self._writer is None:
            return self._start_run(trial, logged)
        return self._writer.submit(self._when_training, self._start_run, trial, logged)

    def _start_run(self, trial: Trial, logged: Mapping[str, Any]) -> str:
        run_id = self.tracker.start_trial(self.run_id, trial.number, logged)
        self.engine.annotate(trial, {"mlflow_run_id": run_id})
        return run_id

    def _id(self, run: str | Future[str]) -> str:
        """The id of a trial's run, waiting for the writer thread to open it if need be."""
        if isinstance(run, str):
            return run
        if not run.done():
            self._training.set()  # e.g. a trial that failed before training
        return run.result()

    def _later(self, fn: Callable[..., None], *args: Any) -> None:
        """Run a tracker write on the background thread (at once without one)."""
        if self._writer is None:
            fn(*args)
            return
        self._pending = [f for f in self._pending if not f.done() or f.exception() is not None]
        self._pending.append(self._writer.submit(self._when_training, fn, *args))

    def _when_training(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run ``fn`` once a model trains (or the search waits for its writes)."""
        self._training.wait(timeout=_WRITE_DELAY_MAX)
        return fn(*args)

    def flush(self) -> None:
        """Wait for every background write; re-raise the first that failed."""
        self._training.set()  # nothing trains now: the writes need not wait for it
        pending, self._pending = self._pending, []
        errors = [exc for f in pending if (exc := f.exception()) is not None]
        if errors:
            raise errors[0]

    def close(self) -> None:
        """Finish the background writes and stop their thread."""
        try:
            self.flush()
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)

    def _check_size(self, model: Any, trial: Trial, config: Mapping[str, Any]) -> None:
        """Refuse a model too big to train (TrialFailed) before training it."""
        batch = config.get("batch_size") or self.exp.training.batch_size
        training.check_size(model, trial.params, int(batch))

    def _training_for(self, trial: Trial) -> Any:
        """The training spec, with the trial's epoch budget when the engine set one."""
        if trial.epochs is None:
            return self.exp.training
        return self.exp.training.model_copy(update={"epochs": trial.epochs})

    def _pruning_reporter(self, trial: Trial) -> Any:
        """The callback feeding the engine's pruner every epoch (None without a pruner)."""
        if self.exp.search.pruner == "none":
            return None
        return training.PruningReporter(
            self.dataset,
            self.exp.task.metric,
            lambda step, value: self.engine.report(trial, step, value),
        )

    def _violated_constraint(
        self, model: Any, fields: dict[str, Any], params: Mapping[str, Any]
    ) -> str | None:
        """Check the built model against ``search.constraints`` (measuring latency if needed)."""
        limits = self.exp.search.constraints
        names = [name for name, _ in self.exp.objectives]
        if limits.max_latency_ms is not None or "latency_ms" in names:
            fields["latency_ms"] = training.latency_ms(model, self.dataset)
        count = fields["params_count"]
        if limits.max_params is not None and count > limits.max_params:
            return (
                f"constraint max_params: the model has {count:,} params > "
                f"{limits.max_params:,} ({training.describe_size(model, params)}); not trained"
            )
        latency = fields.get("latency_ms")
        if (
            limits.max_latency_ms is not None
            and latency is not None
            and (latency > limits.max_latency_ms)
        ):
            return (
                f"constraint max_latency_ms: a one-row prediction takes {latency:.3f} ms > "
                f"{limits.max_latency_ms:g} ms; not trained"
            )
        return None

    def _objective_values(self, fields: dict[str, Any]) -> tuple[float, ...]:
        """One value per objective: a validation score, the params count or the latency."""
        named = {"params": fields["params_count"], "latency_ms": fields.get("latency_ms")}
        values = []
        for name, _ in self.exp.objectives:
            value = named[name] if name in named else fields["scores"].get(name)
            if value is None or not math.isfinite(value):
                raise TrialFailed(f"objective {name} could not be computed")
            values.append(float(value))
        return tuple(values)

    def _log_artifacts(self, run_id: str, number: int, artifacts: Mapping[str, bytes]) -> None:
        """Write a trial's artifacts (``plots/x.png`` …) and log them to its run."""
        if artifacts:
            self._later(self._write_artifacts, run_id, number, dict(artifacts))

    def _write_artifacts(self, run_id: str, number: int, artifacts: Mapping[str, bytes]) -> None:
        for name, data in artifacts.items():
            path = self.workdir / f"trial-{number}-artifacts" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            self.tracker.log_file(run_id, path, str(Path(name).parent) if "/" in name else None)

    def _keep_best(self, model: Any, number: int, value: float, run_id: str) -> None:
        """Save the new best model (raw-row inputs) and log it to its trial's run.

        The trained model is no longer touched by the search, so its file is written on the
        background thread while the next trial trains.
        """
        self._later(self._save_model, model, number, run_id)
        self.best = _Best(value, number, run_id)

    def _save_model(self, model: Any, number: int, run_id: str) -> None:
        path = self.workdir / f"trial-{number}" / "model.keras"
        training.save_model(builders.export_model(model, self.dataset.schema), path)
        self.tracker.log_file(run_id, path, "model")

    def _record(
        self,
        trial: Trial,
        state: TrialState,
        value: float | None,
        reason: str | None,
        fields: dict[str, Any],
        start: float,
    ) -> TrialResult:
        fields["run_id"] = self._id(fields["run_id"])
        seconds = time.perf_counter() - start
        result = TrialResult(
            trial.number, state, value, trial.params, reason, seconds=seconds, **fields
        )
        metrics = {f"val.{k}": v for k, v in result.scores.items()}
        metrics.update(result.extra_metrics)
        if value is not None:
            metrics["score"] = value
        metrics.update(
            params_count=result.params_count,
            epochs=result.epochs,
            fit_seconds=result.fit_seconds,
            trial_seconds=seconds,
        )
        if result.latency_ms is not None:
            metrics["latency_ms"] = result.latency_ms
        metrics.update(result.facts)
        tags = {"archsmith.reason": reason} if reason else {}
        if result.stopped_by:
            tags["archsmith.stopped_by"] = result.stopped_by
        # the engine may learn of the trial first: a stop in between is settled by reconcile()
        self._later(self.tracker.end_trial, fields["run_id"], state.value, metrics, tags)
        # the trial's model is garbage now (Keras objects hold reference cycles): collect it
        # while the next model trains, so memory stays flat across trials
        self._later(_collect_garbage)
        attrs = {"mlflow_run_id": fields["run_id"], **({"reason": reason} if reason else {})}
        if state is TrialState.PRUNED:
            attrs["epochs"] = result.epochs
        told = result.values if len(result.values) > 1 else value
        self.engine.tell(trial, state, told, attrs)
        return result


def _collect_garbage() -> None:
    gc.collect()  # objects alive before the search were frozen (gc.freeze): ~30 ms


def _transient(exc: BaseException) -> bool:
    return any(cls.__name__ in TRANSIENT for cls in type(exc).__mro__)


def _reason(exc: BaseException) -> str:
    """``Type: message`` for a failed trial; data errors say they are about the data."""
    if isinstance(exc, DataError):
        return f"data error: {exc}"
    return f"{type(exc).__name__}: {exc}"


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
    finished = {r.number: r for r in engine.trials() if r.state.finished}
    for number, mine in runs.items():
        told = finished.get(number)
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


def print_progress(result: Any, best: Any, done: int, total: int) -> None:
    """One line per trial: state, score, best so far, time."""
    score = "" if result.value is None else f"score={result.value:.4f}"
    best_txt = "" if best.value is None else f"best={best.value:.4f} (trial {best.number})"
    extra = f"  {result.reason[:100]}" if result.reason else ""
    print(
        f"[{done:>3}/{total}] trial {result.number:<3} {result.state.value:<8} {score:<13} "
        f"{best_txt:<26} {result.seconds:6.1f}s {result.params_count:>9,} params{extra}",
        flush=True,
    )


def _finished(records: list[TrialRecord]) -> int:
    """Trials that count towards max_trials: finished, and not cut short by a stop."""
    interrupted = (INTERRUPTED, INTERRUPTED_BY_USER, WORKER_LOST)
    return sum(1 for r in records if r.state.finished and r.attrs.get("reason") not in interrupted)


def run_search(
    experiment: str | Path | Mapping[str, Any] | Experiment,
    x: Any = None,
    y: Any = None,
    *,
    resume: bool = False,
    progress: Progress | None = None,
) -> SearchResult:
    """Run (or resume) a search end to end and return its result.

    Args:
        experiment: a declaration: YAML path, mapping or :class:`Experiment`.
        x: the data (DataFrame, array, path), or None to read ``data.train``.
        y: the target when it is not a column of ``x``.
        resume: continue the latest search of the same name: completed trials are kept,
            trials left running by a dead process are marked FAILED, and only the remaining
            ``max_trials`` run.
        progress: called after each trial with ``(result, best, done, total)``.

    Raises:
        SpecError: the declaration or search space is invalid.
        DataError: the data cannot serve the task.
        ArchsmithError: no trial completed.

    Example:
        >>> result = run_search("examples/iris.yaml")  # doctest: +SKIP
        >>> result.best.value  # doctest: +SKIP
        0.97
    """
    result = _run(experiment, x, y, resume=resume, progress=progress)
    assert result is not None
    return result


def run_worker(
    experiment: str | Path | Mapping[str, Any] | Experiment,
    x: Any = None,
    y: Any = None,
    *,
    progress: Progress | None = None,
) -> SearchResult | None:
    """Work on the search of this name in progress in ``search.storage``, or start one.

    Any number of processes or machines may call this with the same declaration and storage
    (``postgresql://…`` across machines, a ``*.journal`` file on one machine): each takes
    the next trial until ``max_trials`` are taken, and every trial is evaluated once, with
    one tracking run under the search's single parent run. Trials of workers that died
    (heartbeat stale, or process gone on this host) are marked FAILED (worker lost).

    Returns:
        The search's result from the last worker to finish (it writes the summary and the
        best model); None from the others.

    Raises:
        SpecError, DataError, ArchsmithError: as :func:`run_search`.
    """
    return _run(experiment, x, y, progress=progress, worker=True)


def _run(
    experiment: str | Path | Mapping[str, Any] | Experiment,
    x: Any,
    y: Any,
    *,
    resume: bool = False,
    progress: Progress | None = None,
    worker: bool = False,
) -> SearchResult | None:
    wall = time.perf_counter()
    exp = load_experiment(experiment)
    environment = devices.environment()  # GPU memory settings first, where there is a GPU
    precision = devices.mixed_precision_policy(exp.training.mixed_precision)  # or SpecError
    space = load_space(exp.search.space, builders.CATALOG, exp.base_dir)
    dataset = _load_data(exp, x, y)
    if "space" not in exp.search.model_fields_set and dataset.kind != "tabular":
        # no space declared: the default spaces of the data kind (images: cnn and resnet …)
        defaults = default_spaces(dataset.kind, exp.task.type)
        space = load_space(defaults, builders.CATALOG, exp.base_dir)
        # the logged declaration names the spaces that ran (private attrs are copied too)
        exp = exp.model_copy(update={"search": exp.search.model_copy(update={"space": defaults})})
    if dataset.kind not in space.inputs:
        raise SpecError(
            f"space '{space.name}' is for {list(space.inputs)} data, but the data "
            f"is {dataset.kind}",
            path="search.space",
        )
    tracker = MlflowTracker(exp.tracking.uri)
    storage = exp.search.storage or _default_storage(exp)
    objectives = exp.objectives
    engine = make_engine(
        exp.search.engine,
        space,
        name=exp.name,
        direction=exp.direction,
        seed=exp.search.seed,
        storage=storage,
        resume=resume,
        algorithm=exp.search.algorithm,
        directions=[d for _, d in objectives] if len(objectives) > 1 else None,
        pruner=exp.search.pruner,
        max_epochs=exp.training.epochs,
        **({"join": True} if worker else {}),
    )
    logger.info(
        "search %s: engine storage %s, tracking %s",
        engine.search_id,
        mask_password(storage),
        mask_password(exp.tracking.uri),
    )
    meta = engine.get_metadata()
    if worker and not getattr(engine, "created", True):
        meta = _wait_for_run(engine)
    joining = (resume or worker) and bool(meta.get("mlflow_run_id"))
    # read before this search's own run exists: a warm start may name this experiment
    warm_points = [] if joining else _warm_start_points(exp, space, tracker)
    # a search killed before it opened its tracking run gets one now (no trial ran yet)
    if joining:
        run_id = str(meta["mlflow_run_id"])
        if meta.get("dataset_fingerprint") not in (None, dataset.fingerprint):
            raise DataError(
                "the data differs from the data the search started with "
                f"(fingerprint {dataset.fingerprint} != "
                f"{meta['dataset_fingerprint']}); start a new search instead"
            )
        reconcile(engine, tracker, run_id, stopped=resume)
        tracker.start_search(
            exp.experiment_name,
            engine.search_id,
            params={},
            tags={},
            texts={},
            resume_run_id=run_id,
        )
    else:
        texts = {"declaration.yaml": _declaration_yaml(exp)}
        texts.update({f"spaces/{n}.yaml": t for n, t in space.sources.items()})
        run_id = tracker.start_search(
            exp.experiment_name,
            engine.search_id,
            params={
                "engine": exp.search.engine,
                "algorithm": engine.algorithm,
                "space": space.name,
                "metric": exp.task.metric,
                "direction": exp.direction,
                "max_trials": exp.search.max_trials,
                "epochs": exp.training.epochs,
                "dataset_fingerprint": dataset.fingerprint,
                "storage": mask_password(storage),
                "pruner": exp.search.pruner,
                "objectives": ",".join(f"{m}:{d}" for m, d in objectives),
                **{f"data.{k}": v for k, v in dataset.describe().items()},
            },
            tags={
                "archsmith.search_id": engine.search_id,
                "archsmith.task": exp.task.type,
                **{f"archsmith.{k}": v for k, v in environment.params().items()},
            },
            texts=texts,
        )
        engine.set_metadata("mlflow_run_id", run_id)
        _log_baseline(tracker, run_id, dataset, exp.task.metric)
        engine.set_metadata("dataset_fingerprint", dataset.fingerprint)
        for point in warm_points:
            engine.enqueue(point)

    workdir = Path(tempfile.mkdtemp(prefix="archsmith-"))
    # Everything alive now (framework modules, the data) outlives the search: keep it out of
    # the per-trial garbage collections, which then take milliseconds instead of ~0.25 s.
    gc.collect()
    gc.freeze()
    # workers write synchronously: another worker may summarise the search the moment this
    # one tells the engine, and must find the best model's file already logged
    search = _Search(
        exp, space, dataset, engine, tracker, run_id, workdir, progress, background=not worker
    )
    search.precision = precision
    if precision is not None:
        devices.set_precision(precision)
    new: list[TrialResult] = []
    status = "FAILED"
    try:
        if worker:
            joined = _work(search, new, wall)
            status = "FINISHED"
            return joined
        done = _finished(engine.trials())
        budget = exp.search.time_budget
        deadline = time.monotonic() + budget if budget else None
        while done < exp.search.max_trials:
            if deadline is not None and time.monotonic() >= deadline:
                logger.info("time budget reached after %d trials", done)
                break
            try:
                trial = engine.ask()
            except SearchExhausted as exc:
                logger.info("search ended after %d trials: %s", done, exc)
                break
            result = search.run_trial(trial, deadline)
            new.append(result)
            done += 1
            if progress is not None:
                progress(result, search.best, done, exp.search.max_trials)
        search.flush()
        status = "FINISHED"
        return _finish(search, new, wall)
    except KeyboardInterrupt:
        status = "KILLED"
        raise
    finally:
        try:
            search.close()
        except Exception:  # already failing or stopped: the first cause is what is raised
            logger.exception("a background tracking write failed")
        if status != "FINISHED" and not (worker and _running(engine)):
            tracker.end_search(run_id, status, {}, pd.DataFrame())
        gc.unfreeze()
        shutil.rmtree(workdir, ignore_errors=True)
        if precision is not None:
            devices.set_precision(None)


def _wait_for_run(engine: Engine, timeout: float = 120.0) -> dict[str, Any]:
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


def _running(engine: Engine) -> int:
    return sum(r.state is TrialState.RUNNING for r in engine.trials())


def _work(search: _Search, new: list[TrialResult], wall: float) -> SearchResult | None:
    """One worker's loop: take trials until ``max_trials`` are taken by all workers."""
    exp, engine = search.exp, search.engine
    budget = exp.search.time_budget
    deadline = time.monotonic() + budget if budget else None
    while True:
        reconcile(engine, search.tracker, search.run_id)
        records = engine.trials()
        taken = _finished(records) + sum(r.state is TrialState.RUNNING for r in records)
        if taken >= exp.search.max_trials:
            break
        if deadline is not None and time.monotonic() >= deadline:
            logger.info("time budget reached")
            break
        try:
            trial = engine.ask()
        except SearchExhausted as exc:
            logger.info("search ended: %s", exc)
            break
        result = search.run_trial(trial, deadline)
        new.append(result)
        if search.progress is not None:
            done = _finished(engine.trials())
            search.progress(result, search.best, done, exp.search.max_trials)
    reconcile(engine, search.tracker, search.run_id)
    if _running(engine):
        logger.info("other workers still run trials; the last one writes the summary")
        return None
    if not _claim_summary(engine):
        logger.info("another worker that finished at the same time writes the summary")
        return None
    for rec in engine.trials():  # other workers' trials count too
        if (
            rec.state is TrialState.COMPLETE
            and rec.value is not None
            and search.best.improves(rec.value, search.maximize)
            and rec.number != search.best.number
        ):
            search.best = _Best(rec.value, rec.number, rec.attrs.get("mlflow_run_id"))
    engine.set_metadata("finished", True)
    return _finish(search, new, wall)


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


def _warm_start_points(exp: Experiment, space: SearchSpace, tracker: Tracker) -> list[Params]:
    """``search.warm_start``: given points, or an earlier search's best completed trials.

    Raises:
        SpecError: a point does not fit the space (path ``search.warm_start.<i>``), or the
            earlier search has no completed trial.
    """
    warm = exp.search.warm_start
    if warm is None:
        return []
    if isinstance(warm, tuple):
        points: list[Params] = list(warm)
    else:
        board = tracker.leaderboard(warm.search)
        done = board[board["state"] == "COMPLETE"] if len(board) else board
        if not len(done):
            raise SpecError(
                f"search '{warm.search}' has no completed trial to start from",
                path="search.warm_start.search",
            )
        points = [_typed(space, row) for row in done.head(warm.top).to_dict("records")]
    checked: list[Params] = []
    for i, point in enumerate(points):
        try:
            checked.append(space.check(point))
        except SpecError as exc:
            raise SpecError(str(exc), path=f"search.warm_start.{i}") from None
    return checked


def _typed(space: SearchSpace, row: Mapping[str, Any]) -> dict[str, Any]:
    """A leaderboard row's params (strings or numbers from MLflow) as the space's values."""
    values: dict[str, Any] = {}
    for param in space.params:
        raw = row.get(param.name)
        if not param.is_active(values) or raw is None or raw == "" or raw != raw:  # NaN
            continue
        values[param.name] = _coerce(param.domain, raw)
    return values


def _coerce(domain: Any, raw: Any) -> Any:
    if isinstance(domain, Choice):  # MLflow holds str(value) or, for non-strings, JSON
        text = str(raw)
        return next((v for v in domain.values if text in (str(v), json.dumps(v)) or v == raw), raw)
    if isinstance(domain, Bool):
        return raw in (True, "True", "true", 1)
    if isinstance(domain, Int):
        return int(float(raw))
    return float(raw)


def _log_baseline(tracker: Tracker, run_id: str, dataset: Dataset, metric: str) -> None:
    """Log the data's baseline (forecasting: seasonal naive) as trial -1 of the leaderboard."""
    scores = training.baseline_scores(dataset)
    if not scores:
        return
    baseline = tracker.start_trial(run_id, -1, {"family": "seasonal_naive"})
    metrics = {f"val.{k}": v for k, v in scores["validation"].items()}
    metrics.update({f"test.{k}": v for k, v in scores.get("test", {}).items()})
    metrics["score"] = scores["validation"][metric]
    tracker.end_trial(baseline, "COMPLETE", metrics, {"archsmith.baseline": "seasonal_naive"})


def _finish(search: _Search, new: list[TrialResult], wall: float) -> SearchResult:
    exp, tracker, dataset = search.exp, search.tracker, search.dataset
    records = search.engine.trials()
    best = next((r for r in records if r.number == search.best.number), None)
    model_path = None
    model_uri = None
    test_scores: dict[str, float] = {}
    summary: dict[str, float] = {
        "trials_complete": sum(r.state is TrialState.COMPLETE for r in records),
        "trials_failed": sum(r.state is TrialState.FAILED for r in records),
        "trials_pruned": sum(r.state is TrialState.PRUNED for r in records),
    }
    if best is not None and search.best.run_id:
        # the best trial's model, as logged in its run (by this process or an earlier one)
        model_path = tracker.artifact_path(search.best.run_id, "model/model.keras")
        model = builders.load_model(model_path)
        strings = builders.takes_strings(model)
        if dataset.test is not None:
            out = training.outputs(model, dataset.schema.raw_inputs(dataset.test.frame, strings))
            test_scores = training.all_scores(dataset.test.y, out, dataset.target)
        example = dataset.validation.frame.head(5)
        preds = training.predictions(
            training.outputs(model, dataset.schema.raw_inputs(example, strings)), dataset.target
        )
        meta = {
            "schema": dataset.schema.to_dict(),
            "target": dataset.target.to_dict(),
            "task": exp.task.type,
            "metric": exp.task.metric,
            "params": dict(best.params),
            "example_predictions": preds.tolist(),
        }
        model_uri = tracker.log_model(search.run_id, model_path, meta, example)
        summary["best_score"] = float(best.value) if best.value is not None else math.nan
        summary["best_trial"] = best.number
        summary.update({f"test.{k}": v for k, v in test_scores.items()})
    board = tracker.leaderboard(exp.experiment_name, search.run_id)
    tracker.log_plots(search.run_id, board, exp.objectives)
    tracker.end_search(search.run_id, "FINISHED", summary, board)
    if best is None:
        reasons = [r.attrs.get("reason") for r in records if r.attrs.get("reason")]
        first = f"; first failure: {reasons[0]}" if reasons else ""
        raise ArchsmithError(
            f"no trial of search '{exp.name}' completed ({len(records)} trials){first}"
        )
    return SearchResult(
        experiment=exp,
        space=search.space,
        dataset=dataset,
        run_id=search.run_id,
        search_id=search.engine.search_id,
        tracking_uri=getattr(tracker, "tracking_uri", ""),
        trials=tuple(records),
        best=best,
        model_path=model_path,
        model_uri=model_uri,
        test_scores=test_scores,
        leaderboard=board,
        wall_seconds=time.perf_counter() - wall,
        new_trials=tuple(new),
    )
