"""The model a search serves when it is more than its best trial's own file: the ensemble
of trials chosen on validation (``search.ensemble``), retrained on train + validation
(``search.refit``). It is logged as a leaderboard row (trial -2, family ``ensemble`` or
``refit``) whose ``model/model.keras`` the final step scores, exports and serves, and its
members and weights as ``ensemble.json`` in the search's parent run."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import refit_rows
from archsmith.engines import TrialRecord
from archsmith.engines import TrialState
from archsmith.runner._ensemble import Selection
from archsmith.runner._ensemble import select
from archsmith.runner._pooled import OUTPUTS_ARTIFACT
from archsmith.runner._trial import TrialRunner

logger = logging.getLogger("archsmith")

#: the leaderboard's trial number of the served ensemble or refit model
SERVED_TRIAL = -2
SUPERSEDED = "superseded by the model of a later run of this search (resumed)"


@dataclass(frozen=True)
class Served:
    """What the final step serves: the members and weights (the best trial alone, weight
    1, unless an ensemble won), and the model file when it is not the best trial's."""

    weights: dict[int, float]
    model_path: Path | None = None
    summary: dict[str, float] = field(default_factory=dict)
    described: dict[str, Any] = field(default_factory=dict)


def serve(trials: TrialRunner, records: Sequence[TrialRecord], best: TrialRecord) -> Served:
    """Choose, retrain where asked, save and log the served model (see the module)."""
    exp = trials.exp
    tracker, run_id = trials.writer.tracker, trials.writer.search_run
    weights: dict[int, float] = {best.number: 1.0}
    summary: dict[str, float] = {}
    described: dict[str, Any] = {"members": [best.number], "weights": [1.0], "refit": False}
    score = float(best.value) if best.value is not None else float("nan")
    if exp.search.ensemble is not None:
        selection = _selection(trials, records)
        if selection is not None:
            summary["ensemble.score"] = selection.score
            summary["ensemble.single_score"] = selection.single_score
            won = len(selection.weights) > 1 and selection.gain(trials.maximize) > (
                exp.search.ensemble.min_gain
            )
            described.update(
                candidates=len(records),
                validation_score=selection.score,
                best_single=selection.single,
                best_single_score=selection.single_score,
                chosen=won,
            )
            if won:
                weights, score = dict(selection.weights), selection.score
    summary["ensemble.members"] = len(weights)
    described.update(members=list(weights), weights=list(weights.values()))
    if len(weights) == 1 and not exp.search.refit:
        tracker.log_file(run_id, _write_json(trials, described))
        return Served(weights, None, summary, described)
    by_number = {r.number: r for r in records}
    if exp.search.refit:
        models, rows = _refit(trials, [by_number[n] for n in weights])
        summary["refit_rows"] = rows
        described.update(refit=True, refit_rows=rows)
    else:
        models = [_trial_model(trials, by_number[n]) for n in weights]
    model = models[0]
    if len(models) > 1:
        model = builders.average_models(models, list(weights.values()))
    path = training.save_model(model, trials.workdir / "served" / "model.keras")
    tracker.log_file(run_id, _write_json(trials, described))
    for old in tracker.trial_runs(run_id).get(SERVED_TRIAL, []):  # a resumed search's
        tracker.fail_run(old["run_id"], SUPERSEDED)
    family = "ensemble" if len(weights) > 1 else "refit"
    row = tracker.start_trial(
        run_id,
        SERVED_TRIAL,
        {
            "family": family,
            "members": ",".join(str(n) for n in weights),
            "weights": ",".join(f"{w:.4g}" for w in weights.values()),
            "refit": exp.search.refit,
        },
    )
    tracker.log_file(row, path, "model")
    metrics = {"score": score, f"val.{exp.task.metric}": score}
    if "refit_rows" in summary:
        metrics["refit_rows"] = summary["refit_rows"]
    tracker.end_trial(row, "COMPLETE", metrics, {"archsmith.served": family})
    return Served(weights, tracker.artifact_path(row, "model/model.keras"), summary, described)


def _selection(trials: TrialRunner, records: Sequence[TrialRecord]) -> Selection | None:
    """Ensemble selection over the validation outputs stored with the completed trials
    (by this process, other workers or before a resume)."""
    exp, dataset, tracker = trials.exp, trials.dataset, trials.writer.tracker
    spec = exp.search.ensemble
    assert spec is not None
    outputs: dict[int, np.ndarray] = {}
    for rec in records:
        run = rec.attrs.get("mlflow_run_id")
        if rec.state is not TrialState.COMPLETE or rec.value is None or not run:
            continue
        path = tracker.artifact_path(str(run), OUTPUTS_ARTIFACT)
        if path.is_file():
            outputs[rec.number] = np.load(path, allow_pickle=False).astype("float64")
        else:
            logger.warning("trial %s has no stored validation outputs; left out", rec.number)
    if not outputs:
        return None
    y = trials.pooling.validation_y()
    metric, target = exp.task.metric, dataset.target

    def scored(out: np.ndarray) -> float:
        try:
            return float(tasks.score(metric, y, out, target))
        except ValueError:
            return float("nan")

    return select(outputs, scored, maximize=trials.maximize, rounds=spec.rounds)


def _trial_model(trials: TrialRunner, record: TrialRecord) -> Any:
    """A trial's logged model (raw-row inputs; a fold bag with ``data.folds``)."""
    run = str(record.attrs.get("mlflow_run_id"))
    return builders.load_model(trials.writer.tracker.artifact_path(run, "model/model.keras"))


def _refit(trials: TrialRunner, records: list[TrialRecord]) -> tuple[list[Any], int]:
    """Each member built again and trained on train + validation (forecasting: every window
    before the test cut) for its best epoch count (early stopping off); its export, and the
    rows it saw."""
    exp, dataset = trials.exp, trials.dataset
    rows = refit_rows(dataset)
    data = replace(dataset, train=rows)
    models = []
    for rec in records:
        epochs = int(rec.attrs.get("best_epoch") or exp.training.epochs)
        spec = exp.training.model_copy(update={"epochs": max(1, epochs), "early_stopping": None})
        if exp.search.seed is not None:
            training.seed_trial(exp.search.seed * 100_003 + rec.number)
        config = trials.space.resolve(rec.params)
        model = builders.build_model(config, dataset.schema, dataset.target, exp.base_dir)
        tasks.fit(model, data, config, spec)
        models.append(builders.export_model(model, dataset.schema))
        logger.info("refit trial %s on %s rows for %s epochs", rec.number, len(rows), epochs)
    return models, len(rows)


def _write_json(trials: TrialRunner, described: dict[str, Any]) -> Path:
    path = trials.workdir / "ensemble.json"
    path.write_text(json.dumps(described, indent=2, default=float), encoding="utf-8")
    return path
