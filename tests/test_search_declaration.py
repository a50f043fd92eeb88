"""Declaration errors for impossible engine / algorithm / pruner / objective combinations.

Every check runs without a backend: the declaration's own checks (``load_experiment``) and
the checks of a sampler against a space (``make_engine``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from archsmith.builders import CATALOG
from archsmith.engines import SearchExhausted
from archsmith.engines import TrialState
from archsmith.engines import make_engine
from archsmith.engines._optuna import OptunaEngine
from archsmith.exceptions import SpecError
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import Param
from archsmith.search_space import SearchSpace
from archsmith.search_space import load_space
from archsmith.spec import ENGINE_ALGORITHMS
from archsmith.spec import METRICS
from archsmith.spec import load_experiment

SPACES = Path(__file__).parent / "spaces"


def error(search: dict[str, Any], task: str = "classification", epochs: int = 5) -> SpecError:
    with pytest.raises(SpecError) as info:
        load_experiment(task={"type": task}, search=search, training={"epochs": epochs})
    return info.value


def test_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "task: {type: classification}\nsearch:\n  engine: kerastuner\n  pruner: median\n"
    )
    with pytest.raises(SpecError) as info:
        load_experiment(path)
    assert info.value.path == "search.pruner"
    assert info.value.line == 4
    assert str(info.value).startswith(f"{path}:4: search.pruner: pruner 'median' needs")


@pytest.mark.parametrize(
    ("engine", "algorithm"),
    [
        ("optuna", "bayesian"),
        ("optuna", "hyperband"),
        ("random", "tpe"),
        ("random", "nsga2"),
        ("kerastuner", "tpe"),
        ("kerastuner", "cmaes"),
        ("kerastuner", "grid"),
    ],
)
def test_an_algorithm_the_engine_lacks(engine: str, algorithm: str) -> None:
    err = error({"engine": engine, "algorithm": algorithm})
    assert err.path == "search.algorithm"
    valid = ", ".join(ENGINE_ALGORITHMS[engine])
    assert f"engine '{engine}' has no algorithm '{algorithm}'; expected one of: {valid}" in str(err)


def test_every_listed_algorithm_is_accepted() -> None:
    for engine, algorithms in ENGINE_ALGORITHMS.items():
        for algorithm in algorithms:
            exp = load_experiment(
                task={"type": "regression"}, search={"engine": engine, "algorithm": algorithm}
            )
            assert exp.search.algorithm == algorithm


def test_an_unknown_algorithm_or_pruner_lists_the_valid_ones() -> None:
    err = error({"algorithm": "anneal"})
    assert "expected one of: tpe, random, cmaes, gp, grid, nsga2, bayesian, hyperband" in str(err)
    err = error({"pruner": "asha"})
    assert err.path == "search.pruner"
    assert "expected one of: none, median, successive_halving, hyperband" in str(err)


@pytest.mark.parametrize("pruner", ["median", "successive_halving", "hyperband"])
def test_a_pruner_on_kerastuner_points_to_its_hyperband(pruner: str) -> None:
    err = error({"engine": "kerastuner", "pruner": pruner})
    assert err.path == "search.pruner"
    assert (
        f"pruner '{pruner}' needs engine: optuna, but the engine is 'kerastuner'; use "
        "algorithm: hyperband (KerasTuner's own multi-fidelity search), or pruner: none"
    ) in str(err)


def test_a_pruner_on_the_random_engine() -> None:
    err = error({"engine": "random", "pruner": "median"})
    assert "pruner 'median' needs engine: optuna, but the engine is 'random'; use " in str(err)


def test_a_pruner_that_would_never_get_a_second_value() -> None:
    err = error({"pruner": "median"}, epochs=1)
    assert err.path == "search.pruner"
    assert (
        "pruner 'median' compares the values reported after each epoch, but "
        "training.epochs is 1, so it would never act; set training.epochs >= 2 or pruner: none"
    ) in str(err)


def test_a_pruner_on_a_multi_objective_search() -> None:
    err = error(
        {"pruner": "hyperband", "objectives": [{"metric": "accuracy"}, {"metric": "params"}]}
    )
    assert err.path == "search.pruner"
    assert "pruner 'hyperband' cannot prune a multi-objective search" in str(err)


def test_kerastuner_hyperband_needs_epochs_to_spread() -> None:
    err = error({"engine": "kerastuner", "algorithm": "hyperband"}, epochs=1)
    assert err.path == "search.algorithm"
    assert "KerasTuner's hyperband spreads training.epochs over rounds" in str(err)


def test_several_objectives_on_kerastuner() -> None:
    err = error(
        {"engine": "kerastuner", "objectives": [{"metric": "accuracy"}, {"metric": "params"}]}
    )
    assert err.path == "search.objectives"
    assert "engine 'kerastuner' sums several objectives into one" in str(err)


@pytest.mark.parametrize("algorithm", ["cmaes", "gp"])
def test_several_objectives_with_a_single_objective_algorithm(algorithm: str) -> None:
    err = error(
        {"algorithm": algorithm, "objectives": [{"metric": "accuracy"}, {"metric": "params"}]}
    )
    assert err.path == "search.algorithm"
    assert (
        f"algorithm '{algorithm}' optimises a single objective, but 2 objectives are "
        "declared; expected one of: tpe, random, nsga2, grid"
    ) in str(err)


def test_an_objective_the_task_does_not_have() -> None:
    err = error({"objectives": [{"metric": "accuracy"}, {"metric": "rmse"}]})
    assert err.path == "search.objectives.1.metric"
    assert (
        "unknown objective 'rmse' for a classification task; expected one of: accuracy, "
        "balanced_accuracy, roc_auc, log_loss, f1_macro, params, latency_ms"
    ) in str(err)


@pytest.mark.parametrize("task", sorted(METRICS))
def test_objectives_of_every_task_come_from_the_metric_table(task: str) -> None:
    # a bug: this check knew only the classification, regression and similarity metrics,
    # so a multilabel, forecasting, anomaly or clustering task could not add an objective
    first, *others = METRICS[task]
    objectives = [{"metric": first}, *({"metric": m} for m in others), {"metric": "params"}]
    exp = load_experiment(task={"type": task}, search={"objectives": objectives})
    ways = [(m, "maximize" if way == "max" else "minimize") for m, way in METRICS[task].items()]
    assert exp.objectives == (*ways, ("params", "minimize"))
    err = error({"objectives": [{"metric": first}, {"metric": "no_such_metric"}]}, task=task)
    assert err.path == "search.objectives.1.metric"
    assert f"expected one of: {', '.join(METRICS[task])}, params, latency_ms" in str(err)


def test_the_first_objective_is_the_task_metric() -> None:
    err = error({"objectives": [{"metric": "params"}, {"metric": "accuracy"}]})
    assert err.path == "search.objectives.0.metric"
    assert "must be the task's metric 'accuracy', but got 'params'" in str(err)


def test_a_direction_against_the_metric() -> None:
    err = error({"objectives": [{"metric": "rmse", "direction": "max"}]}, task="regression")
    assert err.path == "search.objectives.0.direction"
    assert "'rmse' is minimised; expected direction: min (or leave it out)" in str(err)
    err = error({"objectives": [{"metric": "accuracy"}, {"metric": "params", "direction": "max"}]})
    assert err.path == "search.objectives.1.direction"
    assert "'params' is minimised; expected direction: min" in str(err)


def test_an_objective_listed_twice() -> None:
    err = error({"objectives": [{"metric": "accuracy"}, {"metric": "accuracy"}]})
    assert err.path == "search.objectives.1.metric"
    assert "objective 'accuracy' is listed twice" in str(err)


def test_kerastuner_storage_is_a_folder() -> None:
    err = error({"engine": "kerastuner", "storage": "sqlite:///x.db"})
    assert err.path == "search.storage"
    assert "engine 'kerastuner' keeps its trials in a folder, but got 'sqlite:///x.db'" in str(err)


def test_kerastuner_hyperband_cannot_replay_points() -> None:
    err = error({"engine": "kerastuner", "algorithm": "hyperband", "warm_start": "earlier"})
    assert err.path == "search.warm_start"
    assert "KerasTuner's hyperband decides every trial's epoch budget itself" in str(err)


def test_constraints_must_be_positive() -> None:
    err = error({"constraints": {"max_params": 0}})
    assert err.path == "search.constraints.max_params"
    err = error({"constraints": {"max_latency_ms": -1}})
    assert err.path == "search.constraints.max_latency_ms"


def test_valid_combinations_and_resolved_objectives() -> None:
    exp = load_experiment(
        task={"type": "classification", "metric": "roc_auc"},
        search={
            "algorithm": "nsga2",
            "objectives": [{"metric": "roc_auc"}, {"metric": "params"}, {"metric": "latency_ms"}],
            "constraints": {"max_params": 10_000, "max_latency_ms": 5},
            "warm_start": "old-search",
        },
    )
    assert exp.objectives == (
        ("roc_auc", "maximize"),
        ("params", "minimize"),
        ("latency_ms", "minimize"),
    )
    assert exp.search.warm_start is not None and exp.search.warm_start.search == "old-search"
    assert load_experiment(task={"type": "regression"}).objectives == (("rmse", "minimize"),)


# -- an algorithm that cannot serve the space (checked when the engine is made) --------------


def optuna(space: SearchSpace, algorithm: str, tmp_path: Path) -> OptunaEngine:
    engine = make_engine(
        "optuna",
        space,
        name="s",
        direction="maximize",
        algorithm=algorithm,
        storage=str(tmp_path / "o.journal"),
    )
    assert isinstance(engine, OptunaEngine)
    return engine


def test_cmaes_refuses_categorical_params(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        optuna(load_space("mlp", CATALOG), "cmaes", tmp_path)
    assert info.value.path == "search.algorithm"
    assert (
        "algorithm 'cmaes' samples numbers only, but model.0.dense_stack.activation, "
        "model.0.dense_stack.batch_norm, optimizer.name, optimizer.nesterov, batch_size are "
        "choices or booleans; use one of: tpe, random, gp, nsga2"
    ) in str(info.value)


def test_grid_refuses_continuous_params(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        optuna(load_space(str(SPACES / "blocks.yaml"), CATALOG), "grid", tmp_path)
    assert info.value.path == "search.algorithm"
    assert (
        "algorithm 'grid' needs a finite set of values for every param, but "
        "optimizer.learning_rate, optimizer.momentum are continuous floats; give them a step"
    ) in str(info.value)


def test_grid_refuses_a_huge_grid(tmp_path: Path) -> None:
    space = SearchSpace("big", (Param("a", Int(0, 999)), Param("b", Int(0, 999))), {}, {}, (), {})
    with pytest.raises(SpecError, match=r"has 1,000,000 points \(at most 100,000\)"):
        optuna(space, "grid", tmp_path)


def test_grid_walks_every_point_once_then_stops(tmp_path: Path) -> None:
    space = SearchSpace(
        "small",
        (Param("a", Int(1, 2)), Param("b", Float(0.0, 0.2, step=0.1))),
        {},
        {},
        (),
        {},
    )
    engine = optuna(space, "grid", tmp_path)
    seen = []
    for _ in range(6):
        trial = engine.ask()
        seen.append((trial.params["a"], round(trial.params["b"], 6)))
        engine.tell(trial, TrialState.COMPLETE, 0.0)
    assert sorted(seen) == [(a, b) for a in (1, 2) for b in (0.0, 0.1, 0.2)]
    with pytest.raises(SearchExhausted, match="every point of the grid"):
        engine.ask()


def test_cmaes_samples_a_numeric_space(tmp_path: Path) -> None:
    space = load_space(str(SPACES / "numeric.yaml"), CATALOG)
    engine = optuna(space, "cmaes", tmp_path)
    for i in range(4):
        trial = engine.ask()
        assert space.check(trial.params) == trial.params
        engine.tell(trial, TrialState.COMPLETE, float(i))


def test_gp_needs_pytorch(tmp_path: Path) -> None:
    space = load_space(str(SPACES / "numeric.yaml"), CATALOG)
    if importlib.util.find_spec("torch") is not None:
        engine = optuna(space, "gp", tmp_path)
        trial = engine.ask()
        assert space.check(trial.params) == trial.params
        return
    with pytest.raises(SpecError) as info:
        optuna(space, "gp", tmp_path)
    assert info.value.path == "search.algorithm"
    assert "algorithm 'gp' (Optuna's Gaussian-process sampler) needs PyTorch" in str(info.value)


def test_the_engine_refuses_what_its_capabilities_lack() -> None:
    space = load_space("mlp", CATALOG)
    with pytest.raises(SpecError, match="engine 'random' cannot prune trials"):
        make_engine("random", space, name="s", direction="maximize", pruner="median")
    with pytest.raises(SpecError, match="engine 'kerastuner' searches one objective"):
        make_engine(
            "kerastuner",
            space,
            name="s",
            direction="maximize",
            directions=["maximize", "minimize"],
            storage="kt",
        )
