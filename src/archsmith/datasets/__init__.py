"""Data: reading tables, images, sequences, texts, graphs and pairs; schemas, targets, splits.

:func:`load_dataset` hands the data to the loader of its task (``LOADERS``); each data kind
has its own module, and every loader builds the :class:`Dataset` of ``_base``.
"""

from archsmith.datasets._arrays import ARRAY_KEYS
from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._base import MIN_ROWS
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import split_indices
from archsmith.datasets._examples import Examples
from archsmith.datasets._examples import network_inputs
from archsmith.datasets._examples import read_examples
from archsmith.datasets._folds import fold_datasets
from archsmith.datasets._folds import fold_indices
from archsmith.datasets._folds import pooled
from archsmith.datasets._folds import refit_rows
from archsmith.datasets._folds import scored_rows
from archsmith.datasets._graph_read import Graph
from archsmith.datasets._graph_read import read_graph
from archsmith.datasets._graph_read import save_graphs
from archsmith.datasets._graphs import ADJACENCY_KEY
from archsmith.datasets._graphs import FEATURES_KEY
from archsmith.datasets._graphs import MASK_KEY
from archsmith.datasets._graphs import NODE_KEY
from archsmith.datasets._graphs import GraphSchema
from archsmith.datasets._graphs import read_graphs
from archsmith.datasets._loaders import LOADERS
from archsmith.datasets._loaders import load_dataset
from archsmith.datasets._pairs import PairSchema
from archsmith.datasets._pairs import SimilarityDataset
from archsmith.datasets._pairs import draw_pairs
from archsmith.datasets._pairs import draw_triplets
from archsmith.datasets._readers import as_frame
from archsmith.datasets._readers import as_target
from archsmith.datasets._readers import read_table
from archsmith.datasets._sanity import FLOAT32_MAX
from archsmith.datasets._sanity import check_columns
from archsmith.datasets._sanity import check_finite
from archsmith.datasets._sanity import check_unique_names
from archsmith.datasets._schema import NUMERIC_KEY
from archsmith.datasets._schema import ONE_HOT_MAX
from archsmith.datasets._schema import Column
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._schema import build_schema
from archsmith.datasets._schema import read_schema
from archsmith.datasets._series import seasonal_naive
from archsmith.datasets._sklearn_rules import SKLEARN_TASKS
from archsmith.datasets._sklearn_rules import check_sklearn_arrays
from archsmith.datasets._sklearn_rules import check_sklearn_target
from archsmith.datasets._spaces import default_spaces
from archsmith.datasets._targets import TARGET_KINDS
from archsmith.datasets._targets import Target
from archsmith.datasets._targets import TargetKind
from archsmith.datasets._targets import encode_targets
from archsmith.datasets._texts import TextSchema

__all__ = [
    "ADJACENCY_KEY",
    "ARRAY_KEYS",
    "FEATURES_KEY",
    "FLOAT32_MAX",
    "LOADERS",
    "MASK_KEY",
    "MIN_ROWS",
    "NODE_KEY",
    "NUMERIC_KEY",
    "ONE_HOT_MAX",
    "SKLEARN_TASKS",
    "TARGET_KINDS",
    "ArraySchema",
    "Column",
    "Dataset",
    "Examples",
    "Graph",
    "GraphSchema",
    "InputSchema",
    "PairSchema",
    "SimilarityDataset",
    "Split",
    "Target",
    "TargetKind",
    "TextSchema",
    "as_frame",
    "as_target",
    "build_schema",
    "check_columns",
    "check_finite",
    "check_sklearn_arrays",
    "check_sklearn_target",
    "check_unique_names",
    "default_spaces",
    "draw_pairs",
    "draw_triplets",
    "encode_targets",
    "fingerprint",
    "fold_datasets",
    "fold_indices",
    "load_dataset",
    "network_inputs",
    "pooled",
    "read_examples",
    "read_graph",
    "read_graphs",
    "read_schema",
    "read_table",
    "refit_rows",
    "save_graphs",
    "scored_rows",
    "seasonal_naive",
    "split_indices",
]
