"""``run_search`` and ``run_worker``: open the search (data, space, engine, tracking run),
run the loop, write the summary, and leave nothing RUNNING when stopped."""

from __future__ import annotations

import gc
import logging
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from archsmith import builders
from archsmith import devices
from archsmith import engines
from archsmith import training
from archsmith.datasets import Dataset
from archsmith.datasets import default_spaces
from archsmith.datasets import fold_indices
from archsmith.datasets import load_dataset
from archsmith.engines import Engine
from archsmith.engines import make_engine
from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError
from archsmith.runner._final import finish
from archsmith.runner._final import log_baseline
from archsmith.runner._loop import LocalQuota
from archsmith.runner._loop import optimize
from archsmith.runner._prescreen import make_prescreen
from archsmith.runner._records import Progress
from archsmith.runner._records import SearchResult
from archsmith.runner._records import TrialResult
from archsmith.runner._records import running
from archsmith.runner._recovery import SharedQuota
from archsmith.runner._recovery import reconcile
from archsmith.runner._recovery import wait_for_run
from archsmith.runner._recovery import writes_summary
from archsmith.runner._trial import TrialRunner
from archsmith.runner._warm import warm_start_points
from archsmith.runner._writer import TrialWriter
from archsmith.search_space import SearchSpace
from archsmith.search_space import load_space
from archsmith.spec import Experiment
from archsmith.spec import load_experiment
from archsmith.tracking import Tracker
from archsmith.tracking import mask_password
from archsmith.tracking import open_tracker
from archsmith.tracking import store_folder

logger = logging.getLogger("archsmith")

Declaration = str | Path | Mapping[str, Any] | Experiment


def run_search(
    experiment: Declaration,
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
        progress: called after each trial with ``(result, best, done, total)``
            (``archsmith.console.print_progress`` prints a line).

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
    experiment: Declaration,
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
    experiment: Declaration,
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
    exp, space, dataset = _prepare(exp, x, y)
    prescreen = make_prescreen(exp, space, dataset)  # or SpecError, before any run opens
    tracker = open_tracker(exp.tracking.uri)
    storage = exp.search.storage or _default_storage(exp)
    engine = _make_engine(exp, space, storage, resume=resume, worker=worker)
    logger.info(
        "search %s: engine storage %s, tracking %s",
        engine.search_id,
        mask_password(storage),
        mask_password(exp.tracking.uri),
    )
    run_id = _open_run(exp, space, dataset, engine, tracker, storage, resume, worker, environment)
    workdir = Path(tempfile.mkdtemp(prefix="archsmith-"))
    # Everything alive now (framework modules, the data) outlives the search: keep it out of
    # the per-trial garbage collections, which then take milliseconds instead of ~0.25 s.
    gc.collect()
    gc.freeze()
    # workers write synchronously: another worker may summarise the search the moment this
    # one tells the engine, and must find the best model's file already logged
    writer = TrialWriter(tracker, run_id, background=not worker)
    trials = TrialRunner(exp, space, dataset, engine, writer, workdir, precision)
    if precision is not None:
        devices.set_precision(precision)
    budget = exp.search.time_budget
    deadline = time.monotonic() + budget if budget else None
    quota = SharedQuota(engine, tracker, run_id) if worker else LocalQuota(engine)
    status = "FAILED"
    try:
        new = optimize(trials, quota, deadline, progress, prescreen)
        if worker:  # a worker's search ends FAILED when no trial completed
            result = _summarise(trials, new, wall)
        else:
            writer.flush()
            status = "FINISHED"
            result = finish(trials, new, wall)
        status = "FINISHED"
        return result
    except KeyboardInterrupt:
        status = "KILLED"
        raise
    finally:
        try:
            writer.close()
        except Exception:  # already failing or stopped: the first cause is what is raised
            logger.exception("a background tracking write failed")
        if status != "FINISHED" and not (worker and running(engine.trials())):
            tracker.end_search(run_id, status, {}, pd.DataFrame())
        gc.unfreeze()
        shutil.rmtree(workdir, ignore_errors=True)
        if precision is not None:
            devices.set_precision(None)


def _summarise(trials: TrialRunner, new: list[TrialResult], wall: float) -> SearchResult | None:
    """The last worker to finish writes the summary (other workers' trials count too)."""
    engine, writer = trials.engine, trials.writer
    if not writes_summary(engine, writer.tracker, writer.search_run):
        return None
    trials.best = trials.best.among(engine.trials(), trials.maximize)
    return finish(trials, new, wall)


def _prepare(exp: Experiment, x: Any, y: Any) -> tuple[Experiment, SearchSpace, Dataset]:
    """The declaration (naming the spaces that run), its space (the data kind's default
    spaces if none is declared) and the data."""
    space = load_space(exp.search.space, builders.CATALOG, exp.base_dir)
    dataset = _load_data(exp, x, y)
    training.class_weights(exp.training, dataset.target, dataset.train.y)  # its errors first
    if "space" not in exp.search.model_fields_set:
        # no space declared: the default spaces of the data kind (tables: tabm and realmlp …)
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
    space = builders.check_space(space, dataset, exp.search.build_check, exp.base_dir)
    if exp.data.folds:  # SpecError before any run opens: more folds than a class's rows
        fold_indices(dataset, exp.data.folds, exp.data.seed)
    return exp, space, dataset


def _load_data(exp: Experiment, x: Any, y: Any) -> Dataset:
    """The search's data; errors about ``data.train`` name that file."""
    try:
        return load_dataset(x, y, task=exp.task, data=exp.data, base_dir=exp.base_dir)
    except DataError as exc:
        train = exp.data.train
        if x is None and train and Path(train).name not in str(exc):
            raise DataError(f"{exp.base_dir / train}: {exc}") from None
        raise


def _default_storage(exp: Experiment) -> str:
    """The engine's storage beside the tracking store (./mlruns when tracking is a server)."""
    folder = store_folder(exp.tracking.uri)
    folder.mkdir(parents=True, exist_ok=True)
    return engines.default_storage(exp.search.engine, folder)


def _make_engine(
    exp: Experiment, space: SearchSpace, storage: str, *, resume: bool, worker: bool
) -> Engine:
    objectives = exp.objectives
    return make_engine(
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


def _open_run(
    exp: Experiment,
    space: SearchSpace,
    dataset: Dataset,
    engine: Engine,
    tracker: Tracker,
    storage: str,
    resume: bool,
    worker: bool,
    environment: devices.Environment,
) -> str:
    """The search's tracking run: reopened when resuming or joining (after settling the
    trials of dead processes), else opened with the declaration, spaces and baseline."""
    meta = engine.get_metadata()
    if worker and not getattr(engine, "created", True):
        meta = wait_for_run(engine)
    joining = (resume or worker) and bool(meta.get("mlflow_run_id"))
    # read before this search's own run exists: a warm start may name this experiment
    warm_points = [] if joining else warm_start_points(exp, space, tracker)
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
        return run_id
    objectives = exp.objectives
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
            **({"preset": exp.preset} if exp.preset else {}),
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
    log_inputs = getattr(tracker, "log_dataset_inputs", None)  # trackers that keep datasets
    if log_inputs is not None:
        described = dataset.describe()
        rows = {s: described[f"rows_{s}"] for s in ("train", "validation", "test")}
        columns = [(c.name, c.kind) for c in dataset.schema.columns]
        log_inputs(run_id, exp.experiment_name, dataset.fingerprint, rows, columns)
    log_baseline(tracker, run_id, dataset, exp.task.metric, getattr(exp.task, "references", ()))
    engine.set_metadata("dataset_fingerprint", dataset.fingerprint)
    for point in warm_points[: exp.search.max_trials]:  # no point left waiting unrun
        engine.enqueue(point)
    return run_id


def _declaration_yaml(exp: Experiment) -> str:
    data = exp.model_dump(mode="json")
    if data["search"].get("storage"):
        data["search"]["storage"] = mask_password(data["search"]["storage"])
    data["tracking"]["uri"] = mask_password(data["tracking"]["uri"])
    return yaml.safe_dump(data, sort_keys=False)
