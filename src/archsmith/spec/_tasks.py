"""The task declarations, one model per task type; their metric literals come from the metric
table (``spec/metrics.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Annotated
from typing import ClassVar
from typing import Literal
from typing import get_args

from pydantic import Field
from pydantic import model_validator

from archsmith.spec._base import _Model
from archsmith.spec._errors import FieldError
from archsmith.spec.metrics import default_metric
from archsmith.spec.metrics import metric_names

# the metric names of each task, derived from the metric table (spec/metrics.py)
CLASSIFICATION_METRICS = metric_names("classification")
REGRESSION_METRICS = metric_names("regression")
MULTILABEL_METRICS = metric_names("multilabel")
FORECASTING_METRICS = metric_names("forecasting")
ANOMALY_METRICS = metric_names("anomaly_detection")
CLUSTERING_METRICS = metric_names("clustering")
GENERATION_METRICS = metric_names("generation")
SIMILARITY_METRICS = metric_names("similarity")

if TYPE_CHECKING:  # mypy sees strings; pydantic sees the literals of the metric table
    ClassificationMetric = str
    RegressionMetric = str
    MultilabelMetric = str
    ForecastingMetric = str
    AnomalyMetric = str
    ClusteringMetric = str
    GenerationMetric = str
    SimilarityMetric = str
else:
    ClassificationMetric = Literal[CLASSIFICATION_METRICS]
    RegressionMetric = Literal[REGRESSION_METRICS]
    MultilabelMetric = Literal[MULTILABEL_METRICS]
    ForecastingMetric = Literal[FORECASTING_METRICS]
    AnomalyMetric = Literal[ANOMALY_METRICS]
    ClusteringMetric = Literal[CLUSTERING_METRICS]
    GenerationMetric = Literal[GENERATION_METRICS]
    SimilarityMetric = Literal[SIMILARITY_METRICS]


class ClassificationTask(_Model):
    """Predict a class (binary or multiclass) for each row."""

    #: outputs averaged by ensembles and bagging; refit by the supervised fit
    averaged: ClassVar[bool] = True

    type: Literal["classification"] = Field(description="task kind")
    target: str | None = Field(
        None, description="target column of a table; omit when y is passed separately"
    )
    metric: ClassificationMetric = Field(
        default_metric("classification"), description="validation metric the search optimises"
    )
    threshold: Literal["tune"] | None = Field(
        None,
        description="binary tasks: tune chooses the probability at or above which the "
        "second class is predicted on the validation split, for task.metric (kept with the "
        "served model); null: 0.5",
    )

    @model_validator(mode="after")
    def _threshold_metric(self) -> ClassificationTask:
        if self.threshold == "tune" and self.metric in ("roc_auc", "log_loss"):
            raise FieldError(
                ("threshold",),
                f"threshold: tune chooses a decision threshold for task.metric, but "
                f"'{self.metric}' does not depend on one; use metric: accuracy, "
                "balanced_accuracy or f1_macro, or leave threshold out",
            )
        return self


class RegressionTask(_Model):
    """Predict a number for each row."""

    #: outputs averaged by ensembles and bagging; refit by the supervised fit
    averaged: ClassVar[bool] = True

    type: Literal["regression"] = Field(description="task kind")
    target: str | None = Field(
        None, description="target column of a table; omit when y is passed separately"
    )
    metric: RegressionMetric = Field(
        default_metric("regression"), description="validation metric the search optimises"
    )


class MultilabelTask(_Model):
    """Predict a set of labels (zero, one or several) for each example."""

    type: Literal["multilabel"] = Field(description="task kind")
    target: str | None = Field(
        None,
        description="target column holding lists of labels; omit when y (a 0/1 matrix or "
        "lists of labels) is passed separately",
    )
    metric: MultilabelMetric = Field(
        default_metric("multilabel"), description="validation metric the search optimises"
    )
    threshold: float = Field(
        0.5, gt=0, lt=1, description="probability at or above which a label is predicted"
    )


class ForecastingTask(_Model):
    """Predict the next ``horizon`` values of one or several series from the last ``lookback``."""

    #: outputs averaged by ensembles of trials, refit on every window before the test cut
    #: and folds in time order (rolling origins): the windows overlap in time, so a random
    #: fold or a refit beyond the test cut would train on the future
    ensembled: ClassVar[bool] = True
    refitted: ClassVar[bool] = True
    time_folds: ClassVar[bool] = True
    #: what a preset leaves out: the folds (how many fit depends on the series' length)
    #: and the pruner (a trial takes seconds, and its epoch curve on tens of windows is
    #: noise: the median pruner stopped the slow, ridge-penalised linear trials)
    preset_leaves_out: ClassVar[frozenset[str]] = frozenset({"folds", "pruner"})

    type: Literal["forecasting"] = Field(description="task kind")
    target: str | None = Field(
        None, description="value column of a long-format table; omit for a 1-D series"
    )
    series_id: str | None = Field(
        None, description="column naming the series of each row (long format); omit for one"
    )
    timestamp: str | None = Field(
        None, description="column ordering the rows of each series; omit when rows are in order"
    )
    horizon: int = Field(1, ge=1, description="steps to forecast")
    lookback: int = Field(24, ge=1, description="past steps the model sees")
    seasonality: int = Field(
        1, ge=1, description="season length (steps) of the seasonal-naive baseline and MASE"
    )
    metric: ForecastingMetric = Field(
        default_metric("forecasting"), description="validation metric the search optimises"
    )
    references: tuple[Literal["ets"], ...] = Field(
        ("ets",),
        description="classical forecasters shown as leaderboard rows beside seasonal naive "
        "(ets: statsmodels' exponential smoothing, where statsmodels is installed); [] for none",
    )

    @model_validator(mode="after")
    def _season_in_window(self) -> ForecastingTask:
        if self.seasonality > self.lookback:
            raise ValueError(
                f"seasonality must be <= lookback (the seasonal-naive forecast repeats the last "
                f"season of the window), but got seasonality={self.seasonality} and "
                f"lookback={self.lookback}"
            )
        return self


class AnomalyDetectionTask(_Model):
    """Score how unusual each row is; the model is fit on normal rows only.

    With labels (``target``), rows labelled ``normal`` train the model and the others
    (anomalies) are only used to score the validation and test splits; without labels every
    row counts as normal and only ``reconstruction_error`` can be optimised.
    """

    type: Literal["anomaly_detection"] = Field(description="task kind")
    target: str | None = Field(
        None, description="optional label column: normal rows vs anomalies (any other value)"
    )
    normal: str | int | float | bool = Field(0, description="label of the normal rows")
    metric: AnomalyMetric = Field(
        default_metric("anomaly_detection"),
        description="validation metric: roc_auc and average_precision of the anomaly score "
        "(need labels), or the mean score of normal rows",
    )


class ClusteringTask(_Model):
    """Group rows without labels (a self-organising map places them on a grid of units).

    Labels (``target``) are optional and never used in training; with them, ``purity`` says
    how well the units separate the classes.
    """

    type: Literal["clustering"] = Field(description="task kind")
    target: str | None = Field(None, description="optional label column, only used to score purity")
    metric: ClusteringMetric = Field(
        default_metric("clustering"),
        description="validation metric: mean distance of rows to their unit, share of rows "
        "whose two nearest units are not neighbours, or class purity of the units (labels)",
    )


class GenerationTask(_Model):
    """Learn to generate new rows like the data's (numeric columns, no target)."""

    type: Literal["generation"] = Field(description="task kind")
    target: None = Field(None, description="generation has no target column (null only)")
    metric: GenerationMetric = Field(
        default_metric("generation"),
        description="validation metric: maximum mean discrepancy between held-out rows and "
        "as many generated rows (Gaussian kernel, median bandwidth; minimised)",
    )


class SimilarityTask(_Model):
    """Tell whether two examples are of the same class (a Siamese network's distance).

    From examples with class labels, same/different pairs (or anchor-positive-negative
    triplets) are drawn: new training pairs every epoch, fixed validation and test pairs
    (seeded by ``data.seed``). Explicit pairs ``(X_a, X_b)`` with same (1) / different (0)
    flags as ``y`` are used as they are (``mode: pairs`` only). The distance below which a
    pair is "same" is chosen on the validation pairs.
    """

    type: Literal["similarity"] = Field(description="task kind")
    target: str | None = Field(
        None,
        description="class label column of a table; omit when y (class labels, or the "
        "same/different flags of explicit pairs) is passed separately",
    )
    mode: Literal["pairs", "triplets"] = Field(
        "pairs", description="train on same/different pairs or on anchor-positive-negative triplets"
    )
    loss: Literal["contrastive", "triplet"] | None = Field(
        None,
        description="contrastive (pairs) or triplet (triplets); default: the mode's loss",
    )
    margin: float = Field(
        1.0, gt=0, description="distance different pairs are pushed beyond (both losses)"
    )
    pairs_per_epoch: int = Field(
        0,
        ge=0,
        description="training pairs (or triplets) drawn per epoch from labelled examples; "
        "0: as many as training examples",
    )
    metric: SimilarityMetric = Field(
        default_metric("similarity"),
        description="validation metric: accuracy of same/different at the chosen distance "
        "threshold, or ROC AUC of the distances",
    )

    @model_validator(mode="after")
    def _loss_fits_mode(self) -> SimilarityTask:
        wanted = "contrastive" if self.mode == "pairs" else "triplet"
        if self.loss is not None and self.loss != wanted:
            raise FieldError(
                ("loss",),
                f"loss '{self.loss}' does not train mode '{self.mode}'; expected loss: "
                f"{wanted} (or leave it out)",
            )
        return self

    @property
    def training_loss(self) -> str:
        """The loss actually used: the declared one or the mode's."""
        return self.loss or ("contrastive" if self.mode == "pairs" else "triplet")


Task = Annotated[
    ClassificationTask
    | RegressionTask
    | MultilabelTask
    | ForecastingTask
    | AnomalyDetectionTask
    | ClusteringTask
    | GenerationTask
    | SimilarityTask,
    Field(discriminator="type"),
]

#: the declaration model of each task type (its ``type`` literal)
TASK_MODELS: dict[str, type[_Model]] = {
    get_args(model.model_fields["type"].annotation)[0]: model
    for model in get_args(get_args(Task)[0])
}
