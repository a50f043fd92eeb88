"""One trial: build, train and score a candidate, and sort the outcome into one state.

:meth:`TrialRunner.run` records every outcome (COMPLETE, PRUNED, FAILED) in the engine and
the tracker before it returns; an exception in a trial never stops the search, except
Ctrl-C, which is recorded and re-raised. PRUNED comes only from the pruning callback.
"""

from __future__ import annotations

import gc
import logging
import math
import time
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from archsmith import builders
from archsmith import devices
from archsmith import tasks
from archsmith import training
from archsmith.datasets import Dataset
from archsmith.engines import Engine
from archsmith.engines import Trial
from archsmith.engines import TrialState
from archsmith.exceptions import DataError
from archsmith.exceptions import TrialFailed
from archsmith.runner._pooled import OUTPUTS_ARTIFACT
from archsmith.runner._pooled import Pooling
from archsmith.runner._records import INTERRUPTED_BY_USER
from archsmith.runner._records import Best
from archsmith.runner._records import TrialResult
from archsmith.runner._writer import Files
from archsmith.runner._writer import RunHandle
from archsmith.runner._writer import TrialWriter
from archsmith.search_space import SearchSpace
from archsmith.spec import Experiment
from archsmith.spec import strip_ansi

logger = logging.getLogger("archsmith")

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


class _Stopped(Exception):
    """A trial ends early on purpose: a violated constraint (FAILED) or its pruner (PRUNED)."""

    def __init__(self, state: TrialState, reason: str) -> None:
        super().__init__(reason)
        self.state = state
        self.reason = reason


class TrialRunner:
    """Runs the trials of one search in this process and keeps the best so far.

    Args:
        exp: the declaration.
        space: the search space.
        dataset: the data and its splits.
        engine: asks and is told.
        writer: the tracker behind run handles.
        workdir: where model and artifact files are written before they are logged.
        precision: the mixed dtype policy in force (``training.mixed_precision``), if any.
    """

    def __init__(
        self,
        exp: Experiment,
        space: SearchSpace,
        dataset: Dataset,
        engine: Engine,
        writer: TrialWriter,
        workdir: Path,
        precision: str | None = None,
    ) -> None:
        self.exp = exp
        self.precision = precision  # Keras' mixed dtype policy (training.mixed_precision)
        self.space = space
        self.dataset = dataset
        self.engine = engine
        self.writer = writer
        self.workdir = workdir
        self.maximize = exp.direction == "maximize"
        self.best = Best().among(engine.trials(), self.maximize)
        self.pooling = Pooling(exp, dataset)  # folds; what the final step needs kept
        #: ``(trial number, epoch, logs)`` after every epoch (a live display), or None
        self.epoch_hook: Callable[[int, int, Mapping[str, float]], None] | None = None

    def run(
        self, trial: Trial, deadline: float | None, screened: Mapping[str, float] | None = None
    ) -> TrialResult:
        """Build, train and score one candidate; record it whatever happens.

        A transient failure (see :data:`TRANSIENT`) runs the trial again, in the same
        tracking run, up to ``search.retries`` times. ``screened``: what pre-screening
        measured on this candidate, logged with the trial's metrics.
        """
        run = self.writer.open_trial(
            trial.number,
            {**dict(self.space.fixed), **dict(trial.params)},
            lambda run_id: self.engine.annotate(trial, {"mlflow_run_id": run_id}),
        )
        attempt = 0
        while True:
            start = time.perf_counter()
            # what the attempt measured
            fields: dict[str, Any] = {"value": None, "screened": dict(screened or {})}
            reason = None
            try:
                self._attempt(trial, run, deadline, fields)
                state = TrialState.COMPLETE
            except _Stopped as stop:
                state, reason, fields["value"] = stop.state, stop.reason, None
            except TrialFailed as exc:
                state = TrialState.FAILED
                reason = devices.failure_reason(exc, trial.params) or str(exc)
            except (KeyboardInterrupt, SystemExit):
                fields["value"] = None
                self._record(trial, run, TrialState.FAILED, INTERRUPTED_BY_USER, fields, start)
                raise
            except Exception as exc:
                if _transient(exc) and attempt < self.exp.search.retries:
                    logger.warning("trial %s: %s; retrying", trial.number, _reason(exc))
                    attempt += 1
                    continue
                state = TrialState.FAILED
                reason = devices.failure_reason(exc, trial.params) or _reason(exc)
                if attempt:
                    reason += f" (after {attempt + 1} attempts)"
                logger.debug("trial %s failed", trial.number, exc_info=True)
            return self._record(trial, run, state, reason, fields, start)

    def _attempt(
        self, trial: Trial, run: RunHandle, deadline: float | None, fields: dict[str, Any]
    ) -> None:
        """Build -> check -> train -> score; raises how the trial ended unless COMPLETE."""
        config = self.space.resolve(trial.params)
        training.clear_session()
        devices.release_gpu_memory()  # PyTorch's CUDA cache (no-op without a GPU)
        if self.exp.search.seed is not None:  # the same trial trains the same way again
            training.seed_trial(self.exp.search.seed * 100_003 + trial.number)
        model = self._build(config)
        if self.precision is not None:  # mixed precision: outputs stay float32
            devices.float32_outputs(model)
        fields["params_count"] = builders.count_params(model)
        violated = self._violated_constraint(model, fields, trial.params)
        if violated:  # never trained
            raise _Stopped(TrialState.FAILED, violated)
        batch = config.get("batch_size") or self.exp.training.batch_size
        training.check_size(model, trial.params, int(batch))  # TrialFailed if too big
        reporter = self._pruning_reporter(trial)
        fields["facts"] = builders.model_facts(model)  # e.g. frozen backbone layers
        with self.writer.training():
            fitted = self.pooling.fit(
                model,
                lambda: self._build(config),
                config,
                self._training_for(trial),
                deadline=deadline,
                on_epoch=lambda epoch, logs: self._epoch_ended(run, trial.number, epoch, logs),
                callbacks=[reporter] if reporter is not None else [],
            )
        result, model = fitted.result, fitted.model
        value = fields["value"] = result.scores.get(self.exp.task.metric)
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
        fields["predict_ms_per_row"] = _measured(training.predict_ms_per_row, model, self.dataset)
        if result.artifacts:  # plots/x.png …
            artifacts = dict(result.artifacts)
            self.writer.log_files(run, lambda: self._write_artifacts(trial.number, artifacts))
        if fitted.outputs is not None:  # for the ensemble and refit of the final step
            fields["best_epoch"] = fitted.best_epoch
            outputs = fitted.outputs
            self.writer.log_files(run, lambda: self._save_outputs(outputs, trial.number))
        # the trained model is no longer touched by the search, so its file is written on
        # the background thread while the next trial trains, and only where it is logged:
        # for a new best (or for every trial an ensemble may take)
        file = ModelFile(self.workdir / f"trial-{trial.number}" / "model.keras", model, self)
        fields["model_bytes"] = weight_bytes(model)
        improves = self.best.improves(value, self.maximize)
        if improves or self.pooling.keeps_models:
            self.writer.log_files(run, lambda: [(file.write(), "model")])
        if improves:
            self.best = Best(value, trial.number, self.writer.run_id(run))

    def _build(self, config: dict[str, Any]) -> Any:
        """The trial's network; any error is the trial's failure to build."""
        try:
            return builders.build_model(
                config, self.dataset.schema, self.dataset.target, self.exp.base_dir
            )
        except TrialFailed:
            raise
        except Exception as exc:
            raise TrialFailed(f"cannot build the model: {type(exc).__name__}: {exc}") from exc

    def _epoch_ended(
        self, run: RunHandle, number: int, epoch: int, logs: Mapping[str, float]
    ) -> None:
        self.writer.log_epoch(run, epoch, logs)
        if self.epoch_hook is not None:
            self.epoch_hook(number, epoch, logs)

    def _training_for(self, trial: Trial) -> Any:
        """The training spec, with the trial's epoch budget when the engine set one."""
        if trial.epochs is None:
            return self.exp.training
        return self.exp.training.model_copy(update={"epochs": trial.epochs})

    def _pruning_reporter(self, trial: Trial) -> Any:
        """The callback feeding the engine's pruner every epoch (None without a pruner)."""
        if self.exp.search.pruner == "none":
            return None
        return tasks.pruning_reporter(
            self.pooling.scored,
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

    def _write_artifacts(self, number: int, artifacts: Mapping[str, bytes]) -> Files:
        files: Files = []
        for name, data in artifacts.items():
            path = self.workdir / f"trial-{number}-artifacts" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            files.append((path, str(Path(name).parent) if "/" in name else None))
        return files

    def _save_outputs(self, outputs: Any, number: int) -> Files:
        """The validation (out-of-fold) outputs, for an ensemble built by any process."""
        import numpy as np

        path = self.workdir / f"trial-{number}-predictions" / Path(OUTPUTS_ARTIFACT).name
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, outputs)
        return [(path, str(Path(OUTPUTS_ARTIFACT).parent))]

    def _record(
        self,
        trial: Trial,
        run: RunHandle,
        state: TrialState,
        reason: str | None,
        fields: dict[str, Any],
        start: float,
    ) -> TrialResult:
        """Tell the engine and queue the run's end: the trial's one outcome, recorded."""
        run_id = self.writer.run_id(run)
        seconds = time.perf_counter() - start
        size = fields.pop("model_bytes", None)  # the model's size, of a COMPLETE trial
        result = TrialResult(
            number=trial.number,
            state=state,
            params=trial.params,
            reason=reason,
            seconds=seconds,
            run_id=run_id,
            **fields,
        )
        metrics = {f"val.{k}": v for k, v in result.scores.items()}
        metrics.update(result.extra_metrics)
        if result.value is not None:
            metrics["score"] = result.value
        metrics.update(
            params_count=result.params_count,
            epochs=result.epochs,
            fit_seconds=result.fit_seconds,
            trial_seconds=seconds,
        )
        if result.latency_ms is not None:
            metrics["latency_ms"] = result.latency_ms
        if result.predict_ms_per_row is not None:
            metrics["predict_ms_per_row"] = result.predict_ms_per_row
        metrics.update(result.facts)
        metrics.update(result.screened)
        tags = {"archsmith.reason": reason} if reason else {}
        if result.stopped_by:
            tags["archsmith.stopped_by"] = result.stopped_by
        # the engine may learn of the trial first: a stop in between is settled by reconcile()
        if size is not None and state is TrialState.COMPLETE:
            metrics["model_bytes"] = size
        self.writer.end_trial(run, state.value, metrics, tags)
        # the trial's model is garbage now (Keras objects hold reference cycles): collect it
        # while the next model trains, so memory stays flat across trials
        self.writer.later(_collect_garbage)
        attrs: dict[str, Any] = {"mlflow_run_id": run_id, **({"reason": reason} if reason else {})}
        attrs.update(result.screened)
        if state is TrialState.PRUNED:
            attrs["epochs"] = result.epochs
        if result.best_epoch is not None and state is TrialState.COMPLETE:
            attrs["best_epoch"] = result.best_epoch  # what a refit trains for
        told = result.values if len(result.values) > 1 else result.value
        self.engine.tell(trial, state, told, attrs)
        return result


class ModelFile:
    """A trained model's ``.keras`` file (raw-row inputs), written once on first use."""

    def __init__(self, path: Path, model: Any, trials: TrialRunner) -> None:
        self.path = path
        self.model: Any = model
        self.schema = trials.dataset.schema

    def write(self) -> Path:
        if self.model is not None:
            training.save_model(builders.export_model(self.model, self.schema), self.path)
            self.model = None  # written: the model may be collected
        return self.path


def weight_bytes(model: Any) -> float:
    """``model_bytes``: the bytes of the model's weights (its ``.keras`` file less the
    config, a few kB), counted from shapes and dtypes without copying a weight."""
    total = 0
    for weight in model.weights:
        total += math.prod(weight.shape) * np.dtype(weight.dtype).itemsize
    return float(total)


def _measured(measure: Any, *args: Any) -> float | None:
    """A cost measurement, or None where it cannot be taken (the trial stands)."""
    try:
        return float(measure(*args))
    except Exception as exc:
        logger.debug("cannot measure %s: %s", getattr(measure, "__name__", measure), exc)
        return None


def _collect_garbage() -> None:
    gc.collect()  # objects alive before the search were frozen (gc.freeze): ~30 ms


def _transient(exc: BaseException) -> bool:
    return any(cls.__name__ in TRANSIENT for cls in type(exc).__mro__)


def _reason(exc: BaseException) -> str:
    """``Type: message`` for a failed trial; data errors say they are about the data."""
    if isinstance(exc, DataError):
        return f"data error: {strip_ansi(str(exc))}"
    return f"{type(exc).__name__}: {strip_ansi(str(exc))}"
