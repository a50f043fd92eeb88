"""archsmith's estimators under scikit-learn's contract: its estimator checks, tags,
keyword-only parameters stored verbatim, its NotFittedError, cross-validation on sorted
labels, and no ``./mlruns`` left behind by a library ``fit``.

The checks run through ``estimator_checks_generator`` (what ``parametrize_with_checks``
does), so that the checks that train several models can carry the ``slow`` mark; each
check that cannot apply is listed in ``EXPECTED_FAILURES`` with its reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.base import is_classifier
from sklearn.base import is_regressor
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import estimator_checks_generator

import archsmith
from archsmith import AutoModel
from archsmith import Classifier
from archsmith import Regressor

SMALL = {"max_trials": 1, "epochs": 1, "verbose": 0}

# check name -> why it cannot apply to a neural-architecture search
EXPECTED_FAILURES = {
    "check_dtype_object": (
        "a cell holding a dict is refused with archsmith's DataError (a ValueError naming "
        "the column), not with NumPy's TypeError: object columns are categories or text"
    ),
    "check_classifiers_train": (
        "a 1-trial, 1-epoch search does not reach the check's 0.83 training accuracy; "
        "budgets that do would take minutes per check"
    ),
    "check_regressors_train": (
        "a 1-trial, 1-epoch search does not reach the check's R² > 0.5 on the training data"
    ),
}

# checks that train several models (8 s or more each on a shared 2-core machine)
SLOW = {
    "check_classifiers_classes",
    "check_classifier_data_not_an_array",
    "check_regressor_data_not_an_array",
    "check_estimators_dtypes",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit_idempotent",
    "check_dict_unchanged",
    "check_supervised_y_2d",
    "check_regressors_int",
    "check_regressors_no_decision_function",
    "check_fit_score_takes_y",
    *EXPECTED_FAILURES,
}


def _check_params() -> list[pytest.param]:
    params = []
    for estimator in (Classifier(**SMALL), Regressor(**SMALL)):
        checks = estimator_checks_generator(
            estimator, expected_failed_checks=EXPECTED_FAILURES, mark="xfail"
        )
        for item in checks:  # (estimator, check), or a pytest.param marked xfail
            marks = list(getattr(item, "marks", ()))
            est, check = getattr(item, "values", item)
            name = getattr(check, "func", check).__name__
            if name in SLOW:  # several searches each: `make test-all`, not `make test`
                marks += [pytest.mark.slow, pytest.mark.estimator_checks_slow]
            params.append(pytest.param(est, check, marks=marks, id=f"{type(est).__name__}-{name}"))
    return params


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("estimator", "check"), _check_params())
def test_scikit_learn_estimator_checks(estimator, check, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    check(estimator)
    assert not (tmp_path / "mlruns").exists()


def test_tags_make_classifier_and_regressor() -> None:
    assert is_classifier(Classifier()) and not is_regressor(Classifier())
    assert is_regressor(Regressor()) and not is_classifier(Regressor())
    assert is_classifier(AutoModel(task="classification"))
    assert is_regressor(AutoModel(task="regression"))
    assert not is_classifier(AutoModel(task="clustering"))
    assert Classifier().__sklearn_tags__().input_tags.allow_nan


def test_parameters_are_keyword_only_and_stored_verbatim() -> None:
    with pytest.raises(TypeError):
        AutoModel("classification")  # type: ignore[misc]
    with pytest.raises(TypeError):
        Classifier(3)  # type: ignore[misc]
    model = Regressor(max_trials=3, space=["mlp"], tracking_uri=None)
    assert model.get_params()["space"] == ["mlp"] and model.get_params()["tracking_uri"] is None
    assert model.task == "regression" and "task" not in model.get_params()
    assert "task" not in vars(model)  # the subclass fixes it; get_params would miss it
    assert clone(AutoModel(task="regression", max_trials=2)).get_params()["task"] == "regression"


def test_unfitted_raises_scikit_learns_not_fitted_error() -> None:
    assert issubclass(archsmith.NotFittedError, SklearnNotFittedError)
    with pytest.raises(SklearnNotFittedError, match="not fitted yet"):
        Classifier().predict(np.zeros((2, 4)))


@pytest.fixture()
def sorted_iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    order = np.argsort(y, kind="stable")
    return X[order], y[order]


@pytest.mark.slow
def test_cross_val_score_on_sorted_labels_is_stratified(sorted_iris, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    X, y = sorted_iris
    scores = cross_val_score(Classifier(max_trials=1, epochs=2, verbose=0), X, y, cv=2)
    assert scores.shape == (2,) and np.isfinite(scores).all()
    assert not (tmp_path / "mlruns").exists()  # tracking_uri=None: a temporary store


@pytest.mark.slow
def test_grid_search_over_an_archsmith_estimator(sorted_iris, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    X, y = sorted_iris
    grid = GridSearchCV(Classifier(max_trials=1, verbose=0), {"epochs": [1, 2]}, cv=2)
    grid.fit(X, y)
    assert grid.best_params_["epochs"] in (1, 2)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert grid.predict(X[:3]).shape == (3,)


def test_temporary_store_is_one_per_process_outside_the_working_dir() -> None:
    from archsmith.estimator import _temporary_store

    store = Path(_temporary_store())
    assert store.is_dir() and store == Path(_temporary_store())  # one per process
    assert Path.cwd() not in store.parents
