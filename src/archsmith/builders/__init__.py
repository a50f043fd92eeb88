"""Model builders: pure functions of (config, schema, task) -> keras.Model.

The builder assembles inputs (and their in-model preprocessing) -> the families' blocks
(``archsmith.families``) -> the task head. Importing this package is cheap; Keras is
imported when a model is built.
"""

from typing import Any

from archsmith.families import CATALOG

__all__ = [
    "CATALOG",
    "WeightedMean",
    "average_models",
    "build_model",
    "check_space",
    "codes_model",
    "count_params",
    "encoder_of",
    "export_model",
    "load_model",
    "model_facts",
    "takes_strings",
]


def __getattr__(name: str) -> Any:
    if name == "check_space":
        from archsmith.builders import _check

        return _check.check_space
    if name in ("WeightedMean", "average_models"):
        from archsmith.builders import _ensemble

        return getattr(_ensemble, name)
    if name == "encoder_of":
        from archsmith.builders import _heads

        return _heads.encoder_of
    if name in __all__ and name != "CATALOG":
        from archsmith.builders import _build

        return getattr(_build, name)
    raise AttributeError(f"module 'archsmith.builders' has no attribute {name!r}")
