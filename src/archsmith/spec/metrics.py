"""The metric table: every task's metrics, in order, with their directions.

:data:`METRICS` is the only source of metric names, defaults and directions: the
declaration's ``task.metric`` choices and default, the check of ``search.objectives`` and
the scores the task plug-ins compute (``archsmith.tasks``) all read it. A task's first
metric is its default. Adding a task adds one row.

Example:
    >>> from archsmith.spec.metrics import default_metric, direction
    >>> default_metric("regression"), direction("regression", "r2")
    ('rmse', 'max')
"""

from __future__ import annotations

from typing import Literal

Direction = Literal["max", "min"]

#: ``{task type: {metric: direction}}``; the first metric of a task is its default.
METRICS: dict[str, dict[str, Direction]] = {
    "classification": {
        "accuracy": "max",
        "balanced_accuracy": "max",
        "roc_auc": "max",
        "log_loss": "min",
        "f1_macro": "max",
    },
    "regression": {"rmse": "min", "mae": "min", "r2": "max"},
    "multilabel": {
        "f1_micro": "max",
        "f1_macro": "max",
        "subset_accuracy": "max",
        "hamming_accuracy": "max",
        "roc_auc": "max",
    },
    "forecasting": {"mase": "min", "mae": "min", "rmse": "min"},
    "anomaly_detection": {
        "roc_auc": "max",
        "average_precision": "max",
        "reconstruction_error": "min",
    },
    "clustering": {"quantisation_error": "min", "topographic_error": "min", "purity": "max"},
    "generation": {"mmd": "min"},
    "similarity": {"verification_accuracy": "max", "roc_auc": "max"},
}

#: Objectives measured on the built model rather than on the validation split; minimised.
COST_OBJECTIVES = ("params", "latency_ms")


def _row(task_type: str) -> dict[str, Direction]:
    try:
        return METRICS[task_type]
    except KeyError:
        raise ValueError(
            f"unknown task type {task_type!r}; expected one of: {', '.join(METRICS)}"
        ) from None


def metric_names(task_type: str) -> tuple[str, ...]:
    """The metrics of a task type, its default first."""
    return tuple(_row(task_type))


def default_metric(task_type: str) -> str:
    """The metric a task optimises when the declaration names none."""
    return next(iter(_row(task_type)))


def direction(task_type: str, metric: str) -> Direction:
    """Whether ``metric`` is maximised or minimised (costs such as ``params`` are minimised).

    Raises:
        ValueError: ``metric`` is neither a metric of the task nor a cost.
    """
    row = _row(task_type)
    if metric in row:
        return row[metric]
    if metric in COST_OBJECTIVES:
        return "min"
    raise ValueError(
        f"{metric!r} is not a metric of a {task_type} task; expected one of: "
        f"{', '.join((*row, *COST_OBJECTIVES))}"
    )
