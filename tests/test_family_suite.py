"""The family suite (``archsmith.testing.families``) over every shipped space: one seeded
candidate builds, trains one epoch, exports and reloads in safe mode with the same
predictions."""

from __future__ import annotations

from pathlib import Path

import pytest

from archsmith.testing.families import check_space
from archsmith.testing.families import shipped_space_names
from archsmith.testing.families import space_case


@pytest.mark.slow
@pytest.mark.parametrize("space", shipped_space_names())
def test_shipped_space_builds_trains_exports_and_reloads(space: str, tmp_path: Path) -> None:
    if space_case(space).kind == "text":
        pytest.importorskip("tensorflow")  # texts are string tensors (TensorFlow only)
    scores = check_space(space, tmp_path)
    assert scores


def test_every_shipped_space_has_a_family_task_and_data_kind() -> None:
    kinds = {"tabular", "image", "sequence", "text", "graph"}
    for space in shipped_space_names():
        case = space_case(space)
        assert case.kind in kinds, case
        assert case.task in {
            "classification",
            "anomaly_detection",
            "clustering",
            "forecasting",
            "generation",
            "similarity",
        }, case
