"""Data: loading tables, schema inference, splits."""

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._dataset import Dataset
from archsmith.datasets._dataset import Split
from archsmith.datasets._dataset import as_frame
from archsmith.datasets._dataset import as_target
from archsmith.datasets._dataset import load_dataset
from archsmith.datasets._dataset import read_table
from archsmith.datasets._graphs import GraphSchema
from archsmith.datasets._graphs import save_graphs
from archsmith.datasets._kinds import default_spaces
from archsmith.datasets._pairs import PairSchema
from archsmith.datasets._pairs import SimilarityDataset
from archsmith.datasets._sanity import FLOAT32_MAX
from archsmith.datasets._sanity import check_columns
from archsmith.datasets._sanity import check_finite
from archsmith.datasets._sanity import check_unique_names
from archsmith.datasets._schema import Column
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._schema import Target
from archsmith.datasets._schema import build_schema
from archsmith.datasets._targets import encode_targets

__all__ = [
    "FLOAT32_MAX",
    "ArraySchema",
    "Column",
    "Dataset",
    "GraphSchema",
    "InputSchema",
    "PairSchema",
    "SimilarityDataset",
    "Split",
    "Target",
    "as_frame",
    "as_target",
    "build_schema",
    "check_columns",
    "check_finite",
    "check_unique_names",
    "default_spaces",
    "encode_targets",
    "load_dataset",
    "read_table",
    "save_graphs",
]
