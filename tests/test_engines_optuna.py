"""The Optuna engine on a sqlite storage: sampling, states, metadata, resume."""

from __future__ import annotations

import types
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from archsmith.builders import CATALOG
from archsmith.engines import TrialState
from archsmith.engines import make_engine
from archsmith.engines._optuna import OptunaEngine
from archsmith.exceptions import SpecError
from archsmith.search_space import SearchSpace
from archsmith.search_space import load_space


@pytest.fixture(scope="module")
def mlp() -> SearchSpace:
    return load_space("mlp", CATALOG)


def storage(tmp_path: Path, name: str = "o.db") -> str:
    return f"sqlite:///{tmp_path}/{name}"


def optuna_engine(
    space: SearchSpace, url: str, *, name: str = "s", seed: int | None = 0, **kwargs: Any
) -> OptunaEngine:
    engine = make_engine(
        "optuna", space, name=name, direction="minimize", seed=seed, storage=url, **kwargs
    )
    assert isinstance(engine, OptunaEngine)
    return engine


def active_names(space: SearchSpace, params: Mapping[str, Any]) -> set[str]:
    return {p.name for p in space.params if p.is_active(params)}


def test_default_algorithm_is_tpe(mlp: SearchSpace, tmp_path: Path) -> None:
    engine = optuna_engine(mlp, storage(tmp_path))
    assert engine.algorithm == "tpe"
    assert engine.search_id.startswith("s/")


def test_unknown_algorithm(mlp: SearchSpace, tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="expected one of: tpe, random, cmaes, gp, grid, nsga2"):
        optuna_engine(mlp, storage(tmp_path), algorithm="bayesian")


@pytest.mark.parametrize("algorithm", ["tpe", "random"])
def test_ask_gives_active_in_domain_params(
    mlp: SearchSpace, tmp_path: Path, algorithm: str
) -> None:
    engine = optuna_engine(mlp, storage(tmp_path), algorithm=algorithm)
    for i in range(15):
        trial = engine.ask()
        params = trial.params
        assert set(params) == active_names(mlp, params)
        for name, value in params.items():
            assert mlp[name].domain.contains(value), (name, value)
        assert mlp.check(params) == params
        engine.tell(trial, TrialState.COMPLETE, float(i))
    # what the storage holds is what ask handed out
    stored = engine.trials()
    assert len(stored) == 15
    assert all(set(r.params) == active_names(mlp, r.params) for r in stored)


def test_same_seed_same_first_params(mlp: SearchSpace, tmp_path: Path) -> None:
    a = optuna_engine(mlp, storage(tmp_path, "a.db"), seed=5).ask().params
    b = optuna_engine(mlp, storage(tmp_path, "b.db"), seed=5).ask().params
    c = optuna_engine(mlp, storage(tmp_path, "c.db"), seed=6).ask().params
    assert a == b
    assert a != c


def test_tell_maps_states(mlp: SearchSpace, tmp_path: Path) -> None:
    engine = optuna_engine(mlp, storage(tmp_path))
    trials = [engine.ask() for _ in range(4)]
    engine.tell(trials[0], TrialState.COMPLETE, 0.5, {"epochs": 4})
    engine.tell(trials[1], TrialState.FAILED, attrs={"error": "boom"})
    engine.tell(trials[2], TrialState.PRUNED)
    records = engine.trials()
    assert [r.number for r in records] == [0, 1, 2, 3]
    assert [r.state for r in records] == [
        TrialState.COMPLETE,
        TrialState.FAILED,
        TrialState.PRUNED,
        TrialState.RUNNING,
    ]
    assert records[0].value == 0.5
    assert records[0].attrs == {"epochs": 4}
    assert records[1].value is None
    assert records[1].attrs == {"error": "boom"}
    assert [r.params for r in records] == [t.params for t in trials]


def test_metadata_round_trip(mlp: SearchSpace, tmp_path: Path) -> None:
    engine = optuna_engine(mlp, storage(tmp_path))
    assert engine.get_metadata() == {}
    engine.set_metadata("run_id", "abc123")
    engine.set_metadata("space", {"name": "mlp", "trials": 3})
    assert engine.get_metadata() == {"run_id": "abc123", "space": {"name": "mlp", "trials": 3}}


def test_resume_continues_the_same_study(mlp: SearchSpace, tmp_path: Path) -> None:
    url = storage(tmp_path)
    first = optuna_engine(mlp, url)
    done = first.ask()
    first.tell(done, TrialState.COMPLETE, 1.5)
    left_running = first.ask()
    first.set_metadata("run_id", "r1")

    resumed = optuna_engine(mlp, url, resume=True)
    assert resumed.search_id == first.search_id
    assert resumed.get_metadata() == {"run_id": "r1"}
    records = resumed.trials()
    assert [(r.number, r.state) for r in records] == [
        (0, TrialState.COMPLETE),
        (1, TrialState.RUNNING),
    ]
    assert records[0].params == done.params
    assert records[0].value == 1.5

    resumed.fail_stale(left_running.number, "process died")
    stale = resumed.trials()[1]
    assert stale.state is TrialState.FAILED
    assert stale.attrs["reason"] == "process died"
    assert stale.params == left_running.params

    nxt = resumed.ask()
    assert nxt.number == 2
    resumed.tell(nxt, TrialState.COMPLETE, 0.5)
    assert [r.state for r in first.trials()] == [
        TrialState.COMPLETE,
        TrialState.FAILED,
        TrialState.COMPLETE,
    ]


def test_resume_ignores_other_search_names(mlp: SearchSpace, tmp_path: Path) -> None:
    url = storage(tmp_path)
    mine = optuna_engine(mlp, url, name="mine")
    optuna_engine(mlp, url, name="mine2")
    assert optuna_engine(mlp, url, name="mine", resume=True).search_id == mine.search_id


def test_resume_without_earlier_search(mlp: SearchSpace, tmp_path: Path) -> None:
    url = storage(tmp_path)
    optuna_engine(mlp, url, name="other")
    with pytest.raises(SpecError) as info:
        optuna_engine(mlp, url, name="s", resume=True)
    assert info.value.path == "search.storage"
    assert "no earlier search named 's' to resume" in str(info.value)


def test_resume_picks_the_latest_search_within_one_second(
    mlp: SearchSpace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archsmith.engines._optuna as module

    class FrozenClock:
        @staticmethod
        def now() -> datetime:
            return datetime(2030, 1, 2, 3, 4, 5)

    suffixes = iter(["f" * 32, "0" * 32])
    monkeypatch.setattr(module, "datetime", FrozenClock)
    monkeypatch.setattr(
        module,
        "uuid",
        types.SimpleNamespace(uuid4=lambda: types.SimpleNamespace(hex=next(suffixes))),
    )
    url = storage(tmp_path)
    optuna_engine(mlp, url)
    latest = optuna_engine(mlp, url)
    assert optuna_engine(mlp, url, resume=True).search_id == latest.search_id


def test_resumed_search_does_not_replay_the_first_candidates(
    mlp: SearchSpace, tmp_path: Path
) -> None:
    url = storage(tmp_path)
    first = optuna_engine(mlp, url)
    original = []
    for _ in range(2):
        trial = first.ask()
        original.append(dict(trial.params))
        first.tell(trial, TrialState.COMPLETE, 1.0)
    resumed = optuna_engine(mlp, url, resume=True)
    assert dict(resumed.ask().params) not in original
