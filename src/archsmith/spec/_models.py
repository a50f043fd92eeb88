"""The declaration: pydantic v2 models, frozen, ``extra="forbid"``, with descriptions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import WithJsonSchema
from pydantic import field_validator
from pydantic import model_validator

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "log_loss", "f1_macro")
REGRESSION_METRICS = ("rmse", "mae", "r2")
ANOMALY_METRICS = ("roc_auc", "average_precision", "reconstruction_error")
CLUSTERING_METRICS = ("quantisation_error", "topographic_error", "purity")
GENERATION_METRICS = ("mmd",)
#: Metrics where larger is better; all others are minimised.
MAXIMIZED_METRICS = frozenset({"accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2"})
MAXIMIZED_METRICS |= {"average_precision", "purity"}  # anomaly detection, clustering

_DURATION = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$"
)


def parse_duration(value: Any) -> float | None:
    """``"20m"``, ``"1h30m"``, ``"90s"``, ``90`` -> seconds."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match and any(match.groups()):
            h, m, s = (float(g) if g else 0.0 for g in match.groups())
            return h * 3600 + m * 60 + s
    raise ValueError(
        f"cannot read {value!r} as a duration; expected e.g. '90s', '20m', '1h30m' or seconds"
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ClassificationTask(_Model):
    """Predict a class (binary or multiclass) for each row."""

    type: Literal["classification"] = Field(description="task kind")
    target: str | None = Field(
        None, description="target column of a table; omit when y is passed separately"
    )
    metric: Literal["accuracy", "balanced_accuracy", "roc_auc", "log_loss", "f1_macro"] = Field(
        "accuracy", description="validation metric the search optimises"
    )


class RegressionTask(_Model):
    """Predict a number for each row."""

    type: Literal["regression"] = Field(description="task kind")
    target: str | None = Field(
        None, description="target column of a table; omit when y is passed separately"
    )
    metric: Literal["rmse", "mae", "r2"] = Field(
        "rmse", description="validation metric the search optimises"
    )


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
    metric: Literal["roc_auc", "average_precision", "reconstruction_error"] = Field(
        "roc_auc",
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
    metric: Literal["quantisation_error", "topographic_error", "purity"] = Field(
        "quantisation_error",
        description="validation metric: mean distance of rows to their unit, share of rows "
        "whose two nearest units are not neighbours, or class purity of the units (labels)",
    )


class GenerationTask(_Model):
    """Learn to generate new rows like the data's (numeric columns, no target)."""

    type: Literal["generation"] = Field(description="task kind")
    target: None = Field(None, description="generation has no target column (null only)")
    metric: Literal["mmd"] = Field(
        "mmd",
        description="validation metric: maximum mean discrepancy between held-out rows and "
        "as many generated rows (Gaussian kernel, median bandwidth; minimised)",
    )


Task = Annotated[
    ClassificationTask | RegressionTask | AnomalyDetectionTask | ClusteringTask | GenerationTask,
    Field(discriminator="type"),
]


class DataSpec(_Model):
    """Where the data comes from and how it is split."""

    train: str | None = Field(
        None,
        description="CSV or Parquet file, relative to the declaration's folder; omit when "
        "data is passed from Python",
    )
    validation: float = Field(0.2, gt=0, lt=1, description="fraction held out for validation")
    test: float = Field(0.0, ge=0, lt=1, description="fraction held out for the final test")
    seed: int = Field(0, description="seed of the splits")
    drop: tuple[str, ...] = Field((), description="columns to ignore (ids, leaks)")

    @model_validator(mode="after")
    def _fractions(self) -> DataSpec:
        if self.validation + self.test >= 1:
            raise ValueError(
                f"validation + test must be < 1 to leave training rows, but got "
                f"validation={self.validation} and test={self.test}"
            )
        return self


class SearchSpec(_Model):
    """Which engine searches which space, and for how long."""

    engine: Literal["optuna", "random"] = Field("optuna", description="search engine")
    algorithm: Literal["tpe", "random"] | None = Field(
        None, description="sampling algorithm; default: the engine's first (optuna: tpe)"
    )
    space: Annotated[
        tuple[str, ...],
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                ]
            }
        ),
    ] = Field(
        ("mlp",),
        min_length=1,
        description="shipped space names or YAML paths; several = choose among families",
    )
    max_trials: int = Field(20, ge=1, description="number of trials of the search")
    time_budget: Annotated[
        float | None,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "exclusiveMinimum": 0},
                    {"type": "string", "pattern": _DURATION.pattern},
                    {"type": "null"},
                ]
            }
        ),
    ] = Field(None, gt=0, description="wall-clock budget, e.g. '20m'; no trial starts after it")
    pruner: Literal["none"] = Field("none", description="early stopping of bad trials")
    storage: str | None = Field(
        None,
        description="engine storage: a *.journal file or a database URL (sqlite:///…, "
        "postgresql://…); default <tracking dir>/optuna.journal",
    )
    seed: int | None = Field(0, description="seed of the sampler; null for a random seed")

    @field_validator("space", mode="before")
    @classmethod
    def _one_space(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("time_budget", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


class EarlyStoppingSpec(_Model):
    """Stop a trial's training when the monitored value stops improving."""

    patience: int = Field(5, ge=1, description="epochs without improvement before stopping")
    min_delta: float = Field(0.0, ge=0, description="smallest change that counts")


class TrainingSpec(_Model):
    """How each candidate is trained."""

    epochs: int = Field(50, ge=1, description="maximum epochs per trial")
    batch_size: int = Field(
        32, ge=1, description="batch size when the search space does not set one"
    )
    early_stopping: EarlyStoppingSpec | None = Field(
        default_factory=lambda: EarlyStoppingSpec(),
        description="stop on validation loss; best weights restored; null to disable",
    )
    jit_compile: bool = Field(False, description="XLA-compile training steps")


class TrackingSpec(_Model):
    """Where everything is logged."""

    uri: str = Field(
        "mlruns",
        description="tracking folder (relative to the working directory) or an MLflow URI",
    )
    experiment: str | None = Field(None, description="MLflow experiment; default: name")


class Experiment(_Model):
    """A whole declaration: task, data, search, training and tracking.

    Example:
        >>> from archsmith.spec import Experiment
        >>> exp = Experiment.model_validate({"task": {"type": "regression"}})
        >>> exp.search.engine, exp.task.metric
        ('optuna', 'rmse')
    """

    name: str = Field(
        "archsmith",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="search name: MLflow experiment and study name",
    )
    task: Task
    data: DataSpec = Field(default_factory=lambda: DataSpec())
    search: SearchSpec = Field(default_factory=lambda: SearchSpec())
    training: TrainingSpec = Field(default_factory=lambda: TrainingSpec())
    tracking: TrackingSpec = Field(default_factory=lambda: TrackingSpec())
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _source: str | None = PrivateAttr(default=None)

    @property
    def base_dir(self) -> Path:
        """Folder that relative paths in the declaration are read against."""
        return self._base_dir

    @property
    def source(self) -> str | None:
        """File the declaration was read from, if any."""
        return self._source

    @property
    def direction(self) -> Literal["maximize", "minimize"]:
        return "maximize" if self.task.metric in MAXIMIZED_METRICS else "minimize"

    @property
    def experiment_name(self) -> str:
        return self.tracking.experiment or self.name
