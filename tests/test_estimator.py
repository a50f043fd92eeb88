"""AutoModel end to end on a DataFrame with numbers, categories, booleans and NaN."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from archsmith import AutoModel
from archsmith import Classifier
from archsmith import load_model
from archsmith.exceptions import DataError
from archsmith.exceptions import NotFittedError


def test_fit_sets_learned_attributes(fitted) -> None:
    model, _frame, _ = fitted
    assert set(model.classes_) == {"churn", "stay"}
    assert list(model.feature_names_in_) == ["age", "income", "city", "member"]
    assert model.best_params_["optimizer.name"] in {"adam", "adamw", "sgd", "rmsprop", "adagrad"}
    assert 0.0 <= model.best_score_ <= 1.0
    assert len(model.leaderboard_) == 3
    assert model.leaderboard_["score"].iloc[0] == pytest.approx(model.best_score_)


def test_predict_takes_raw_rows_with_missing_values(fitted) -> None:
    model, frame, _ = fitted
    rows = frame.drop(columns="y").head(20)
    labels = model.predict(rows)
    assert labels.shape == (20,)
    assert set(labels) <= {"churn", "stay"}
    proba = model.predict_proba(rows)
    assert proba.shape == (20, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    # labels follow the probabilities in the order of classes_
    assert (model.classes_[proba.argmax(axis=1)] == labels).all()
    # unseen categories and missing values are accepted at predict time
    odd = rows.copy()
    odd["city"] = ["tokyo", None] * 10
    odd["age"] = np.nan
    assert model.predict(odd).shape == (20,)


def test_model_learns_better_than_chance(fitted) -> None:
    model, frame, _ = fitted
    scores = model.evaluate(frame)  # target column taken from the frame
    assert scores["accuracy"] > 0.7
    assert set(scores) >= {"accuracy", "roc_auc", "log_loss"}


def test_export_reloads_in_safe_mode_and_predicts_identically(fitted, tmp_path: Path) -> None:
    model, frame, _ = fitted
    path = model.export(tmp_path / "best")
    assert path.suffix == ".keras" and path.is_file()
    reloaded = load_model(path)
    rows = frame.drop(columns="y").head(30)
    from archsmith.training import outputs

    raw = model.schema_.raw_inputs(rows)
    np.testing.assert_allclose(
        np.asarray(outputs(reloaded, raw))[:, 0],
        model.predict_proba(rows)[:, 1],
        rtol=1e-6,
        atol=1e-6,
    )


def test_mlflow_pyfunc_model_predicts_identically(fitted) -> None:
    import mlflow.pyfunc
    from mlflow.tracking import MlflowClient

    model, frame, _ = fitted
    result = model.search_
    client = MlflowClient(tracking_uri=result.tracking_uri)
    uri = client.get_run(result.run_id).info.artifact_uri + "/model"
    loaded = mlflow.pyfunc.load_model(uri)
    rows = frame.drop(columns="y").head(25)
    np.testing.assert_array_equal(np.asarray(loaded.predict(rows)), model.predict(rows))
    meta = loaded.metadata
    assert meta.signature is not None
    assert [c.name for c in meta.signature.inputs.inputs] == ["age", "income", "city", "member"]


def test_predict_errors_name_the_problem(fitted) -> None:
    model, frame, _ = fitted
    with pytest.raises(DataError, match=r"missing column\(s\) \['city'\]"):
        model.predict(frame.drop(columns=["y", "city"]))
    with pytest.raises(DataError, match="X has 2 features, but AutoModel is expecting 4"):
        model.predict(np.zeros((3, 2)))
    bad = frame.drop(columns="y").head(3).copy()
    bad["age"] = ["old", "young", "mid"]
    with pytest.raises(DataError, match="column 'age' must be numeric"):
        model.predict(bad)


def test_unfitted_model_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="not fitted yet"):
        AutoModel().predict(pd.DataFrame({"a": [1.0]}))
    assert issubclass(NotFittedError, AttributeError) and issubclass(NotFittedError, ValueError)


def test_get_params_follow_the_estimator_contract() -> None:
    model = Classifier(max_trials=4, epochs=2)
    params = model.get_params()
    assert params["max_trials"] == 4 and "task" not in params  # fixed by the subclass
    assert model.task == "classification"
    from sklearn.base import clone

    assert clone(model).get_params()["epochs"] == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "label"}, r"target column 'label' not found; the data has columns \['age'"),
    ],
)
def test_data_errors_before_any_training(frame, tmp_path: Path, kwargs, message) -> None:
    model = AutoModel(max_trials=1, tracking_uri=str(tmp_path / "mlruns"), verbose=0)
    with pytest.raises(DataError, match=message):
        model.fit(frame, **kwargs)


def test_single_class_target_is_refused(frame, tmp_path: Path) -> None:
    frame["y"] = "stay"
    model = AutoModel(max_trials=1, tracking_uri=str(tmp_path / "mlruns"), verbose=0)
    with pytest.raises(DataError, match="single class 'stay'"):
        model.fit(frame, target="y")


def test_x_y_length_mismatch_is_refused(frame, tmp_path: Path) -> None:
    model = AutoModel(max_trials=1, tracking_uri=str(tmp_path / "mlruns"), verbose=0)
    with pytest.raises(DataError, match="X has 240 rows but y has 239"):
        model.fit(frame.drop(columns="y"), frame["y"].iloc[:-1])


def test_bad_argument_is_a_spec_error_with_the_field(frame, tmp_path: Path) -> None:
    from archsmith.exceptions import SpecError

    model = AutoModel(task="regresion", tracking_uri=str(tmp_path / "mlruns"), verbose=0)
    with pytest.raises(SpecError, match="did you mean 'regression'"):
        model.fit(frame, target="y")


def test_regression_with_numpy_arrays(tmp_path: Path) -> None:
    from sklearn.datasets import load_diabetes

    from archsmith import Regressor

    X, y = load_diabetes(return_X_y=True)
    model = Regressor(
        max_trials=2, epochs=15, metric="mae", verbose=0, tracking_uri=str(tmp_path / "mlruns")
    )
    model.fit(X[:300], y[:300])
    pred = model.predict(X[300:])
    assert pred.shape == (142,)
    # predictions are in the target's units, not standardised ones
    assert 50 < float(np.mean(pred)) < 250
    scores = model.evaluate(X[300:], y[300:])
    assert scores["r2"] > 0.2
    # score() follows scikit-learn's greater-is-better convention: mae comes back negated
    assert model.score(X[300:], y[300:]) == pytest.approx(-scores["mae"])
