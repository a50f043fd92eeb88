"""Engine conformance suite: every engine (random reference, optuna, kerastuner) must pass.

The first part drives engines directly through ask/tell on a space holding every param
type (no training; the KerasTuner engine imports Keras because keras_tuner does). The
second part runs a real search per engine and checks what lands in MLflow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from mlflow.tracking import MlflowClient

from archsmith.builders import CATALOG
from archsmith.engines import ENGINES
from archsmith.engines import Engine
from archsmith.engines import TrialState
from archsmith.engines import make_engine
from archsmith.exceptions import SpecError
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Condition
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import Param
from archsmith.search_space import SearchSpace
from archsmith.search_space import load_space
from conftest import mixed_frame

SPACES = Path(__file__).parent / "spaces"


def every_type() -> SearchSpace:
    """One param of each type and option, with conditions on a choice and on a bool."""
    params = (
        Param("int", Int(-3, 3)),
        Param("int_step", Int(2, 12, step=5)),
        Param("int_log", Int(1, 1000, log=True)),
        Param("float", Float(-1.0, 2.0)),
        Param("float_step", Float(0.0, 1.0, step=0.25)),
        Param("float_log", Float(1e-5, 1e-1, log=True)),
        Param("word", Choice(("relu", "gelu", "tanh"))),
        Param("number", Choice((16, 32, 64))),
        Param("mixed", Choice(("a", 2, 3.5, None))),
        Param("flag", Bool()),
        Param("when_gelu", Float(0.0, 1.0), (Condition("word", ("gelu",)),)),
        Param("when_flag", Int(1, 4), (Condition("flag", (True,)),)),
        Param(
            "when_both",
            Choice(("x", "y")),
            (Condition("flag", (True,)), Condition("word", ("relu", "tanh"))),
        ),
    )
    return SearchSpace("every_type", params, {}, {}, ("tabular",), {})


def engine(
    kind: str, space: SearchSpace, tmp: Path, *, seed: int | None = 0, **kwargs: Any
) -> Engine:
    tmp.mkdir(parents=True, exist_ok=True)
    storage = {"optuna": str(tmp / "optuna.journal"), "kerastuner": str(tmp / "kt")}.get(kind)
    return make_engine(
        kind, space, name="s", direction="maximize", seed=seed, storage=storage, **kwargs
    )


def active(space: SearchSpace, params: Mapping[str, Any]) -> set[str]:
    return {p.name for p in space.params if p.is_active(params)}


@pytest.fixture(params=ENGINES)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_suite_covers_every_engine() -> None:
    assert set(ENGINES) == {"random", "optuna", "kerastuner"}


def test_every_param_type_is_sampled_inside_its_domain(kind: str, tmp_path: Path) -> None:
    space = every_type()
    eng = engine(kind, space, tmp_path)
    seen: dict[str, set[str]] = {p.name: set() for p in space.params}
    for i in range(40):
        trial = eng.ask()
        params = trial.params
        for name, value in params.items():
            assert space[name].domain.contains(value), (kind, name, value)
            seen[name].add(repr(value))
        # inactive conditional params are absent, active ones present
        assert set(params) == active(space, params), (kind, params)
        assert space.check(params) == params
        eng.tell(trial, TrialState.COMPLETE, float(i % 7))
    assert seen["flag"] == {"True", "False"}
    assert seen["word"] == {"'relu'", "'gelu'", "'tanh'"}
    assert seen["mixed"] <= {"'a'", "2", "3.5", "None"} and len(seen["mixed"]) >= 3
    assert seen["when_gelu"] and seen["when_flag"] and seen["when_both"]
    assert seen["int_step"] <= {"2", "7", "12"}
    assert seen["float_step"] <= {"0.0", "0.25", "0.5", "0.75", "1.0"}


def test_a_block_choice_activates_only_the_chosen_blocks_params(kind: str, tmp_path: Path) -> None:
    space = load_space(str(SPACES / "blocks.yaml"), CATALOG)
    eng = engine(kind, space, tmp_path)
    blocks = set()
    for i in range(16):
        trial = eng.ask()
        params = trial.params
        assert set(params) == active(space, params)
        chosen = params["model.0"]
        blocks.add(chosen)
        other = "residual_dense" if chosen == "dense_stack" else "dense_stack"
        assert not any(n.startswith(f"model.0.{other}.") for n in params)
        assert ("optimizer.momentum" in params) == (params["optimizer.name"] == "sgd")
        assert list(space.resolve(params)["model"][0]) == [chosen]
        eng.tell(trial, TrialState.COMPLETE, float(i))
    assert blocks == {"dense_stack", "residual_dense"}


def test_nested_choices_and_repeated_cells_sample_every_branch(kind: str, tmp_path: Path) -> None:
    space = load_space(str(SPACES / "cells.yaml"), CATALOG)
    eng = engine(kind, space, tmp_path)
    seen: set[tuple[str, Any]] = set()
    for i in range(40):
        trial = eng.ask()
        params = trial.params
        # only the chosen branch's params and the sampled repetitions' params are present
        assert set(params) == active(space, params), (kind, params)
        assert space.check(params) == params
        times = params["model.1.repeat.times"]
        assert {n for n in params if n.startswith("model.1.repeat.cell.")} <= {
            n
            for n in space.names
            if any(n.startswith(f"model.1.repeat.cell.{k}") for k in range(times))
        }
        cells = [b for b, _ in space.layout(params) if b.startswith("model.1.")]
        assert len(cells) == sum(
            params[f"model.1.repeat.cell.{k}"] != "identity" for k in range(times)
        )
        shared = [b for b, _ in space.layout(params) if b.startswith("model.2.")]
        assert len(shared) == params["model.2.repeat.times"]
        seen |= set(params.items())
        eng.tell(trial, TrialState.COMPLETE, float(i % 5))
    options = {(p.name, v) for p in space.block_choices() for v in p.domain.values}  # type: ignore[union-attr]
    assert options <= seen, (kind, options - seen)
    assert {("model.1.repeat.times", t) for t in (1, 2, 3)} <= seen


def test_same_seed_gives_the_same_first_params(kind: str, tmp_path: Path) -> None:
    space = every_type()
    first = [engine(kind, space, tmp_path / f"a{i}", seed=7).ask().params for i in range(2)]
    other = engine(kind, space, tmp_path / "b", seed=8).ask().params
    assert first[0] == first[1]
    assert other != first[0]


def test_states_values_and_attributes_are_recorded(kind: str, tmp_path: Path) -> None:
    eng = engine(kind, every_type(), tmp_path)
    trials = [eng.ask() for _ in range(4)]
    assert [t.number for t in trials] == [0, 1, 2, 3]
    eng.tell(trials[0], TrialState.COMPLETE, 0.75, {"mlflow_run_id": "r0"})
    eng.tell(trials[1], TrialState.FAILED, attrs={"reason": "boom"})
    eng.tell(trials[2], TrialState.PRUNED, attrs={"reason": "pruned", "epochs": 2})
    records = eng.trials()
    assert [r.state for r in records] == [
        TrialState.COMPLETE,
        TrialState.FAILED,
        TrialState.PRUNED,
        TrialState.RUNNING,
    ]
    assert records[0].value == 0.75 and records[0].attrs["mlflow_run_id"] == "r0"
    assert records[1].value is None and records[1].attrs["reason"] == "boom"
    assert records[2].attrs["epochs"] == 2
    assert [r.params for r in records] == [t.params for t in trials]


def test_queued_points_come_first(kind: str, tmp_path: Path) -> None:
    space = every_type()
    eng = engine(kind, space, tmp_path)
    point = space.check(
        {
            "int": 0,
            "int_step": 7,
            "int_log": 10,
            "float": 0.5,
            "float_step": 0.25,
            "float_log": 0.001,
            "word": "gelu",
            "number": 32,
            "mixed": None,
            "flag": True,
            "when_gelu": 0.3,
            "when_flag": 2,
        }
    )
    eng.enqueue(point)
    assert eng.ask().params == point
    assert eng.ask().params != point


def test_resume_continues_the_search(kind: str, tmp_path: Path) -> None:
    space = every_type()
    if not engine(kind, space, tmp_path / "probe").capabilities.resume:
        with pytest.raises(SpecError, match="cannot resume"):
            engine(kind, space, tmp_path, resume=True)
        return
    first = engine(kind, space, tmp_path)
    first.set_metadata("mlflow_run_id", "parent")
    done = first.ask()
    first.tell(done, TrialState.COMPLETE, 0.5)
    left = first.ask()  # the process "dies" while this trial runs
    again = engine(kind, space, tmp_path, resume=True)
    assert again.search_id == first.search_id
    assert again.get_metadata()["mlflow_run_id"] == "parent"
    records = again.trials()
    assert [r.state for r in records] == [TrialState.COMPLETE, TrialState.RUNNING]
    assert records[0].params == done.params and records[0].value == 0.5
    again.fail_stale(left.number, "interrupted")
    assert again.trials()[1].state is TrialState.FAILED
    assert again.trials()[1].attrs["reason"] == "interrupted"
    trial = again.ask()
    assert trial.number == 2
    again.tell(trial, TrialState.COMPLETE, 0.25)
    states = [r.state for r in again.trials()]
    assert states == [TrialState.COMPLETE, TrialState.FAILED, TrialState.COMPLETE]


# -- a real search per engine ------------------------------------------------------------------


def declaration(tmp: Path, engine_kind: str, **search: Any) -> dict[str, Any]:
    return {
        "name": "conf",
        "task": {"type": "classification", "target": "y", "metric": "accuracy"},
        "search": {
            "engine": engine_kind,
            "space": str(SPACES / "blocks.yaml"),
            "max_trials": 3,
            **search,
        },
        "training": {"epochs": 2, "early_stopping": None},
        "tracking": {"uri": str(tmp / "mlruns")},
    }


def children(tmp: Path, run_id: str) -> list[Any]:
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp / 'mlruns' / 'mlflow.db'}")
    exp = client.get_experiment_by_name("conf")
    return list(
        client.search_runs(
            [exp.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{run_id}'"
        )
    )


def test_a_search_records_every_trial_in_mlflow_and_survives_a_failure(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archsmith import builders
    from archsmith.runner import run_search

    real = builders.build_model
    calls = {"n": 0}

    def first_fails(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("injected build failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(builders, "build_model", first_fails)
    result = run_search(declaration(tmp_path, kind), mixed_frame(120))
    assert [r.state for r in result.trials] == [TrialState.FAILED] + [TrialState.COMPLETE] * 2
    assert "injected build failure" in result.trials[0].attrs["reason"]
    space = result.space
    runs = children(tmp_path, result.run_id)
    assert len(runs) == 3
    by_trial = {int(r.data.tags["archsmith.trial"]): r for r in runs}
    for record in result.trials:
        run = by_trial[record.number]
        assert run.data.tags["archsmith.state"] == record.state.value
        assert record.attrs["mlflow_run_id"] == run.info.run_id
        logged = dict(run.data.params)
        assert logged.pop("family") == "blocks"
        # the dotted names of the space, active params only, on every engine
        assert set(logged) == set(record.params) == active(space, record.params)
        params = record.params
        as_logged = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        assert as_logged == logged
    assert result.leaderboard["state"].tolist().count("COMPLETE") == 2
    # the parent run's plots come from the leaderboard: the same for every engine
    client = MlflowClient(tracking_uri=result.tracking_uri)
    plots = {Path(a.path).name for a in client.list_artifacts(result.run_id, "plots")}
    assert plots == {"history.png", "importances.png"}
