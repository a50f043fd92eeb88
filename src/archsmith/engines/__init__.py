"""Search engines behind one ask/tell contract."""

from __future__ import annotations

from typing import Any

from archsmith.engines._base import Engine
from archsmith.engines._base import EngineCapabilities
from archsmith.engines._base import SearchExhausted
from archsmith.engines._base import Trial
from archsmith.engines._base import TrialRecord
from archsmith.engines._base import TrialState
from archsmith.exceptions import SpecError

__all__ = [
    "ENGINES",
    "Engine",
    "EngineCapabilities",
    "SearchExhausted",
    "Trial",
    "TrialRecord",
    "TrialState",
    "engine_class",
    "make_engine",
    "read_trials",
]

ENGINES = ("optuna", "random", "kerastuner")


def engine_class(name: str) -> type[Engine]:
    """The engine class for a declaration's ``search.engine``."""
    if name == "optuna":
        from archsmith.engines._optuna import OptunaEngine

        return OptunaEngine
    if name == "random":
        from archsmith.engines._random import RandomEngine

        return RandomEngine
    if name == "kerastuner":
        from archsmith.engines._kerastuner import KerasTunerEngine

        return KerasTunerEngine
    raise SpecError(
        f"unknown engine {name!r}; expected one of: {', '.join(ENGINES)}", path="search.engine"
    )


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
