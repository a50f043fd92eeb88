"""Nested choices and sequences, repeated cells, and the build check before trial 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archsmith.builders import CATALOG
from archsmith.engines import ENGINES
from archsmith.engines import TrialState
from archsmith.engines import make_engine
from archsmith.exceptions import SpecError
from archsmith.search_space import Choice
from archsmith.search_space import Condition
from archsmith.search_space import Int
from archsmith.search_space import SearchSpace
from archsmith.search_space import branch_probes
from archsmith.search_space import load_space
from archsmith.search_space import parse_space
from archsmith.spec import parse_yaml
from conftest import mixed_frame

NESTED = """\
name: nested
model:
  - type: choice
    values:
      - dense_stack: {layers: 1, units: {type: int, low: 4, high: 16}}
      - - dense_stack: {layers: 1, units: 8}
        - residual_dense: {blocks: {type: int, low: 1, high: 2}}
      - type: choice
        values: [{residual_dense: {blocks: 1, units: 8}}, []]
  - repeat:
      times: {type: int, low: 1, high: 3}
      cell:
        type: choice
        values:
          - dense_stack:
              layers: 1
              units: {type: choice, values: [4, 8]}
              batch_norm: {type: bool}
              dropout: {type: float, low: 0.0, high: 0.3}
          - residual_dense: {blocks: 1, units: 8}
          - []
  - repeat:
      times: 2
      share: true
      cell: {dense_stack: {layers: 1, units: {type: int, low: 2, high: 6}}}
"""

CONV_TABLE = """\
name: conv_table
for: [tabular]
model:
  - type: choice
    values:
      - dense_stack: {units: {type: int, low: 8, high: 32}}
      - conv_stack: {}
"""


def space(text: str = NESTED) -> SearchSpace:
    return parse_space(parse_yaml(text, "nested.yaml"), CATALOG)


def block_options(s: SearchSpace) -> set[tuple[str, Any]]:
    return {(p.name, v) for p in s.block_choices() for v in p.domain.values}  # type: ignore[union-attr]


# -- the language (no Keras) -----------------------------------------------------------------
def test_nested_options_and_cells_are_named_by_their_dotted_paths() -> None:
    dropout = "dropout: {type: float, low: 0.0, high: 0.3"
    s = space(NESTED.replace(dropout, dropout + ", when: {batch_norm: true}"))
    assert s["model.0"].domain == Choice(("dense_stack", "sequence", "choice"), blocks=True)
    # an option that is a list: its items at .sequence.<j>; a nested choice at .choice
    assert s["model.0.sequence.1.residual_dense.blocks"].conditions == (
        Condition("model.0", ("sequence",)),
    )
    assert s["model.0.choice"].domain == Choice(("residual_dense", "identity"), blocks=True)
    assert s["model.0.choice"].conditions == (Condition("model.0", ("choice",)),)
    # one choice per repetition; repetition k exists when times > k
    assert s["model.1.repeat.times"].domain == Int(1, 3)
    for k, counts in enumerate([(1, 2, 3), (2, 3), (3,)]):
        cell = s[f"model.1.repeat.cell.{k}"]
        assert cell.conditions == (Condition("model.1.repeat.times", counts),)
        dropout = s[f"model.1.repeat.cell.{k}.dense_stack.dropout"]  # when: scoped to its cell
        assert dropout.conditions[-1] == Condition(
            f"model.1.repeat.cell.{k}.dense_stack.batch_norm", (True,)
        )
    assert "model.1.repeat.cell.3" not in s
    # a shared cell: one set of params at .repeat.cell, used by every repetition
    assert "model.2.repeat.cell.dense_stack.units" in s
    assert not any(n.startswith("model.2.repeat.cell.0") for n in s.names)


def test_resolve_splices_sequences_and_repetitions_into_one_model_list() -> None:
    s = space()
    params = {
        "model.0": "sequence",
        "model.0.sequence.1.residual_dense.blocks": 2,
        "model.1.repeat.times": 2,
        "model.1.repeat.cell.0": "identity",
        "model.1.repeat.cell.1": "dense_stack",
        "model.1.repeat.cell.1.dense_stack.units": 4,
        "model.1.repeat.cell.1.dense_stack.batch_norm": False,
        "model.1.repeat.cell.1.dense_stack.dropout": 0.1,
        "model.2.repeat.cell.dense_stack.units": 3,
    }
    model = s.resolve(params)["model"]
    assert [next(iter(b)) for b in model] == [
        "dense_stack",
        "residual_dense",
        "dense_stack",
        "dense_stack",
        "dense_stack",
    ]
    assert model[1]["residual_dense"]["blocks"] == 2
    assert model[2]["dense_stack"]["units"] == 4
    assert model[3] == model[4] and model[3]["dense_stack"]["units"] == 3
    assert [path for path, _ in s.layout(params)] == [
        "model.0.sequence.0.dense_stack",
        "model.0.sequence.1.residual_dense",
        "model.1.repeat.cell.1.dense_stack",
        "model.2.repeat.cell.dense_stack",
        "model.2.repeat.cell.dense_stack",
    ]
    with pytest.raises(SpecError, match=r"model.1.repeat.cell.2: given, but inactive"):
        s.check({**params, "model.1.repeat.cell.2": "identity"})


def test_a_problem_in_a_repeated_cell_is_reported_once_at_the_cell() -> None:
    text = NESTED.replace("units: {type: choice, values: [4, 8]}", "unitz: 4")
    with pytest.raises(SpecError) as err:
        space(text)
    assert [i.path for i in err.value.issues] == ["model.1.repeat.cell.dense_stack.unitz"]
    assert err.value.line == 12  # the cell's line: options are named by label, not index


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("repeat: {times: 0, cell: []}", r"model.0.repeat.times: got 0; expected an integer"),
        ("repeat: {times: 2}", r"model.0.repeat: expected \{times"),
        ("repeat: {times: 2, cell: [], shared: true}", r"did you mean 'share'"),
        ("repeat: {times: 2, cell: [], share: 1}", r"model.0.repeat.share: got 1"),
        ("repeat: {times: 2, cell: {dense_stak: {}}}", r"did you mean 'dense_stack'"),
    ],
)
def test_a_malformed_repeat_is_a_spec_error(snippet: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        space(f"name: r\nmodel:\n  - {snippet}\n")


def test_without_drops_an_option_and_the_params_only_it_activates() -> None:
    s = space().without("model.0", "sequence")
    assert s["model.0"].domain == Choice(("dense_stack", "choice"), blocks=True)
    assert not any(n.startswith("model.0.sequence") for n in s.names)
    cell = s.without("model.1.repeat.cell.1", "dense_stack")
    assert "model.1.repeat.cell.1.dense_stack.units" not in cell
    assert "model.1.repeat.cell.0.dense_stack.units" in cell
    with pytest.raises(ValueError, match="only option"):
        s.without("model.0", "dense_stack").without("model.0", "choice")


def test_branch_probes_reach_every_option_at_both_ends() -> None:
    s = space()
    probes = branch_probes(s)
    reached = {
        e: {(n, v) for x, p in probes if x == e for n, v in p.items()} for e in ("low", "high")
    }
    assert block_options(s) <= reached["high"]
    # with times at its low end (1) only the first cell exists
    cells = ("dense_stack", "residual_dense", "identity")
    missing = {(f"model.1.repeat.cell.{k}", v) for k in (1, 2) for v in cells}
    assert block_options(s) - reached["low"] == missing
    high = [p for e, p in probes if e == "high"]
    assert all(p["model.1.repeat.times"] == 3 for p in high)
    assert {p["model.1.repeat.cell.2"] for p in high} == {
        "dense_stack",
        "residual_dense",
        "identity",
    }
    assert len(probes) <= 8


def test_the_seeded_random_engine_samples_every_branch() -> None:
    s = space()
    engine = make_engine("random", s, name="n", direction="maximize", seed=0)
    seen = set()
    for i in range(60):
        trial = engine.ask()
        assert s.check(trial.params) == trial.params
        seen |= {(n, v) for n, v in trial.params.items()}
        engine.tell(trial, TrialState.COMPLETE, float(i))
    assert block_options(s) <= seen
    assert {("model.1.repeat.times", t) for t in (1, 2, 3)} <= seen


def test_param_names_are_identical_across_engines(tmp_path: Path) -> None:
    s = space()
    point = {
        "model.0": "choice",
        "model.0.choice": "residual_dense",
        "model.1.repeat.times": 2,
        "model.1.repeat.cell.0": "dense_stack",
        "model.1.repeat.cell.0.dense_stack.units": 8,
        "model.1.repeat.cell.0.dense_stack.batch_norm": True,
        "model.1.repeat.cell.0.dense_stack.dropout": 0.25,
        "model.1.repeat.cell.1": "identity",
        "model.2.repeat.cell.dense_stack.units": 5,
    }
    for kind in ENGINES:
        storage = {"optuna": str(tmp_path / "o.journal"), "kerastuner": str(tmp_path / "kt")}
        engine = make_engine(
            kind, s, name="n", direction="maximize", seed=0, storage=storage.get(kind)
        )
        engine.enqueue(point)
        assert engine.ask().params == point, kind


# -- building (Keras) ------------------------------------------------------------------------
def declaration(tmp: Path, space_file: Path, **search: Any) -> dict[str, Any]:
    return {
        "name": "nested",
        "task": {"type": "classification", "target": "y", "metric": "roc_auc"},
        "search": {"engine": "random", "space": [str(space_file)], "max_trials": 3, **search},
        "training": {"epochs": 1},
        "tracking": {"uri": str(tmp / "mlruns")},
    }


def test_every_sampled_branch_builds_and_the_best_model_is_rebuilt_from_its_params(
    tmp_path: Path,
) -> None:
    from archsmith import builders
    from archsmith.datasets import load_dataset
    from archsmith.runner import run_search
    from archsmith.spec import load_experiment

    file = tmp_path / "nested.yaml"
    file.write_text(NESTED)
    exp = load_experiment(declaration(tmp_path, file))
    data = load_dataset(mixed_frame(), None, task=exp.task, data=exp.data)
    s = load_space(str(file), CATALOG)
    engine = make_engine("random", s, name="n", direction="maximize", seed=0)
    for _ in range(12):  # every option is sampled within the first 12 (seed 0)
        params = engine.ask().params
        builders.build_model(s.resolve(params), data.schema, data.target)
    result = run_search(declaration(tmp_path, file), mixed_frame())
    assert result.best is not None
    trained = next(t for t in result.new_trials if t.number == result.best.number)
    rebuilt = builders.build_model(
        result.space.resolve(result.best.params), data.schema, data.target
    )
    assert builders.count_params(rebuilt) == trained.params_count


def test_the_build_check_stops_a_tabular_space_with_a_conv_stack_before_any_trial(
    tmp_path: Path,
) -> None:
    from archsmith.runner import run_search

    file = tmp_path / "conv_table.yaml"
    file.write_text(CONV_TABLE)
    with pytest.raises(
        SpecError, match=r"model\.0\.conv_stack: cannot be built .*conv_stack takes images"
    ):
        run_search(declaration(tmp_path, file), mixed_frame())
    assert not (tmp_path / "mlruns").exists()  # no tracking run, no trial
    with pytest.warns(UserWarning, match=r"dropped option 'conv_stack' of model.0"):
        result = run_search(declaration(tmp_path, file, build_check="prune"), mixed_frame())
    assert {t.params["model.0"] for t in result.trials} == {"dense_stack"}
    assert all(t.state is TrialState.COMPLETE for t in result.trials)
