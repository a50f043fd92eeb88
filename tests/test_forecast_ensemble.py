"""Ensembles of trials for forecasting (``search.ensemble``), chosen on time-ordered folds
(``data.folds``) and refit on every window before the test cut (``search.refit``): the
served average exports, reloads in safe mode and forecasts as ``AutoModel.predict`` does;
the reference rows sit below it (ETS: trial -3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mlflow.tracking import MlflowClient

from archsmith import builders
from archsmith import training
from archsmith.datasets import network_inputs
from archsmith.estimator import AutoModel
from archsmith.exceptions import SpecError
from archsmith.runner._pooled import OUTPUTS_ARTIFACT
from archsmith.spec import load_experiment

OPTIONS = {"horizon": 3, "lookback": 12, "seasonality": 4}


def series(n: int = 120) -> np.ndarray:
    """A level, a steep trend, a season of 4 steps and noise (NLinear and DLinear, two
    epochs each, err on opposite sides: their average wins on validation)."""
    steps = np.arange(n)
    noise = np.random.default_rng(0).normal(0, 0.3, n)
    return (50 + 0.5 * steps + 3 * np.sin(2 * np.pi * steps / 4) + noise).astype("float32")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> AutoModel:
    """Three linear forecasting trials of two epochs on two time-ordered folds, the
    ensemble of them served, refit."""
    model = AutoModel(
        task="forecasting",
        space="linear_forecast",
        max_trials=3,
        epochs=2,
        ensemble=True,
        refit=True,
        folds=2,
        tracking_uri=str(tmp_path_factory.mktemp("fc_ensemble") / "mlruns"),
        verbose=0,
        task_options=OPTIONS,
    )
    return model.fit(series()[:100])


@pytest.mark.long  # a search of three trials (about 13 s here): make test-long
def test_the_served_ensemble_reloads_with_the_forecasts_of_predict(fitted: AutoModel) -> None:
    board = fitted.leaderboard_
    served = board[board["trial"] == -2]
    assert list(served["family"]) == ["ensemble"]
    assert len(fitted.search_.ensemble) > 1
    model = builders.load_model(fitted.search_.model_path)  # safe mode
    values = series()
    windows = np.stack([values[i : i + 12] for i in range(90, 105)])
    inputs = network_inputs(windows, fitted.schema_, builders.takes_strings(model))
    forecast = training.outputs(model, inputs).reshape(15, 3)
    assert fitted.predict(windows) == pytest.approx(forecast, rel=1e-5)


@pytest.mark.long
def test_the_reference_rows_do_not_collide_with_the_served_row(fitted: AutoModel) -> None:
    board = fitted.leaderboard_
    rows = board[board["trial"] < 0].set_index("family")
    assert int(rows.loc["seasonal_naive", "trial"]) == -1
    if "ets" in rows.index:  # where statsmodels is installed
        assert int(rows.loc["ets", "trial"]) == -3


@pytest.mark.long
def test_the_refit_trained_on_every_window_before_the_test_cut(fitted: AutoModel) -> None:
    result = fitted.search_
    data = result.dataset
    between = len(data.between) if data.between is not None else 0
    assert between == 2  # the windows whose 3 targets straddle the train/validation cut
    parent = MlflowClient(tracking_uri=result.tracking_uri).get_run(result.run_id)
    assert parent.data.metrics["refit_rows"] == len(data.train) + len(data.validation) + between


@pytest.mark.long
def test_trials_are_scored_and_chosen_on_the_time_ordered_folds(
    fitted: AutoModel, tmp_path: Path
) -> None:
    result = fitted.search_
    folds = result.dataset.time_folds
    assert folds is not None and len(folds) == 2
    client = MlflowClient(tracking_uri=result.tracking_uri)
    trial = result.trials[0]
    run = client.get_run(str(trial.attrs["mlflow_run_id"]))
    scores = [run.data.metrics[f"val.mase_fold_{i}"] for i in range(2)]
    assert trial.value == pytest.approx(np.mean(scores), rel=1e-5)
    # the ensemble chose on the out-of-fold forecasts of both blocks, none of the rest
    kept = np.load(client.download_artifacts(run.info.run_id, OUTPUTS_ARTIFACT, str(tmp_path)))
    assert len(kept) == sum(len(held) for _, held in folds)


def test_forecasting_takes_time_ordered_folds_and_other_tasks_refuse_them() -> None:
    exp = load_experiment(task={"type": "forecasting", **OPTIONS}, data={"folds": 3})
    assert exp.data.folds == 3
    load_experiment(task={"type": "forecasting", **OPTIONS}, search={"refit": True})
    with pytest.raises(SpecError, match=r"data.folds: .*not anomaly_detection") as info:
        load_experiment(task={"type": "anomaly_detection"}, data={"folds": 3})
    assert info.value.path == "data.folds"
