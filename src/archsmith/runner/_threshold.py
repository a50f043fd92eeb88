"""``task.threshold: tune``: the binary decision threshold chosen on the validation split
for the declared metric, kept in the served model's target (its metadata) and logged."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from archsmith import tasks
from archsmith import training
from archsmith.datasets import Dataset
from archsmith.spec import Experiment


def with_threshold(
    exp: Experiment, dataset: Dataset, model: Any, strings: bool
) -> tuple[Dataset, dict[str, float]]:
    """``dataset`` with its target's decision threshold tuned on validation (when the task
    asks for it and has one), and the metrics to log: ``decision_threshold`` and
    ``threshold.val.<metric>`` (the validation score at that threshold)."""
    if getattr(exp.task, "threshold", None) != "tune":
        return dataset, {}
    val = dataset.validation
    out = training.outputs(model, dataset.schema.raw_inputs(val.frame, strings))
    metric = exp.task.metric
    threshold = tasks.tuned_threshold(metric, val.y, out, dataset.target)
    if threshold is None:
        return dataset, {}
    tuned = replace(dataset, target=replace(dataset.target, threshold=threshold))
    score = tasks.score(metric, val.y, out, tuned.target)
    return tuned, {"decision_threshold": threshold, f"threshold.val.{metric}": score}
