"""The reference RandomEngine and its sampler."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from archsmith.builders import CATALOG
from archsmith.engines import TrialState
from archsmith.engines import make_engine
from archsmith.engines._random import RandomEngine
from archsmith.engines._random import sample
from archsmith.exceptions import SpecError
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Domain
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import SearchSpace
from archsmith.search_space import load_space

DRAWS = 200


@pytest.fixture(scope="module")
def mlp() -> SearchSpace:
    return load_space("mlp", CATALOG)


def draws(domain: Domain, seed: int = 0) -> list[Any]:
    rng = np.random.default_rng(seed)
    return [sample(domain, rng) for _ in range(DRAWS)]


def active_names(space: SearchSpace, params: Mapping[str, Any]) -> set[str]:
    return {p.name for p in space.params if p.is_active(params)}


def random_engine(space: SearchSpace, seed: int | None = 0) -> RandomEngine:
    engine = make_engine("random", space, name="s", direction="minimize", seed=seed)
    assert isinstance(engine, RandomEngine)
    return engine


# -- sampler ----------------------------------------------------------------------------------


def test_int_with_step_stays_on_the_grid() -> None:
    domain = Int(2, 12, step=3)
    values = draws(domain)
    assert all(type(v) is int for v in values)
    assert set(values) == {2, 5, 8, 11}


def test_int_uniform_reaches_both_bounds() -> None:
    values = draws(Int(-3, 3))
    assert set(values) == set(range(-3, 4))


def test_int_log() -> None:
    domain = Int(1, 1000, log=True)
    values = draws(domain)
    assert all(type(v) is int and domain.contains(v) for v in values)
    # log-uniform: about half of the draws fall below sqrt(1000) ~ 32
    below = sum(v < 32 for v in values)
    assert 0.3 * DRAWS < below < 0.7 * DRAWS


def test_int_log_reaches_the_top() -> None:
    assert set(draws(Int(1, 3, log=True))) == {1, 2, 3}


def test_float_uniform() -> None:
    domain = Float(-1.0, 2.0)
    values = draws(domain)
    assert all(isinstance(v, float) and domain.contains(v) for v in values)
    assert min(values) < -0.5
    assert max(values) > 1.5


def test_float_log() -> None:
    domain = Float(1e-5, 1e-1, log=True)
    values = draws(domain)
    assert all(domain.contains(v) for v in values)
    # log-uniform: about half of the draws fall below the geometric mean 1e-3
    below = sum(v < 1e-3 for v in values)
    assert 0.3 * DRAWS < below < 0.7 * DRAWS


def test_float_step() -> None:
    domain = Float(0.0, 1.0, step=0.25)
    values = draws(domain)
    assert all(domain.contains(v) for v in values)
    assert set(values) == {0.0, 0.25, 0.5, 0.75, 1.0}


def test_float_step_reaches_the_top_of_an_inexact_grid() -> None:
    values = draws(Float(0.0, 0.3, step=0.1))
    assert any(math.isclose(v, 0.3) for v in values)


def test_float_step_values_are_on_the_grid() -> None:
    domain = Float(0.5, 2.0, step=0.5)
    for value in draws(domain):
        assert domain.contains(value)
        assert math.isclose((value - 0.5) / 0.5, round((value - 0.5) / 0.5))


def test_choice() -> None:
    domain = Choice(("a", 2, 3.5, None))
    values = draws(domain)
    assert all(domain.contains(v) for v in values)
    assert {repr(v) for v in values} == {"'a'", "2", "3.5", "None"}


def test_bool() -> None:
    values = draws(Bool())
    assert all(type(v) is bool for v in values)
    assert set(values) == {False, True}


def test_unknown_domain() -> None:
    with pytest.raises(TypeError, match="unknown domain"):
        sample("not a domain", np.random.default_rng(0))  # type: ignore[arg-type]


# -- engine -----------------------------------------------------------------------------------


def test_default_algorithm_is_random(mlp: SearchSpace) -> None:
    engine = random_engine(mlp)
    assert engine.algorithm == "random"
    assert engine.search_id.startswith("s/")


def test_ask_gives_active_params_only(mlp: SearchSpace) -> None:
    engine = random_engine(mlp)
    optimizers = set()
    for _ in range(60):
        params = engine.ask().params
        assert set(params) == active_names(mlp, params)
        assert mlp.check(params) == params
        optimizers.add(params["optimizer.name"])
        if params["optimizer.name"] == "adam":
            assert "optimizer.momentum" not in params
            assert "optimizer.nesterov" not in params
            assert "optimizer.weight_decay" not in params
        if params["optimizer.name"] == "sgd":
            assert "optimizer.momentum" in params
            assert "optimizer.nesterov" in params
    # the draws covered both sides of the conditions
    assert {"adam", "sgd"} <= optimizers


def test_ask_on_a_family_space() -> None:
    space = load_space(["mlp", "resnet_mlp"], CATALOG)
    engine = random_engine(space, seed=3)
    families = set()
    for _ in range(30):
        params = engine.ask().params
        assert set(params) == active_names(space, params)
        family = params["family"]
        families.add(family)
        other = "resnet_mlp" if family == "mlp" else "mlp"
        assert not any(name.startswith(f"{other}.") for name in params)
        assert space.resolve(params)["family"] == family
    assert families == {"mlp", "resnet_mlp"}


def test_same_seed_same_params(mlp: SearchSpace) -> None:
    first = [random_engine(mlp, seed=11).ask().params for _ in range(2)]
    assert first[0] == first[1]
    other = random_engine(mlp, seed=12).ask().params
    assert other != first[0]


def test_tell_and_trials_record_states(mlp: SearchSpace) -> None:
    engine = random_engine(mlp)
    trials = [engine.ask() for _ in range(4)]
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert [r.state for r in engine.trials()] == [TrialState.RUNNING] * 4
    engine.tell(trials[0], TrialState.COMPLETE, 0.25, {"epochs": 3})
    engine.tell(trials[1], TrialState.FAILED, attrs={"error": "boom"})
    engine.tell(trials[2], TrialState.PRUNED)
    records = engine.trials()
    assert [r.state for r in records] == [
        TrialState.COMPLETE,
        TrialState.FAILED,
        TrialState.PRUNED,
        TrialState.RUNNING,
    ]
    assert records[0].value == 0.25
    assert records[0].attrs == {"epochs": 3}
    assert records[1].attrs == {"error": "boom"}
    assert records[1].value is None
    assert [r.params for r in records] == [t.params for t in trials]
    assert not records[3].state.finished
    assert records[0].state.finished


def test_fail_stale_and_metadata(mlp: SearchSpace) -> None:
    engine = random_engine(mlp)
    trial = engine.ask()
    engine.fail_stale(trial.number, "process died")
    (record,) = engine.trials()
    assert record.state is TrialState.FAILED
    assert record.attrs == {"reason": "process died"}
    assert record.params == trial.params
    assert engine.get_metadata() == {}
    engine.set_metadata("run_id", "abc")
    meta = engine.get_metadata()
    assert meta == {"run_id": "abc"}
    meta["run_id"] = "changed"
    assert engine.get_metadata() == {"run_id": "abc"}


def test_random_engine_has_no_tpe(mlp: SearchSpace) -> None:
    with pytest.raises(SpecError) as info:
        make_engine("random", mlp, name="x", direction="maximize", algorithm="tpe")
    assert info.value.path == "search.algorithm"
    assert "engine 'random' has no algorithm 'tpe'; expected one of: random" in str(info.value)


def test_random_engine_cannot_resume(mlp: SearchSpace) -> None:
    with pytest.raises(SpecError) as info:
        make_engine("random", mlp, name="x", direction="maximize", resume=True)
    assert info.value.path == "search.engine"
    assert "cannot resume" in str(info.value)


def test_unknown_engine(mlp: SearchSpace) -> None:
    with pytest.raises(SpecError, match="unknown engine 'hyperopt'; expected one of: optuna"):
        make_engine("hyperopt", mlp, name="x", direction="maximize")
