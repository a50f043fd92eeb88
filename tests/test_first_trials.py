"""``first_trials:`` in a space file: known-good points checked when read, evaluated first."""

from __future__ import annotations

from pathlib import Path

import pytest

from archsmith.builders import CATALOG
from archsmith.exceptions import SpecError
from archsmith.runner import run_search
from archsmith.runner._warm import warm_start_points
from archsmith.search_space import load_space
from archsmith.spec import load_experiment
from conftest import mixed_frame

SIZES = (Path(__file__).parent / "spaces" / "sizes.yaml").read_text()
KEY_LINE = SIZES.count("\n") + 1  # the line of ``first_trials:`` appended to it


def space_file(tmp: Path, name: str, first: str) -> Path:
    path = tmp / f"{name}.yaml"
    path.write_text(SIZES.replace("name: sizes", f"name: {name}") + first)
    return path


FIRST = """first_trials:
  - {model.0.dense_stack.units: 16, optimizer.learning_rate: 0.02}
  - {model.0.dense_stack.units: 2, optimizer.learning_rate: 0.02}
"""


def test_a_space_files_first_trials_are_checked_points() -> None:
    assert (
        load_space(str(Path(__file__).parent / "spaces" / "sizes.yaml"), CATALOG).first_trials == ()
    )


def test_first_trials_of_several_spaces_are_interleaved_and_named_by_the_choice(
    tmp_path: Path,
) -> None:
    a = space_file(tmp_path, "a", FIRST)
    b = space_file(
        tmp_path, "b", FIRST.replace("16", "64").split("  - {model.0.dense_stack.units: 2")[0]
    )
    space = load_space([str(a), str(b)], CATALOG)
    assert [
        (p["family"], p[f"{p['family']}.model.0.dense_stack.units"]) for p in space.first_trials
    ] == [
        ("a", 16),
        ("b", 64),
        ("a", 2),
    ]


@pytest.mark.parametrize(
    ("first", "line", "says"),
    [
        (
            "first_trials:\n  - {model.0.dense_stack.units: 3, optimizer.learning_rate: 0.02}\n",
            1,
            "outside its domain",
        ),
        (
            "first_trials:\n  - {model.0.dense_stack.units: 2}\n",
            1,
            "no value for this active param",
        ),
        (
            "first_trials:\n  - {nope: 1, model.0.dense_stack.units: 2, "
            "optimizer.learning_rate: 0.02}\n",
            1,
            "unknown param",
        ),
        ("first_trials: 5\n", 0, "expected a list of points"),
        ("first_trials:\n  - 5\n", 1, "expected a mapping"),
    ],
)
def test_a_wrong_first_trial_is_a_declaration_error_at_its_line(
    tmp_path: Path, first: str, line: int, says: str
) -> None:
    path = space_file(tmp_path, "bad", first)
    with pytest.raises(SpecError) as err:
        load_space(str(path), CATALOG)
    issue = err.value.issues[0]
    assert (issue.file, issue.line) == (str(path), KEY_LINE + line)
    assert issue.path.startswith("first_trials")
    assert says in issue.message


def declaration(tmp: Path, space: Path, **search: object) -> dict[str, object]:
    return {
        "name": "first",
        "task": {"type": "classification", "target": "y", "metric": "accuracy"},
        "search": {"max_trials": 2, "space": str(space), "seed": 3, **search},
        "training": {"epochs": 1, "early_stopping": None},
        "tracking": {"uri": str(tmp / "mlruns")},
    }


def test_a_search_evaluates_the_first_trials_before_sampling(tmp_path: Path) -> None:
    result = run_search(
        declaration(tmp_path, space_file(tmp_path, "sized", FIRST)), mixed_frame(80)
    )
    assert [r.params["model.0.dense_stack.units"] for r in result.trials] == [16, 2]


def test_first_trials_false_or_a_warm_start_replaces_them(tmp_path: Path) -> None:
    path = space_file(tmp_path, "sized", FIRST)
    space = load_space(str(path), CATALOG)
    off = load_experiment(declaration(tmp_path, path, first_trials=False))
    assert warm_start_points(off, space, tracker=None) == []  # type: ignore[arg-type]
    given = {"model.0.dense_stack.units": 8, "optimizer.learning_rate": 0.02}
    warm = load_experiment(declaration(tmp_path, path, warm_start=[given]))
    assert warm_start_points(warm, space, tracker=None) == [given]  # type: ignore[arg-type]
    on = load_experiment(declaration(tmp_path, path))
    assert [p["model.0.dense_stack.units"] for p in warm_start_points(on, space, None)] == [16, 2]  # type: ignore[arg-type]
