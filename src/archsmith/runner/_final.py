"""The final model step: the best model's test scores, its logged pyfunc, the summary
metrics and the leaderboard of the search's parent run."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path

from archsmith import builders
from archsmith import tasks
from archsmith import tracking
from archsmith import training
from archsmith.datasets import Dataset
from archsmith.engines import TrialState
from archsmith.exceptions import ArchsmithError
from archsmith.exceptions import SpecError
from archsmith.runner._records import SearchResult
from archsmith.runner._records import TrialResult
from archsmith.runner._serve import SERVED_TRIAL
from archsmith.runner._serve import Served
from archsmith.runner._serve import serve
from archsmith.runner._threshold import with_threshold
from archsmith.runner._trial import TrialRunner
from archsmith.tracking import Tracker


def log_baseline(
    tracker: Tracker, run_id: str, dataset: Dataset, metric: str, references: Sequence[str] = ()
) -> None:
    """Log the data's baseline (forecasting: seasonal naive) as trial -1 of the leaderboard,
    and the classical ``references`` (forecasting: ``ets``) as trials -3, -4, ... (trial
    -2 is the served ensemble or refit model's row)."""
    scores = tasks.baseline_scores(dataset)
    if not scores:
        return
    rows = {"seasonal_naive": scores, **tasks.reference_scores(dataset, references)}
    for i, (name, found) in enumerate(rows.items()):
        number = -1 if i == 0 else SERVED_TRIAL - i
        row = tracker.start_trial(run_id, number, {"family": name})
        metrics = {f"val.{k}": v for k, v in found["validation"].items()}
        metrics.update({f"test.{k}": v for k, v in found.get("test", {}).items()})
        metrics["score"] = found["validation"][metric]
        tracker.end_trial(row, "COMPLETE", metrics, {"archsmith.baseline": name})


def finish(trials: TrialRunner, new: list[TrialResult], wall: float) -> SearchResult:
    """Close the search's run with its summary and best model; the search's result.

    Raises:
        ArchsmithError: no trial completed (the run is closed FINISHED all the same).
    """
    exp, dataset, engine = trials.exp, trials.dataset, trials.engine
    tracker, run_id = trials.writer.tracker, trials.writer.search_run
    records = engine.trials()
    best = next((r for r in records if r.number == trials.best.number), None)
    model_path: Path | None = None
    model_uri = None
    test_scores: dict[str, float] = {}
    summary: dict[str, float] = {
        "trials_complete": sum(r.state is TrialState.COMPLETE for r in records),
        "trials_failed": sum(r.state is TrialState.FAILED for r in records),
        "trials_pruned": sum(r.state is TrialState.PRUNED for r in records),
    }
    served: Served | None = None
    if best is not None and trials.best.run_id:
        # the best trial's model, as logged in its run (by this process or an earlier one),
        # unless an ensemble of trials or a refit replaces it
        model_path = tracker.artifact_path(trials.best.run_id, "model/model.keras")
        if trials.pooling.keeps_outputs:
            served = serve(trials, records, best)
            model_path = served.model_path or model_path
            summary.update(served.summary)
        model = builders.load_model(model_path)
        strings = builders.takes_strings(model)
        dataset, tuned = with_threshold(exp, dataset, model, strings)
        summary.update(tuned)
        if dataset.test is not None:
            out = training.outputs(model, dataset.schema.raw_inputs(dataset.test.frame, strings))
            test_scores = tasks.all_scores(dataset.test.y, out, dataset.target)
        example = dataset.validation.frame.head(5)
        outputs = training.outputs(model, dataset.schema.raw_inputs(example, strings))
        preds = tasks.predictions(outputs, dataset.target)
        meta = {
            "schema": dataset.schema.to_dict(),
            "target": dataset.target.to_dict(),
            "task": exp.task.type,
            "metric": exp.task.metric,
            "params": dict(best.params),
            "example_predictions": preds.tolist(),
        }
        if served is not None:
            meta["ensemble"] = served.described
        model_uri = tracker.log_model(run_id, model_path, meta, example)
        if exp.tracking.register:  # the model, its declaration and scores in the registry
            scores = {"best_score": best.value, **{f"test.{k}": v for k, v in test_scores.items()}}
            tracking.register(tracker, run_id, exp.tracking.register, exp.task.type, scores)
        summary["best_score"] = float(best.value) if best.value is not None else math.nan
        summary["best_trial"] = best.number
        summary.update({f"test.{k}": v for k, v in test_scores.items()})
    board = tracker.leaderboard(exp.experiment_name, run_id)
    tracker.log_plots(run_id, board, exp.objectives)
    tracker.end_search(run_id, "FINISHED", summary, board)
    if best is None:
        reasons = [r.attrs.get("reason") for r in records if r.attrs.get("reason")]
        first = f"; first failure: {reasons[0]}" if reasons else ""
        if exp.search.refit:
            raise SpecError(
                f"search.refit retrains the chosen model, but no trial of search "
                f"'{exp.name}' completed ({len(records)} trials){first}",
                path="search.refit",
            )
        raise ArchsmithError(
            f"no trial of search '{exp.name}' completed ({len(records)} trials){first}"
        )
    return SearchResult(
        experiment=exp,
        space=trials.space,
        dataset=dataset,
        run_id=run_id,
        search_id=engine.search_id,
        tracking_uri=getattr(tracker, "tracking_uri", ""),
        trials=tuple(records),
        best=best,
        model_path=model_path,
        model_uri=model_uri,
        test_scores=test_scores,
        leaderboard=board,
        wall_seconds=time.perf_counter() - wall,
        new_trials=tuple(new),
        ensemble=dict(served.weights) if served is not None else {},
    )
