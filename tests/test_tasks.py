"""The task plug-ins: the registry covers every target kind and every row of the metric
table, and ``import archsmith.tasks`` stays free of Keras."""

from __future__ import annotations

import subprocess
import sys
from typing import get_args
from typing import get_type_hints

import numpy as np
import pytest

from archsmith import tasks
from archsmith.datasets import Target
from archsmith.spec import METRICS


def test_every_target_kind_has_a_plug_in() -> None:
    kinds = get_args(get_type_hints(Target)["kind"])
    assert kinds
    for kind in kinds:
        assert kind in tasks.for_target(Target("y", kind)).target_kinds
    covered = {kind for task in tasks.REGISTRY for kind in task.target_kinds}
    assert len(covered) == sum(len(task.target_kinds) for task in tasks.REGISTRY)  # no overlap


def test_every_task_type_has_a_plug_in_whose_metrics_are_the_table_s() -> None:
    assert {task.task_type for task in tasks.REGISTRY} == set(METRICS)
    for task_type, row in METRICS.items():
        assert tasks.for_type(task_type).metrics == row


def test_unknown_kind_and_type_are_named() -> None:
    with pytest.raises(ValueError, match="no task serves targets of kind 'nope'"):
        tasks.for_target(Target("y", "nope"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown task type 'nope'"):
        tasks.for_type("nope")


def test_scores_of_a_binary_target() -> None:
    target = Target("y", "binary", classes=("no", "yes"))
    outputs = np.array([[0.1], [0.8], [0.6], [0.3]])
    y = np.array([0, 1, 0, 0])
    scores = tasks.all_scores(y, outputs, target)
    assert list(scores) == list(METRICS["classification"])  # table order
    assert scores["accuracy"] == 0.75
    assert tasks.predictions(outputs, target).tolist() == ["no", "yes", "yes", "no"]
    assert tasks.probabilities(outputs, target).shape == (4, 2)
    with pytest.raises(ValueError, match="does not apply to classification"):
        tasks.score("rmse", y, outputs, target)


def test_importing_tasks_does_not_import_keras() -> None:
    code = "import sys, archsmith.tasks; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
