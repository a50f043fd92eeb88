"""scikit-learn's own data rules (and messages) for the estimator's two scikit-learn tasks."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import check_array
from sklearn.utils.multiclass import type_of_target

from archsmith.exceptions import DataError

#: the tasks that follow scikit-learn's data rules
SKLEARN_TASKS = ("classification", "regression")


def check_sklearn_target(y: Any, task: str) -> Any:
    """scikit-learn's target rules for its two tasks: a column vector is flattened with a
    ``DataConversionWarning``; a classifier refuses a continuous target."""
    if task not in SKLEARN_TASKS or y is None or isinstance(y, str):
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


def check_sklearn_arrays(X: Any, y: Any, task: str) -> None:
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
    if X.ndim >= 2 or (numeric and task in SKLEARN_TASKS):
        check_array(X, dtype=None, ensure_all_finite=False, allow_nd=True)
