"""Ensembles of trials, refit and k-fold validation (issues 13 and 14): one small search
per data kind, shared by the assertions (tiny real data, 2-3 trials, 1-3 epochs)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from sklearn.datasets import load_breast_cancer
from sklearn.datasets import load_diabetes
from sklearn.datasets import load_digits
from sklearn.datasets import load_iris

from archsmith import AutoModel
from archsmith.builders import average_models
from archsmith.builders import load_model
from archsmith.datasets import fold_indices
from archsmith.datasets import load_dataset
from archsmith.datasets import pooled
from archsmith.exceptions import SpecError
from archsmith.runner import run_search
from archsmith.runner._ensemble import select
from archsmith.spec import load_experiment
from archsmith.training import outputs
from archsmith.training import save_model

TINY_CNN = """\
name: tiny_cnn
for: [image]
model:
  - conv_stack:
      blocks: 1
      filters: 8
      kernel: 3
      convs: 1
      pooling: max
      batch_norm: false
      dropout: 0.0
      activation: relu
      global_pool: flatten
  - dense_stack:
      layers: 1
      units: {type: int, low: 16, high: 48}
      activation: relu
      dropout: 0.0
      batch_norm: false
optimizer:
  name: adam
  learning_rate: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}
batch_size: 32
"""


def _declaration(tmp: Path, **search: object) -> dict:
    return {
        "name": "cancer",
        "task": {"type": "classification"},
        "data": {"test": 0.2},
        "search": {"max_trials": 3, "ensemble": True, "refit": True, **search},
        "training": {"epochs": 3},
        "tracking": {"uri": str(tmp / "mlruns")},
    }


@pytest.fixture(scope="module")
def cancer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A 3-trial table search with ensemble and refit on breast_cancer."""
    tmp = tmp_path_factory.mktemp("cancer")
    x, y = load_breast_cancer(return_X_y=True, as_frame=True)
    model = AutoModel(experiment=_declaration(tmp), verbose=0).fit(x, y)
    return model, x, tmp


def _parent(result):  # type: ignore[no-untyped-def]
    return MlflowClient(tracking_uri=result.tracking_uri).get_run(result.run_id)


def test_ensemble_weights_sum_to_one_and_beat_the_best_trial(cancer) -> None:
    model, _, _ = cancer
    result = model.search_
    assert len(result.ensemble) > 1  # the ensemble won on validation
    assert sum(result.ensemble.values()) == pytest.approx(1.0)
    metrics = _parent(result).data.metrics
    assert metrics["ensemble.score"] >= result.best.value
    assert metrics["ensemble.score"] >= metrics["ensemble.single_score"]
    assert metrics["ensemble.members"] == len(result.ensemble)
    # members and weights: a JSON artifact of the parent run and a leaderboard row
    described = json.loads(
        (
            Path(_parent(result).info.artifact_uri.removeprefix("file://")) / "ensemble.json"
        ).read_text()
    )
    assert described["members"] == list(result.ensemble)
    assert described["chosen"] is True
    top = model.leaderboard_.iloc[0]
    assert (top["trial"], top["family"], top["state"]) == (-2, "ensemble", "COMPLETE")
    assert top["members"] == ",".join(str(n) for n in result.ensemble)
    assert top["score"] == pytest.approx(metrics["ensemble.score"])


def test_ensemble_export_and_pyfunc_predict_as_automodel(cancer, tmp_path: Path) -> None:
    import mlflow.pyfunc

    model, x, _ = cancer
    rows = x.head(40)
    expected = model.predict(rows)
    reloaded = load_model(model.export(tmp_path / "ensemble.keras"))  # safe mode
    raw = model.schema_.raw_inputs(rows)
    np.testing.assert_allclose(outputs(reloaded, raw), outputs(model.model_, raw), atol=1e-6)
    assert any(layer.name == "weighted_mean" for layer in reloaded.layers)  # one model
    mlflow.set_tracking_uri(model.search_.tracking_uri)
    served = mlflow.pyfunc.load_model(model.search_.model_uri)
    np.testing.assert_array_equal(np.asarray(served.predict(rows)), expected)


def test_refit_saw_the_validation_rows(cancer) -> None:
    model, _, _ = cancer
    result = model.search_
    rows = len(result.dataset.train) + len(result.dataset.validation)
    assert _parent(result).data.metrics["refit_rows"] == rows
    assert result.test_scores["accuracy"] > 0.8  # the refit ensemble, scored on test
    assert all(r.attrs.get("best_epoch", 0) >= 1 for r in result.trials)


@pytest.fixture(scope="module")
def digits_folds(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Images with 2 folds and an ensemble: a 2-trial search of a tiny CNN."""
    tmp = tmp_path_factory.mktemp("digits")
    (tmp / "tiny_cnn.yaml").write_text(TINY_CNN)
    data = load_digits()
    x, y = data.images[:500, :, :, None] / 16.0, data.target[:500]
    declaration = _digits_declaration(tmp)
    return AutoModel(experiment=declaration, verbose=0).fit(x, y), x, y, tmp


def _digits_declaration(tmp: Path) -> dict:
    return {
        "name": "digits",
        "task": {"type": "classification"},
        "data": {"folds": 2},
        "search": {"space": str(tmp / "tiny_cnn.yaml"), "max_trials": 2, "ensemble": True},
        "training": {"epochs": 2},
        "tracking": {"uri": str(tmp / "mlruns")},
    }


def test_folds_log_one_metric_per_fold(digits_folds) -> None:
    model, *_ = digits_folds
    trials = model.leaderboard_[model.leaderboard_["trial"] >= 0]
    for _, row in trials.iterrows():
        folds = [row["val.accuracy_fold_0"], row["val.accuracy_fold_1"]]
        assert row["val.accuracy"] == pytest.approx(np.mean(folds))


def test_image_ensemble_of_fold_bags_reloads_identically(digits_folds, tmp_path: Path) -> None:
    model, x, *_ = digits_folds
    result = model.search_
    assert len(result.ensemble) > 1  # an ensemble of two trials' fold bags won
    assert sum(result.ensemble.values()) == pytest.approx(1.0)
    reloaded = load_model(model.export(tmp_path / "digits.keras"))
    raw = result.dataset.schema.raw_inputs(x[:30])
    np.testing.assert_allclose(outputs(reloaded, raw), outputs(model.model_, raw), atol=1e-6)
    np.testing.assert_array_equal(
        np.argmax(outputs(reloaded, raw), axis=1), model.predict(x[:30]).astype(int)
    )
    # the served model averages the trials' fold models (bagging inside each member)
    names = [layer.name for layer in reloaded.layers]
    assert "weighted_mean" in names


def test_resume_builds_the_ensemble_from_stored_predictions(digits_folds) -> None:
    model, x, y, tmp = digits_folds
    first = model.search_
    again = run_search(_digits_declaration(tmp), x, y, resume=True)
    assert not again.new_trials  # no trial ran: the outputs were read from the store
    assert dict(again.ensemble) == dict(first.ensemble)
    if len(first.ensemble) > 1:  # the earlier served row is superseded
        served = again.leaderboard[again.leaderboard["trial"] == -2]
        assert sorted(served["state"]) == ["COMPLETE", "FAILED"]


def test_selection_keeps_the_single_trial_on_ties_and_never_scores_below_it() -> None:
    y = np.array([1.0, 2.0, 3.0])
    rmse = lambda out: float(np.sqrt(np.mean((out - y) ** 2)))  # noqa: E731
    same = {0: y + 1.0, 1: y + 1.0}
    tied = select(same, rmse, maximize=False, rounds=5)
    assert dict(tied.weights) == {0: 1.0} and tied.score == tied.single_score
    apart = {0: y + 1.0, 1: y - 1.0, 2: y + 3.0}
    chosen = select(apart, rmse, maximize=False, rounds=10)
    assert sum(chosen.weights.values()) == pytest.approx(1.0)
    assert chosen.score <= chosen.single_score and set(chosen.weights) == {0, 1}


def test_weighted_mean_model_saves_and_loads_in_safe_mode(tmp_path: Path) -> None:
    import keras

    def member(value: float) -> keras.Model:
        inputs = keras.Input((2,), name="x")
        dense = keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="zeros")
        model = keras.Model({"x": inputs}, dense(inputs))
        model.layers[-1].bias.assign([value])
        return model

    joined = average_models([member(1.0), member(3.0)], [3, 1])
    path = save_model(joined, tmp_path / "mean.keras")
    x = {"x": np.zeros((2, 2), dtype="float32")}
    np.testing.assert_allclose(outputs(load_model(path), x), [[1.5], [1.5]])


def test_folds_larger_than_a_class_name_the_field_and_the_class(tmp_path: Path) -> None:
    x, y = load_iris(return_X_y=True, as_frame=True)
    y = y.map({0: "setosa", 1: "versicolor", 2: "virginica"})
    keep = np.r_[0:50, 50:100, 100:110]  # 10 virginica rows
    declaration = {
        "task": {"type": "classification"},
        "data": {"folds": 12},
        "search": {"max_trials": 1},
        "training": {"epochs": 1},
        "tracking": {"uri": str(tmp_path / "mlruns")},
    }
    with pytest.raises(SpecError, match="virginica") as info:
        run_search(declaration, x.iloc[keep], y.iloc[keep])
    assert info.value.path == "data.folds"


def test_regression_folds_cover_every_row_once() -> None:
    x, y = load_diabetes(return_X_y=True, as_frame=True)
    exp = load_experiment({"task": {"type": "regression"}, "data": {"folds": 3, "test": 0.2}})
    dataset = load_dataset(x, y, task=exp.task, data=exp.data)
    held = fold_indices(dataset, 3, 0)
    rows = len(pooled(dataset))
    assert sorted(np.concatenate(held).tolist()) == list(range(rows))
    assert rows == len(x) - len(dataset.test)  # the test rows stay held out


@pytest.mark.parametrize(
    ("declaration", "path"),
    [
        ({"task": {"type": "clustering"}, "search": {"ensemble": True}}, "search.ensemble"),
        ({"task": {"type": "generation"}, "search": {"refit": True}}, "search.refit"),
        ({"task": {"type": "anomaly_detection"}, "data": {"folds": 3}}, "data.folds"),
        ({"task": {"type": "classification"}, "data": {"folds": 1}}, "data.folds"),
        ({"task": {"type": "regression"}, "search": {"ensemble": {"round": 3}}}, "search.ensemble"),
    ],
)
def test_declaration_errors_name_the_field(declaration: dict, path: str) -> None:
    with pytest.raises(SpecError) as info:
        load_experiment(declaration)
    assert info.value.path.startswith(path)


def test_refit_with_no_completed_trial_names_search_refit(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": np.arange(40.0), "y": ["p", "q"] * 20})
    declaration = {
        "task": {"type": "classification", "target": "y"},
        "search": {"max_trials": 1, "refit": True, "constraints": {"max_params": 1}},
        "tracking": {"uri": str(tmp_path / "mlruns")},
    }
    with pytest.raises(SpecError, match="no trial") as info:
        run_search(declaration, frame)
    assert info.value.path == "search.refit"
