"""The linear forecasting family (NLinear, DLinear): first in the default forecasting search,
trains, exports and reloads in safe mode, and NLinear carries the level back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import default_spaces
from archsmith.datasets import load_dataset
from archsmith.families.linear_forecast.blocks import moving_average
from archsmith.runner import run_search
from archsmith.search_space import load_space
from archsmith.spec import load_experiment

TASK = {"type": "forecasting", "lookback": 12, "horizon": 3, "seasonality": 4}


def series(n: int = 90, seed: int = 0) -> np.ndarray:
    """A level, a trend, a season of 4 steps and noise."""
    steps = np.arange(n)
    noise = np.random.default_rng(seed).normal(0, 0.3, n)
    return (50 + 0.05 * steps + 3 * np.sin(2 * np.pi * steps / 4) + noise).astype("float32")


def config(scaling: str = "window", **window: Any) -> dict[str, Any]:
    args = {"window": 0, "level": "last", "decomposition": "none", **window}
    return {
        "family": "linear_forecast",
        "model": [{"linear_window": args}],
        "optimizer": {"name": "adam", "learning_rate": 0.01},
        "batch_size": 16,
        "series_scaling": scaling,
    }


@pytest.fixture(scope="module")
def data() -> Any:
    exp = load_experiment(task=TASK, training={"epochs": 2, "early_stopping": None})
    return exp, load_dataset(series(), None, task=exp.task, data=exp.data)


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The default forecasting search (no space declared), one trial of two epochs."""
    tracking = tmp_path_factory.mktemp("linear") / "mlruns"
    decl = {
        "task": {**TASK, "references": []},
        "data": {"validation": 0.2, "test": 0.2},
        "search": {"max_trials": 1},
        "training": {"epochs": 2},
        "tracking": {"uri": str(tracking)},
    }
    return run_search(decl, series())


def test_the_first_trials_of_the_default_forecasting_search_are_nlinear_then_dlinear() -> None:
    space = load_space(default_spaces("sequence", "forecasting"), builders.CATALOG)
    nlinear, dlinear, ridge = (dict(p) for p in space.first_trials[:3])
    key = "linear_forecast.model.0.linear_window."
    assert nlinear["family"] == dlinear["family"] == ridge["family"] == "linear_forecast"
    assert (nlinear[key + "level"], nlinear[key + "decomposition"]) == ("last", "none")
    assert (dlinear[key + "level"], dlinear[key + "decomposition"]) == ("none", "trend")
    assert dlinear[key + "kernel"] == 25 and nlinear[key + "window"] == 0
    # then NLinear again, held close to the seasonal-naive forecast by a ridge penalty
    assert ridge[key + "level"] == "last"
    l2 = "linear_forecast.forecast_l2"
    assert ridge[l2] > 10 * nlinear[l2]


def test_the_ridge_penalty_pulls_the_forecast_towards_seasonal_naive(
    data: Any, tmp_path: Path
) -> None:
    """``forecast_l2`` penalises the correction's weights in training (the same data and
    seed give smaller weights), and the penalty is kept in the safe-mode reload."""
    exp, dataset = data
    spec = exp.training.model_copy(update={"epochs": 8})
    norms = {}
    for l2 in (0.0, 10.0):
        cfg = {**config("dataset"), "forecast_l2": l2}
        training.clear_session()
        training.seed_trial(0)
        model = builders.build_model(cfg, dataset.schema, dataset.target)
        tasks.fit(model, dataset, cfg, spec)
        kernel = model.get_layer("archsmith_correction").get_weights()[0]
        norms[l2] = float(np.linalg.norm(kernel))
    assert norms[10.0] < 0.5 * norms[0.0]
    path = training.save_model(builders.export_model(model, dataset.schema), tmp_path / "m.keras")
    dense = builders.load_model(path).get_layer("archsmith_correction")
    assert dense.kernel_regularizer is not None
    assert dense.kernel_regularizer.get_config()["l2"] == pytest.approx(10.0)


@pytest.mark.long  # a whole search (about 20 s here): make test-long
def test_the_default_forecasting_search_starts_with_nlinear(search: Any) -> None:
    board = search.leaderboard
    first = board[board["trial"] == 0].iloc[0]
    assert first["family"] == "linear_forecast"
    params = dict(search.trials[0].params)
    assert params["linear_forecast.model.0.linear_window.level"] == "last"
    assert params["linear_forecast.model.0.linear_window.decomposition"] == "none"
    assert params["linear_forecast.model.0.linear_window.window"] == 0


@pytest.mark.long
def test_the_exported_default_model_reloads_with_the_same_forecasts(search: Any) -> None:
    model = builders.load_model(search.model_path)  # safe mode
    test = search.dataset.test
    forecast = training.outputs(model, test.x)
    mase = np.abs(forecast.reshape(test.y.shape) - test.y).mean() / search.dataset.target.scale
    assert mase == pytest.approx(search.test_scores["mase"], rel=1e-4)


@pytest.mark.parametrize(
    "scaling,window",
    [
        ("window", {"level": "none", "decomposition": "trend", "kernel": 5}),  # DLinear
        ("dataset", {"window": 8}),  # NLinear on the last 8 steps, the window's level seen
    ],
)
def test_linear_forecasts_train_export_and_reload(
    data: Any, tmp_path: Path, scaling: str, window: dict[str, Any]
) -> None:
    exp, dataset = data
    cfg = config(scaling, **window)
    training.clear_session()
    training.seed_trial(0)
    model = builders.build_model(cfg, dataset.schema, dataset.target)
    result = tasks.fit(model, dataset, cfg, exp.training)
    assert np.isfinite(result.scores["mase"])
    path = training.save_model(builders.export_model(model, dataset.schema), tmp_path / "m.keras")
    reloaded = builders.load_model(path)
    np.testing.assert_allclose(
        training.outputs(reloaded, dataset.validation.x),
        training.outputs(model, dataset.validation.x),
        rtol=1e-5,
        atol=1e-4,
    )


def _randomised(cfg: dict[str, Any], dataset: Any) -> keras.Model:
    model = builders.build_model(cfg, dataset.schema, dataset.target)
    dense = model.get_layer("archsmith_correction")
    rng = np.random.default_rng(1)
    dense.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in dense.get_weights()])
    return model


def test_nlinear_forecasts_shift_with_the_window(data: Any) -> None:
    _, dataset = data
    x = dataset.validation.x
    shifted = {k: v + 7.0 for k, v in x.items()}
    # the window's level seen (dataset scaling): NLinear still adds it back, DLinear does not
    nlinear = _randomised(config("dataset"), dataset)
    np.testing.assert_allclose(
        training.outputs(nlinear, shifted), training.outputs(nlinear, x) + 7.0, atol=1e-3
    )
    dlinear = _randomised(config("dataset", level="none", decomposition="trend"), dataset)
    moved = training.outputs(dlinear, shifted) - training.outputs(dlinear, x)
    assert not np.allclose(moved, 7.0, atol=1e-2)


def test_the_trend_is_the_edge_padded_moving_average() -> None:
    x = np.arange(6, dtype="float32")[None, :, None] ** 2
    got = keras.ops.convert_to_numpy(moving_average(keras.ops.convert_to_tensor(x), 3))
    padded = np.r_[0.0, x[0, :, 0], 25.0]
    np.testing.assert_allclose(got[0, :, 0], np.convolve(padded, np.ones(3) / 3, "valid"))
