"""archsmith: declarative AutoML and neural architecture search on Keras 3.

Importing archsmith is cheap: Keras, TensorFlow and MLflow load when a search runs.

Example:
    >>> import archsmith
    >>> archsmith.__version__
    '0.1.0'
"""

from __future__ import annotations

import logging
from typing import Any

from archsmith._version import __version__
from archsmith.devices import select_backend as _select_backend
from archsmith.exceptions import ArchsmithError
from archsmith.exceptions import DataError
from archsmith.exceptions import NotFound
from archsmith.exceptions import SpecError
from archsmith.exceptions import TrialFailed

logging.getLogger("archsmith").addHandler(logging.NullHandler())
# archsmith[gpu] on an NVIDIA machine trains on JAX's GPU unless the user chose a backend
_select_backend()

__all__ = [
    "ArchsmithError",
    "AutoModel",
    "Classifier",
    "DataError",
    "NotFittedError",
    "NotFound",
    "Regressor",
    "SpecError",
    "TrialFailed",
    "__version__",
    "load_experiment",
    "load_model",
    "run_search",
]

_LAZY = {
    "AutoModel": "archsmith.estimator",
    "Classifier": "archsmith.estimator",
    "Regressor": "archsmith.estimator",
    "run_search": "archsmith.runner",
    "load_experiment": "archsmith.spec",
    "load_model": "archsmith.builders",
    "NotFittedError": "archsmith.exceptions",  # subclasses scikit-learn's: imported on use
}


#: the lazy names whose modules load Keras (and so TensorFlow's start-up lines)
_KERAS = {"AutoModel", "Classifier", "Regressor", "run_search", "load_model"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        if name in _KERAS:
            from archsmith.quiet import import_backend_quietly

            import_backend_quietly()
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'archsmith' has no attribute {name!r}")
