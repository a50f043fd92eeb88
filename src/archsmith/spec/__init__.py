"""The declaration: task, data, search, training and tracking, validated and frozen."""

from archsmith.spec._engines import ENGINE_ALGORITHMS
from archsmith.spec._engines import ENGINE_CAPABILITIES
from archsmith.spec._engines import EngineCapabilities
from archsmith.spec._errors import did_you_mean
from archsmith.spec._errors import issues_from_validation
from archsmith.spec._limits import MAX_YAML_BYTES
from archsmith.spec._limits import MAX_YAML_DEPTH
from archsmith.spec._limits import MAX_YAML_NODES
from archsmith.spec._limits import read_text as read_yaml_text
from archsmith.spec._load import load_experiment
from archsmith.spec._models import DataSpec
from archsmith.spec._models import Experiment
from archsmith.spec._models import SearchSpec
from archsmith.spec._prescreen import PROXIES
from archsmith.spec._prescreen import PrescreenSpec
from archsmith.spec._prescreen import prescreen_support
from archsmith.spec._presets import PRESETS
from archsmith.spec._split import SplitSpec
from archsmith.spec._tasks import ANOMALY_METRICS
from archsmith.spec._tasks import CLASSIFICATION_METRICS
from archsmith.spec._tasks import CLUSTERING_METRICS
from archsmith.spec._tasks import FORECASTING_METRICS
from archsmith.spec._tasks import GENERATION_METRICS
from archsmith.spec._tasks import MULTILABEL_METRICS
from archsmith.spec._tasks import REGRESSION_METRICS
from archsmith.spec._tasks import SIMILARITY_METRICS
from archsmith.spec._tasks import AnomalyDetectionTask
from archsmith.spec._tasks import ClassificationTask
from archsmith.spec._tasks import ClusteringTask
from archsmith.spec._tasks import ForecastingTask
from archsmith.spec._tasks import GenerationTask
from archsmith.spec._tasks import MultilabelTask
from archsmith.spec._tasks import RegressionTask
from archsmith.spec._tasks import SimilarityTask
from archsmith.spec._training import TrackingSpec
from archsmith.spec._training import TrainingSpec
from archsmith.spec._urls import mask_password
from archsmith.spec._urls import mask_secrets
from archsmith.spec._urls import mask_url
from archsmith.spec._urls import strip_ansi
from archsmith.spec._yaml import Loc
from archsmith.spec._yaml import Source
from archsmith.spec._yaml import dotted
from archsmith.spec._yaml import parse_yaml
from archsmith.spec._yaml import read_yaml
from archsmith.spec.metrics import COST_OBJECTIVES
from archsmith.spec.metrics import METRICS
from archsmith.spec.metrics import Direction
from archsmith.spec.metrics import default_metric
from archsmith.spec.metrics import direction
from archsmith.spec.metrics import metric_names

__all__ = [
    "ANOMALY_METRICS",
    "CLASSIFICATION_METRICS",
    "CLUSTERING_METRICS",
    "COST_OBJECTIVES",
    "ENGINE_ALGORITHMS",
    "ENGINE_CAPABILITIES",
    "FORECASTING_METRICS",
    "GENERATION_METRICS",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "METRICS",
    "MULTILABEL_METRICS",
    "PRESETS",
    "PROXIES",
    "REGRESSION_METRICS",
    "SIMILARITY_METRICS",
    "AnomalyDetectionTask",
    "ClassificationTask",
    "ClusteringTask",
    "DataSpec",
    "Direction",
    "EngineCapabilities",
    "Experiment",
    "ForecastingTask",
    "GenerationTask",
    "Loc",
    "MultilabelTask",
    "PrescreenSpec",
    "RegressionTask",
    "SearchSpec",
    "SimilarityTask",
    "Source",
    "SplitSpec",
    "TrackingSpec",
    "TrainingSpec",
    "default_metric",
    "did_you_mean",
    "direction",
    "dotted",
    "issues_from_validation",
    "load_experiment",
    "mask_password",
    "mask_secrets",
    "mask_url",
    "metric_names",
    "parse_yaml",
    "prescreen_support",
    "read_yaml",
    "read_yaml_text",
    "strip_ansi",
]
