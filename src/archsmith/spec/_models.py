"""The declaration: pydantic v2 models, frozen, ``extra=\"forbid\"``, with descriptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import Field
from pydantic import PrivateAttr
from pydantic import WithJsonSchema
from pydantic import field_validator
from pydantic import model_validator

from archsmith.spec._base import _DURATION
from archsmith.spec._base import _Model
from archsmith.spec._base import parse_duration
from archsmith.spec._engines import ENGINE_CAPABILITIES
from archsmith.spec._engines import engines_that
from archsmith.spec._engines import is_optuna_storage
from archsmith.spec._ensemble import EnsembleSpec
from archsmith.spec._ensemble import check_pooling
from archsmith.spec._ensemble import ensemble_value
from archsmith.spec._ensemble import refused_pooling
from archsmith.spec._errors import FieldError
from archsmith.spec._errors import did_you_mean
from archsmith.spec._prescreen import PrescreenSpec
from archsmith.spec._prescreen import check_prescreen
from archsmith.spec._presets import PRESETS
from archsmith.spec._presets import apply_preset
from archsmith.spec._split import SplitSpec
from archsmith.spec._tasks import TASK_MODELS
from archsmith.spec._tasks import Task
from archsmith.spec._training import TrackingSpec
from archsmith.spec._training import TrainingSpec
from archsmith.spec.metrics import COST_OBJECTIVES
from archsmith.spec.metrics import direction
from archsmith.spec.metrics import metric_names


class DataSpec(_Model):
    """Where the data comes from and how it is split."""

    train: str | None = Field(
        None,
        description="CSV, Parquet, .npz or .npy file, or image folder, relative to the "
        "declaration's folder; omit when data is passed from Python",
    )
    validation: float = Field(0.2, gt=0, lt=1, description="fraction held out for validation")
    test: float = Field(0.0, ge=0, lt=1, description="fraction held out for the final test")
    seed: int = Field(0, description="seed of the splits")
    drop: tuple[str, ...] = Field((), description="columns to ignore (ids, leaks)")
    kind: Literal["auto", "tabular", "image", "sequence", "text", "graph"] = Field(
        "auto",
        description="data kind; auto: inferred (4-D arrays and image folders are images, 3-D "
        "arrays sequences unless square, one column of sentences is text, graphs, lists of "
        "graphs and .npz graph files are graph)",
    )
    pad: bool = Field(
        False,
        description="series of different lengths (a list of (steps, channels) arrays): pad "
        "them at the end to the longest training length and mask the padding in the model",
    )
    image_size: tuple[int, int] = Field(
        (64, 64), description="height and width images of an image folder are resized to"
    )
    color_mode: Literal["rgb", "grayscale"] = Field(
        "rgb", description="channels of images read from an image folder"
    )
    x_key: str = Field(
        "x", min_length=1, description="name of the inputs' array in an .npz data file"
    )
    y_key: str = Field(
        "y", min_length=1, description="name of the targets' array in an .npz data file"
    )
    stream: bool | None = Field(
        None,
        description="read a CSV/Parquet data.train table in batches instead of whole "
        "(classification, regression): true, false, or null: when the file is larger than "
        "stream_above_mb",
    )
    stream_above_mb: float = Field(
        1024, gt=0, description="size in MiB above which a table file is streamed (stream: null)"
    )
    stream_sample: int = Field(
        100_000,
        ge=100,
        description="streamed tables: training rows the preprocessing statistics come from, "
        "and the most validation and test rows held in memory",
    )
    folds: int | None = Field(
        None,
        ge=2,
        description="k-fold validation on train + validation rows (stratified for classes; "
        "forecasting: k time-ordered folds of data.validation each, back from the test "
        "cut): each trial scored by the mean over k folds, the chosen trial's k models "
        "averaged",
    )
    split: SplitSpec | None = Field(
        None,
        description="tables: {group: col} keeps each group on one side, {time: col} holds "
        "out the latest rows; null: random rows (stratified for classification)",
    )

    @model_validator(mode="after")
    def _fractions(self) -> DataSpec:
        if self.validation + self.test >= 1:
            raise ValueError(
                f"validation + test must be < 1 to leave training rows, but got "
                f"validation={self.validation} and test={self.test}"
            )
        return self


class ObjectiveSpec(_Model):
    """One objective of a search: a validation metric, ``params`` or ``latency_ms``."""

    metric: str = Field(
        description="a metric of the task, 'params' (parameter count) or 'latency_ms' "
        "(median one-row prediction time on the current device)"
    )
    direction: Literal["max", "min"] | None = Field(
        None, description="default: the metric's own (costs are minimised)"
    )


class ConstraintsSpec(_Model):
    """Limits checked on the built model before training; a violating candidate is not trained."""

    max_params: int | None = Field(None, ge=1, description="most parameters a model may have")
    max_latency_ms: float | None = Field(
        None, gt=0, description="slowest one-row prediction allowed, in milliseconds"
    )


class WarmStartSearch(_Model):
    """Start from the best trials of an earlier search (read from the tracking store)."""

    search: str = Field(description="name of the earlier search (its MLflow experiment)")
    top: int = Field(3, ge=1, description="how many of its best completed trials to replay")


class SearchSpec(_Model):
    """Which engine searches which space, and for how long."""

    engine: Literal["optuna", "random", "kerastuner"] = Field("optuna", description="search engine")
    algorithm: (
        Literal["tpe", "random", "cmaes", "gp", "grid", "nsga2", "bayesian", "hyperband"] | None
    ) = Field(None, description="sampling algorithm; default: the engine's first (optuna: tpe)")
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
    pruner: Literal["none", "median", "successive_halving", "hyperband"] = Field(
        "none", description="Optuna pruner stopping bad trials early (fed after every epoch)"
    )
    storage: str | None = Field(
        None,
        description="engine storage: a *.journal file or a database URL (sqlite:///…, "
        "postgresql://…); default <tracking dir>/optuna.journal",
    )
    seed: int | None = Field(0, description="seed of the sampler; null for a random seed")
    retries: int = Field(
        0,
        ge=0,
        le=10,
        description="times a trial is run again after a transient failure (out of memory, "
        "lost connection, timeout) before it is recorded FAILED",
    )
    build_check: Literal["error", "prune", "off"] = Field(
        "error",
        description="before trial 0, build every branch of the space on the data: error "
        "stops on a branch that cannot be built, prune drops it with a warning, off skips",
    )
    prescreen: PrescreenSpec | None = Field(
        None,
        description="score several random candidates with a zero-cost proxy before each "
        "trial and train the best; default: off",
    )
    objectives: tuple[ObjectiveSpec, ...] = Field(
        (),
        description="several objectives make a multi-objective (Pareto) search; the first "
        "is the task's metric; default: the task's metric alone",
    )
    constraints: ConstraintsSpec = Field(
        default_factory=lambda: ConstraintsSpec(), description="limits checked before training"
    )
    warm_start: Annotated[
        WarmStartSearch | tuple[dict[str, Any], ...] | None,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "properties": {
                            "search": {"type": "string"},
                            "top": {"type": "integer", "minimum": 1},
                        },
                        "required": ["search"],
                        "additionalProperties": False,
                    },
                    {"type": "array", "items": {"type": "object"}},
                    {"type": "null"},
                ]
            }
        ),
    ] = Field(
        None,
        description="points evaluated first: a list of param mappings, or an earlier "
        "search's name (or {search, top})",
    )
    first_trials: bool = Field(
        True,
        description="evaluate the known-good points a space file lists under first_trials "
        "(published shapes) before sampling, unless warm_start gives points",
    )
    ensemble: Annotated[
        EnsembleSpec | None,
        WithJsonSchema(
            {"anyOf": [{"type": "boolean"}, EnsembleSpec.model_json_schema(), {"type": "null"}]}
        ),
    ] = Field(
        None,
        description="true or {rounds, min_gain}: serve a weighted average of trials chosen "
        "by greedy ensemble selection on validation, when it beats the best trial",
    )
    refit: bool = Field(
        False,
        description="retrain the served model(s) on train + validation for the best epoch "
        "count before the test score and the export",
    )

    @field_validator("ensemble", mode="before")
    @classmethod
    def _ensemble_flag(cls, value: Any) -> Any:
        return ensemble_value(value)

    @field_validator("warm_start", mode="before")
    @classmethod
    def _warm_start_name(cls, value: Any) -> Any:
        return {"search": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _combinations(self) -> SearchSpec:
        caps = ENGINE_CAPABILITIES[self.engine]
        if self.algorithm is not None and self.algorithm not in caps.algorithms:
            raise FieldError(
                ("algorithm",),
                f"engine '{self.engine}' has no algorithm '{self.algorithm}'; expected one "
                f"of: {', '.join(caps.algorithms)}",
            )
        algorithm = self.algorithm or caps.algorithms[0]
        multi = len(self.objectives) > 1
        if self.pruner != "none" and not caps.pruning:
            hint = (
                f"use algorithm: {caps.budget_algorithms[0]} ({caps.label}'s own "
                "multi-fidelity search)"
                if caps.budget_algorithms
                else f"use engine: {' or '.join(engines_that('pruning'))}"
            )
            raise FieldError(
                ("pruner",),
                f"pruner '{self.pruner}' needs engine: {' or '.join(engines_that('pruning'))}, "
                f"but the engine is '{self.engine}'; {hint}, or pruner: none",
            )
        if self.pruner != "none" and multi:
            raise FieldError(
                ("pruner",),
                f"pruner '{self.pruner}' cannot prune a multi-objective search (Optuna "
                "prunes on one reported value); use pruner: none or a single objective",
            )
        names = [o.metric for o in self.objectives]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldError(("objectives", i, "metric"), f"objective '{name}' is listed twice")
        if multi and not caps.multi_objective:
            first, *others = engines_that("multi_objective")
            raise FieldError(
                ("objectives",),
                f"engine '{self.engine}' sums several objectives into one instead of searching "
                f"a Pareto front; use engine: {first} (or {', '.join(others)}) for several "
                "objectives",
            )
        if multi and algorithm not in caps.multi_objective_algorithms:
            raise FieldError(
                ("algorithm",),
                f"algorithm '{algorithm}' optimises a single objective, but "
                f"{len(self.objectives)} objectives are declared; expected one of: "
                f"{', '.join(caps.multi_objective_algorithms)}",
            )
        if caps.storage == "folder" and self.storage and is_optuna_storage(self.storage):
            raise FieldError(
                ("storage",),
                f"engine '{self.engine}' keeps its trials in a folder, but got "
                f"{self.storage!r} (an Optuna storage); give a folder path or leave it out",
            )
        if algorithm in caps.budget_algorithms and self.warm_start:
            replays = " or ".join(a for a in caps.algorithms if a not in caps.budget_algorithms)
            raise FieldError(
                ("warm_start",),
                f"{caps.label}'s {algorithm} decides every trial's epoch budget itself and "
                f"cannot replay given points; use algorithm: {replays}, or drop warm_start",
            )
        check_prescreen(self.engine, self.algorithm, self.prescreen)
        return self

    @field_validator("space", mode="before")
    @classmethod
    def _one_space(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("time_budget", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)


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
    preset: str | None = Field(
        None,
        description="fast, balanced or best: a bundle of search and training fields "
        "(docs/tables.md#presets); the fields given here override it",
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

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("preset") is None:
            return data
        name = data["preset"]
        if not isinstance(name, str) or name not in PRESETS:
            raise FieldError(
                ("preset",),
                f"unknown preset {name!r}; expected one of: {', '.join(PRESETS)}"
                f"{did_you_mean(str(name), PRESETS)}",
            )
        return apply_preset(
            data,
            lambda e: getattr(ENGINE_CAPABILITIES.get(e), "pruning", True),
            lambda t: refused_pooling(TASK_MODELS[t], preset=True) if t in TASK_MODELS else set(),
        )

    @model_validator(mode="after")
    def _search_fits_task(self) -> Experiment:
        metrics = metric_names(self.task.type)
        for i, objective in enumerate(self.search.objectives):
            loc: tuple[str | int, ...] = ("search", "objectives", i)
            if objective.metric not in (*metrics, *COST_OBJECTIVES):
                raise FieldError(
                    (*loc, "metric"),
                    f"unknown objective '{objective.metric}' for a {self.task.type} task; "
                    f"expected one of: {', '.join((*metrics, *COST_OBJECTIVES))}",
                )
            natural = direction(self.task.type, objective.metric)
            if objective.direction is not None and objective.direction != natural:
                raise FieldError(
                    (*loc, "direction"),
                    f"'{objective.metric}' is {'maximised' if natural == 'max' else 'minimised'}"
                    f"; expected direction: {natural} (or leave it out)",
                )
        if self.search.objectives and self.search.objectives[0].metric != self.task.metric:
            raise FieldError(
                ("search", "objectives", 0, "metric"),
                f"the first objective picks the best model and must be the task's metric "
                f"'{self.task.metric}', but got '{self.search.objectives[0].metric}'; list "
                f"'{self.task.metric}' first or change task.metric",
            )
        if self.search.pruner != "none" and self.training.epochs < 2:
            raise FieldError(
                ("search", "pruner"),
                f"pruner '{self.search.pruner}' compares the values reported after each "
                f"epoch, but training.epochs is {self.training.epochs}, so it would never "
                "act; set training.epochs >= 2 or pruner: none",
            )
        caps = ENGINE_CAPABILITIES[self.search.engine]
        if self.search.algorithm in caps.budget_algorithms and self.training.epochs < 2:
            raise FieldError(
                ("search", "algorithm"),
                f"{caps.label}'s {self.search.algorithm} spreads training.epochs over rounds, "
                f"but training.epochs is {self.training.epochs}; set training.epochs >= 2 or "
                f"use algorithm: {caps.algorithms[0]}",
            )
        search = self.search
        check_pooling(self.task, search.ensemble is not None, search.refit, bool(self.data.folds))
        return self

    @property
    def direction(self) -> Literal["maximize", "minimize"]:
        way = direction(self.task.type, self.task.metric)
        return "maximize" if way == "max" else "minimize"

    @property
    def objectives(self) -> tuple[tuple[str, Literal["maximize", "minimize"]], ...]:
        """``(metric, direction)`` of each objective; the task's metric alone by default."""
        declared = self.search.objectives or (ObjectiveSpec(metric=self.task.metric),)
        return tuple(
            (
                o.metric,
                "maximize" if direction(self.task.type, o.metric) == "max" else "minimize",
            )
            for o in declared
        )

    @property
    def experiment_name(self) -> str:
        return self.tracking.experiment or self.name
