"""Search engines behind one ask/tell contract."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from archsmith.engines._base import Engine
from archsmith.engines._base import EngineCapabilities
from archsmith.engines._base import SearchExhausted
from archsmith.engines._base import Trial
from archsmith.engines._base import TrialRecord
from archsmith.engines._base import TrialState
from archsmith.engines._random import sample_params
from archsmith.exceptions import SpecError
from archsmith.spec import ENGINE_CAPABILITIES

__all__ = [
    "ENGINES",
    "Engine",
    "EngineCapabilities",
    "SearchExhausted",
    "Trial",
    "TrialRecord",
    "TrialState",
    "default_storage",
    "engine_class",
    "make_engine",
    "read_trials",
    "sample_params",
]

#: Where each engine's class lives (imported when that engine is used).
_CLASSES = {
    "optuna": ("archsmith.engines._optuna", "OptunaEngine"),
    "random": ("archsmith.engines._random", "RandomEngine"),
    "kerastuner": ("archsmith.engines._kerastuner", "KerasTunerEngine"),
}
ENGINES = tuple(_CLASSES)


def engine_class(name: str) -> type[Engine]:
    """The engine class for a declaration's ``search.engine``."""
    if name not in _CLASSES:
        raise SpecError(
            f"unknown engine {name!r}; expected one of: {', '.join(ENGINES)}",
            path="search.engine",
        )
    module, cls = _CLASSES[name]
    engine: type[Engine] = getattr(importlib.import_module(module), cls)
    return engine


def default_storage(kind: str, folder: Path) -> str:
    """The storage engine ``kind`` keeps its trials in, inside tracking folder ``folder``,
    when the declaration names none (``optuna.journal``; KerasTuner: a folder)."""
    return str(folder / ENGINE_CAPABILITIES[kind].default_storage)


def make_engine(kind: str, *args: Any, **kwargs: Any) -> Engine:
    """Create engine ``kind``, checking the algorithm and resume against its capabilities."""
    cls = engine_class(kind)
    algorithm = kwargs.get("algorithm") or cls.capabilities.algorithms[0]
    kwargs["algorithm"] = algorithm
    if algorithm not in cls.capabilities.algorithms:
        raise SpecError(
            f"engine '{kind}' has no algorithm {algorithm!r}; expected one of: "
            f"{', '.join(cls.capabilities.algorithms)}",
            path="search.algorithm",
        )
    if (kwargs.get("resume") or kwargs.get("join")) and not cls.capabilities.resume:
        raise SpecError(
            f"engine '{kind}' keeps trials in memory and cannot resume; use engine: optuna",
            path="search.engine",
        )
    if len(kwargs.get("directions") or ()) > 1 and not cls.capabilities.multi_objective:
        raise SpecError(
            f"engine '{kind}' searches one objective; use engine: optuna for several",
            path="search.objectives",
        )
    if kwargs.get("pruner", "none") != "none" and not cls.capabilities.pruning:
        raise SpecError(
            f"engine '{kind}' cannot prune trials; use engine: optuna or pruner: none",
            path="search.pruner",
        )
    return cls(*args, **kwargs)


def read_trials(storage: str, search_id: str) -> list[TrialRecord]:
    """The trials of search ``search_id`` in an Optuna storage, read only."""
    from archsmith.engines._optuna import read_trials as read

    return read(storage, search_id)
