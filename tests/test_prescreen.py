"""Pre-screening (``search.prescreen``): the declaration rules, the proxies on a small
network, and a seeded search that trains exactly ``max_trials`` screened candidates."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from archsmith.engines import TrialState
from archsmith.exceptions import SpecError
from archsmith.spec import load_experiment
from conftest import mixed_frame


def declaration(tmp: Path, **search: Any) -> dict[str, Any]:
    return {
        "name": "screened",
        "task": {"type": "classification", "target": "y"},
        "search": {"space": "mlp", "max_trials": 2, **search},
        "training": {"epochs": 1},
        "tracking": {"uri": str(tmp / "mlruns")},
    }


# -- the declaration (no Keras) --------------------------------------------------------------
def test_prescreen_is_off_by_default_and_takes_a_proxy_and_a_candidate_count() -> None:
    assert load_experiment(declaration(Path("."))).search.prescreen is None
    spec = load_experiment(declaration(Path("."), prescreen={"proxy": "synflow"})).search
    assert spec.prescreen is not None
    assert (spec.prescreen.proxy, spec.prescreen.candidates) == ("synflow", 8)
    for engine, algorithm in (("optuna", "tpe"), ("random", None), ("kerastuner", "bayesian")):
        load_experiment(
            declaration(
                Path("."),
                engine=engine,
                algorithm=algorithm,
                prescreen={"proxy": "naswot", "candidates": 2},
            )
        )


@pytest.mark.parametrize(
    ("prescreen", "search", "message"),
    [
        ({"proxy": "zen"}, {}, r"search\.prescreen\.proxy"),
        ({"proxy": "naswot", "candidates": 1}, {}, r"search\.prescreen\.candidates"),
        ({"proxy": "naswot", "k": 3}, {}, r"search\.prescreen\.k"),
        (
            {"proxy": "naswot"},
            {"algorithm": "grid"},
            r"search\.prescreen: Optuna's grid chooses its points itself .*engine: optuna "
            r"\(algorithm: tpe, random, cmaes, gp, nsga2\)",
        ),
        (
            {"proxy": "naswot"},
            {"engine": "kerastuner", "algorithm": "hyperband"},
            r"search\.prescreen: KerasTuner's hyperband chooses its points itself"
            r".*engine: kerastuner \(algorithm: random, bayesian\)",
        ),
    ],
)
def test_bad_prescreen_declarations_are_spec_errors_at_their_path(
    prescreen: dict[str, Any], search: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError, match=message):
        load_experiment(declaration(Path("."), prescreen=prescreen, **search))


# -- the proxies (Keras) ---------------------------------------------------------------------
def test_each_proxy_scores_an_untrained_network_and_leaves_its_weights_as_they_were() -> None:
    import keras

    from archsmith.training import proxy_score

    keras.utils.set_random_seed(0)
    inputs = {"x": keras.Input(shape=(6,), name="x")}
    hidden = keras.layers.Dense(16, activation="relu")(inputs["x"])
    hidden = keras.layers.Dense(8, activation="relu")(hidden)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    rng = np.random.default_rng(0)
    x = {"x": rng.normal(size=(32, 6)).astype("float32")}
    y = rng.integers(0, 3, 32)
    before = [np.array(w) for w in model.get_weights()]
    loss = keras.losses.get("sparse_categorical_crossentropy")
    scores = {name: proxy_score(name, model, x, y, loss) for name in ("naswot", "synflow")}
    scores["gradnorm"] = proxy_score("gradnorm", model, x, y, loss)
    assert all(math.isfinite(v) and v > 0 for v in scores.values()), scores
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    # a wider network tells more rows apart: a higher NASWOT score
    wide = keras.layers.Dense(64, activation="relu")(inputs["x"])
    wide = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(wide))
    assert proxy_score("naswot", wide, x) > proxy_score("naswot", model, x)


# -- a search --------------------------------------------------------------------------------
def test_a_seeded_screened_search_trains_exactly_max_trials_and_logs_the_proxy(
    tmp_path: Path,
) -> None:
    from mlflow.tracking import MlflowClient

    from archsmith.runner import run_search

    prescreen = {"proxy": "naswot", "candidates": 3, "batch": 32}
    result = run_search(declaration(tmp_path, prescreen=prescreen), mixed_frame(120))
    assert [t.state for t in result.trials] == [TrialState.COMPLETE] * 2  # the study's trials
    for trial in result.trials:
        assert math.isfinite(trial.attrs["prescreen.naswot"])
        assert trial.attrs["prescreen.candidates"] == 3
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}")
    for trial in result.new_trials:
        metrics = client.get_run(str(trial.run_id)).data.metrics
        assert metrics["prescreen.naswot"] == pytest.approx(trial.screened["prescreen.naswot"])
