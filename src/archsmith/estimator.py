"""Fit-style façade over :func:`archsmith.runner.run_search` (scikit-learn estimator contract)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.base import ClassifierMixin
from sklearn.base import RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import ClassifierTags
from sklearn.utils import RegressorTags
from sklearn.utils import Tags
from sklearn.utils import check_array
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.console import print_progress
from archsmith.datasets import ArraySchema
from archsmith.datasets import PairSchema
from archsmith.datasets import as_frame
from archsmith.datasets import as_target
from archsmith.datasets import encode_targets
from archsmith.exceptions import ArchsmithError
from archsmith.exceptions import DataError
from archsmith.exceptions import NotFittedError
from archsmith.runner import Progress
from archsmith.runner import SearchResult
from archsmith.runner import run_search
from archsmith.spec import Experiment
from archsmith.spec import load_experiment


class AutoModel(BaseEstimator):
    """Search a Keras model for a table: ``fit``, ``predict``, ``evaluate``, ``export``.

    Args:
        task: ``classification``, ``regression``, ``multilabel``, ``forecasting``,
            ``anomaly_detection`` (``predict`` gives anomaly scores), ``clustering``
            (``predict`` gives the unit of each row), ``generation`` (``predict`` gives
            one generated row per row) or ``similarity`` (``fit(X, y)`` with class labels
            or ``fit((X_a, X_b), same)``; ``predict((X_a, X_b))`` gives 1 for a same-class
            pair, 0 otherwise; see :meth:`distance`, :meth:`embed`, :meth:`export_encoder`).
        max_trials: number of candidates to train.
        space: shipped space name(s) or YAML path(s); several = choose among families.
            None: the default spaces of the data kind (tables: ``mlp``; images: ``cnn``
            and ``resnet``; sequences: ``rnn``, ``conv1d`` and ``transformer``; texts:
            ``text_bag`` and ``text_sequence``; images for ``anomaly_detection``:
            ``conv_autoencoder``).
        metric: validation metric to optimise (default: accuracy / rmse).
        engine: ``optuna`` or ``random``.
        algorithm: the engine's sampling algorithm (default: ``tpe`` for Optuna).
        epochs: maximum epochs per trial.
        patience: early-stopping patience (epochs).
        validation: fraction of rows held out for validation.
        time_budget: wall-clock budget (``"20m"``, seconds), or None.
        seed: seed of the splits and the sampler.
        name: search name (MLflow experiment); default ``automodel-<task>``.
        tracking_uri: MLflow store: a folder (e.g. ``"mlruns"``) or a tracking URI. None (the
            default): a temporary store shared by this Python process and deleted when it
            exits, so that ``fit`` in a script, a pipeline or a cross-validation loop leaves
            nothing in the working directory; pass a folder to keep the runs and open them
            with ``archsmith ui``.
        experiment: a whole declaration (YAML path or mapping); when given, the arguments
            above are not used, and ``target`` of ``fit`` overrides ``task.target``.
        verbose: 1 prints a line per trial, 0 is silent.
        task_options: other fields of the declaration's task, e.g. ``{"horizon": 6,
            "lookback": 48, "seasonality": 24}`` for forecasting or ``{"threshold": 0.4}``
            for multilabel.

    Attributes:
        best_params_: params of the best trial (dotted names).
        best_score_: its validation score.
        leaderboard_: one row per trial (DataFrame), best first.
        classes_: class labels (classification).
        feature_names_in_: input columns seen in ``fit``.
        search_: the full :class:`archsmith.runner.SearchResult`.

    Example:
        >>> from sklearn.datasets import load_iris
        >>> X, y = load_iris(return_X_y=True, as_frame=True)
        >>> model = AutoModel(task="classification", max_trials=2, epochs=3, verbose=0)
        >>> model.fit(X, y).predict(X.head(2)).shape  # doctest: +SKIP
        (2,)
    """

    def __init__(
        self,
        *,
        task: str = "classification",
        max_trials: int = 10,
        space: str | list[str] | None = None,
        metric: str | None = None,
        engine: str = "optuna",
        algorithm: str | None = None,
        epochs: int = 50,
        patience: int = 5,
        validation: float = 0.2,
        time_budget: str | float | None = None,
        seed: int = 0,
        name: str | None = None,
        tracking_uri: str | None = None,
        experiment: str | Path | dict[str, Any] | None = None,
        verbose: int = 1,
        task_options: dict[str, Any] | None = None,
    ) -> None:
        self.task = task
        self.max_trials = max_trials
        self.space = space
        self.metric = metric
        self.engine = engine
        self.algorithm = algorithm
        self.epochs = epochs
        self.patience = patience
        self.validation = validation
        self.time_budget = time_budget
        self.seed = seed
        self.name = name
        self.tracking_uri = tracking_uri
        self.experiment = experiment
        self.verbose = verbose
        self.task_options = task_options

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # tables impute missing values
        tags.non_deterministic = True  # Keras training is not bit-reproducible across fits
        if self.task == "classification":
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags()
        elif self.task == "regression":
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        return tags

    # -- fitting ---------------------------------------------------------------------------
    def _declaration(self, target: str | None) -> Experiment:
        if self.experiment is not None:
            exp = load_experiment(self.experiment)
            if target is None:
                return exp
            return load_experiment(exp, task={**exp.task.model_dump(), "target": target})
        task: dict[str, Any] = {**(self.task_options or {}), "type": self.task, "target": target}
        if self.metric:
            task["metric"] = self.metric
        search: dict[str, Any] = {
            "engine": self.engine,
            "algorithm": self.algorithm,
            "max_trials": self.max_trials,
            "time_budget": self.time_budget,
            "seed": self.seed,
        }
        if self.space is not None:  # else the default spaces of the data kind
            search["space"] = self.space
        return load_experiment(
            name=self.name or f"automodel-{self.task}",
            task=task,
            data={"validation": self.validation, "seed": self.seed},
            search=search,
            training={"epochs": self.epochs, "early_stopping": {"patience": self.patience}},
            tracking={"uri": self.tracking_uri or _temporary_store()},
        )

    def fit(self, X: Any, y: Any = None, *, target: str | None = None) -> AutoModel:
        """Run the search on ``X`` (and ``y``, or the ``target`` column of ``X``).

        Returns:
            self, fitted with the best model found.

        Raises:
            SpecError: invalid arguments (named like the declaration fields).
            DataError: data that cannot serve the task.
        """
        _check_arrays(X, y, self.task)
        if y is None and target is None and isinstance(X, np.ndarray) and self.task in _SKLEARN:
            raise DataError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        y = _check_target(y, self.task)
        exp = self._declaration(target)
        progress: Progress | None = print_progress if self.verbose else None
        result = run_search(exp, X, y, progress=progress)
        self._set_fitted(result)
        return self

    def _set_fitted(self, result: SearchResult) -> None:
        assert result.best is not None and result.model_path is not None
        self.search_ = result
        self.model_ = builders.load_model(result.model_path)
        self.schema_ = result.dataset.schema
        self.target_ = result.dataset.target
        self.best_params_ = dict(result.best.params)
        self.best_score_ = result.best.value
        self.leaderboard_ = result.leaderboard
        self.feature_names_in_ = np.asarray(self.schema_.names, dtype=object)
        self.n_features_in_ = len(self.schema_.names)
        if tasks.for_target(self.target_).has_classes:
            self.classes_ = np.asarray(self.target_.classes)

    # -- using the model -------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(X, y) first"
            )

    def _frame(self, X: Any) -> pd.DataFrame:
        if isinstance(X, np.ndarray) and X.ndim == 1:
            check_array(X, dtype=None, ensure_all_finite=False)  # raises: reshape your data
        frame = as_frame(X)
        names = list(self.schema_.names)
        if not isinstance(X, pd.DataFrame | dict | str | Path) and frame.shape[1] != len(names):
            raise DataError(
                f"X has {frame.shape[1]} features, but {type(self).__name__} is "
                f"expecting {len(names)} features as input"
            )
        return frame

    def _outputs(self, X: Any) -> np.ndarray:
        self._check_fitted()
        if isinstance(self.schema_, PairSchema):  # pairs (X_a, X_b) or a_*/b_* columns
            return training.outputs(self.model_, self.schema_.model_inputs(X))
        if isinstance(self.schema_, ArraySchema):  # images, sequences, texts as they are
            return training.outputs(self.model_, self.schema_.raw_inputs(X))
        frame = self._frame(X)
        strings = builders.takes_strings(self.model_)
        return training.outputs(self.model_, self.schema_.raw_inputs(frame, strings))

    def predict(self, X: Any) -> np.ndarray:
        """Labels (classification) or values (regression) for raw rows."""
        return tasks.predictions(self._outputs(X), self.target_)

    @available_if(lambda self: self.task != "regression")  # hasattr() false for regressors
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        self._check_fitted()
        if not tasks.for_target(self.target_).has_classes:
            raise AttributeError("predict_proba is only available for classification")
        return tasks.probabilities(self._outputs(X), self.target_)

    def evaluate(self, X: Any, y: Any = None, *, target: str | None = None) -> dict[str, float]:
        """Every metric of the task on ``X`` and ``y`` (or the target column of ``X``)."""
        self._check_fitted()
        apart = tasks.for_target(self.target_).matrix_targets
        if isinstance(self.schema_, ArraySchema | PairSchema) or apart:
            if y is None:
                raise DataError("pass y: the targets of X")
            return tasks.all_scores(encode_targets(self.target_, y), self._outputs(X), self.target_)
        frame = as_frame(X) if y is None else self._frame(X)
        if y is None:
            column = target or self.target_.name
            if column not in frame.columns:
                raise DataError(f"no y given and X has no target column '{column}'; pass y")
            y = frame.pop(column)
        labels = as_target(y)
        if len(labels) != len(frame):
            raise DataError(f"X has {len(frame)} rows but y has {len(labels)}")
        strings = builders.takes_strings(self.model_)
        out = training.outputs(self.model_, self.schema_.raw_inputs(frame, strings))
        return tasks.all_scores(
            self.target_.encode(labels.reset_index(drop=True)), out, self.target_
        )

    def score(self, X: Any, y: Any = None) -> float:
        """The declared metric on ``X``, ``y``, greater is better (scikit-learn convention).

        Metrics that are minimised (rmse, mae, log_loss) are returned negated, as
        scikit-learn's ``neg_*`` scorers do.
        """
        exp = self.search_.experiment
        value = self.evaluate(X, y)[exp.task.metric]
        return value if exp.direction == "maximize" else -value

    # -- similarity ------------------------------------------------------------------------
    def _pairs_only(self, what: str) -> PairSchema:
        self._check_fitted()
        if not isinstance(self.schema_, PairSchema):
            raise AttributeError(f"{what} is only available for task similarity")
        return self.schema_

    def distance(self, X: Any) -> np.ndarray:
        """Distances of pairs ``(X_a, X_b)`` (smaller: more alike); ``predict`` compares
        them with the threshold chosen on validation (``search_`` logs it)."""
        self._pairs_only("distance")
        return self._outputs(X)[:, 0].astype("float64")

    def embed(self, X: Any) -> np.ndarray:
        """Embeddings of examples (one row per example) by the shared encoder."""
        schema = self._pairs_only("embed")
        return training.outputs(builders.encoder_of(self.model_), schema.item_inputs(X))

    def export_encoder(self, path: str | Path) -> Path:
        """Save the shared encoder (examples -> embeddings) as a ``.keras`` file."""
        self._pairs_only("export_encoder")
        path = Path(path)
        return training.save_model(builders.encoder_of(self.model_), path.with_suffix(".keras"))

    def export(self, path: str | Path, format: str = "keras") -> Path:
        """Save the best model.

        Args:
            path: the file (``keras``: a ``.keras`` suffix is added if missing) or folder
                (``savedmodel``) to write.
            format: ``keras`` (a ``.keras`` file that takes raw rows; load it with
                ``archsmith.load_model(path)``, Keras safe mode) or ``savedmodel`` (a
                TensorFlow SavedModel for TF Serving, TensorFlow backend; its ``serve``
                signature takes the same inputs as the Keras model). ``onnx`` and
                ``tflite`` are not written yet and raise ``ArchsmithError``.
        """
        self._check_fitted()
        path = Path(path)
        if format == "savedmodel":
            return training.export_savedmodel(self.model_, path)
        if format != "keras":
            needs = _NOT_YET.get(format)
            raise ArchsmithError(
                f"export format {format!r} "
                + (f"is not available: it needs {needs}" if needs else "is unknown")
                + "; choose keras or savedmodel"
            )
        if path.suffix != ".keras":
            path = path.with_suffix(".keras")
        return training.save_model(self.model_, path)


_PARAMS = (
    "max_trials", "space", "metric", "engine", "algorithm", "epochs", "patience", "validation",
    "time_budget", "seed", "name", "tracking_uri", "experiment", "verbose",
)  # fmt: skip


class Classifier(ClassifierMixin, AutoModel):
    """:class:`AutoModel` for classification (a scikit-learn classifier: ``is_classifier``
    holds, so cross-validation splits it stratified)."""

    task = "classification"
    task_options = None

    def __init__(
        self,
        *,
        max_trials: int = 10,
        space: str | list[str] | None = None,
        metric: str | None = None,
        engine: str = "optuna",
        algorithm: str | None = None,
        epochs: int = 50,
        patience: int = 5,
        validation: float = 0.2,
        time_budget: str | float | None = None,
        seed: int = 0,
        name: str | None = None,
        tracking_uri: str | None = None,
        experiment: str | Path | dict[str, Any] | None = None,
        verbose: int = 1,
    ) -> None:
        values = locals()
        for param in _PARAMS:  # stored verbatim (scikit-learn's contract)
            setattr(self, param, values[param])

    score = AutoModel.score  # the declared metric, not ClassifierMixin's accuracy


class Regressor(RegressorMixin, AutoModel):
    """:class:`AutoModel` for regression (a scikit-learn regressor)."""

    task = "regression"
    task_options = None

    def __init__(
        self,
        *,
        max_trials: int = 10,
        space: str | list[str] | None = None,
        metric: str | None = None,
        engine: str = "optuna",
        algorithm: str | None = None,
        epochs: int = 50,
        patience: int = 5,
        validation: float = 0.2,
        time_budget: str | float | None = None,
        seed: int = 0,
        name: str | None = None,
        tracking_uri: str | None = None,
        experiment: str | Path | dict[str, Any] | None = None,
        verbose: int = 1,
    ) -> None:
        values = locals()
        for param in _PARAMS:  # stored verbatim (scikit-learn's contract)
            setattr(self, param, values[param])

    score = AutoModel.score  # the declared metric, negated when minimised, not R²


# export formats not written yet -> what they would need (the error says so)
_NOT_YET = {
    "onnx": "tf2onnx and onnxruntime (not installed with archsmith yet)",
    "tflite": "the LiteRT converter (ai-edge-litert, not installed with archsmith yet)",
}
_SKLEARN = ("classification", "regression")  # the tasks that follow scikit-learn's data rules
_STORE: list[str] = []


def _temporary_store() -> str:
    """The folder of this process's temporary MLflow store (``tracking_uri=None``), made on
    first use and deleted at exit."""
    if not _STORE:
        folder = tempfile.mkdtemp(prefix="archsmith-mlruns-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _STORE.append(folder)
    return _STORE[0]


def _check_target(y: Any, task: str) -> Any:
    """scikit-learn's target rules for its two tasks: a column vector is flattened with a
    ``DataConversionWarning``; a classifier refuses a continuous target."""
    if task not in _SKLEARN or y is None or isinstance(y, str):
        return y
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; it is flattened",
            DataConversionWarning,
            stacklevel=3,
        )
        y = y.ravel()
    if task == "classification" and isinstance(y, np.ndarray | list | pd.Series):
        try:
            kind = type_of_target(y)
        except ValueError:
            return y
        if kind.startswith("continuous"):
            raise DataError(
                f"Unknown label type: {kind}: classification needs class labels "
                "(use task regression for a continuous target)"
            )
    return y


def _check_arrays(X: Any, y: Any, task: str) -> None:
    """scikit-learn's own input errors (and messages) for NumPy and sparse data: sparse,
    complex or empty arrays, and 1-D features for a table task."""
    if sparse.issparse(X):
        check_array(X, accept_sparse=False)  # raises: dense data is required
    for value in (X, y):  # a list item by item: series of different lengths (data.pad)
        parts = value if isinstance(value, list) else [value]
        if isinstance(value, np.ndarray | list) and any(np.iscomplexobj(p) for p in parts):
            raise DataError("Complex data not supported")
    if not isinstance(X, np.ndarray):
        return
    numeric = np.issubdtype(X.dtype, np.number)
    if X.ndim >= 2 or (numeric and task in _SKLEARN):
        check_array(X, dtype=None, ensure_all_finite=False, allow_nd=True)
