"""What each engine can do, as data: the declaration checks and ``make_engine`` read it.

One frozen :class:`EngineCapabilities` per engine in :data:`ENGINE_CAPABILITIES`; a new
engine adds one row here (and its class in ``archsmith.engines``), and the checks of
``search:`` follow without an ``if engine == ...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EngineCapabilities:
    """What an engine can do.

    Attributes:
        label: the engine's name in messages (``KerasTuner``).
        algorithms: the algorithms it runs, its default first.
        resume: it keeps its trials beyond the process (``--resume``, several workers).
        pruning: it takes a pruner fed after every epoch.
        multi_objective_algorithms: the algorithms that search a Pareto front of several
            objectives (empty: one objective only).
        budget_algorithms: multi-fidelity algorithms that set each trial's epoch budget
            themselves (so they replay no given points and need ``training.epochs >= 2``).
        storage: what ``search.storage`` names: an Optuna storage (``*.journal`` file or
            database URL), a folder, or nothing (trials kept in memory).
        default_storage: the storage's name inside the tracking folder when none is given.

    Example:
        >>> ENGINE_CAPABILITIES["optuna"].pruning
        True
    """

    label: str
    algorithms: tuple[str, ...]
    resume: bool
    pruning: bool = False
    multi_objective_algorithms: tuple[str, ...] = ()
    budget_algorithms: tuple[str, ...] = ()
    storage: Literal["optuna", "folder", "memory"] = "optuna"
    default_storage: str = "optuna.journal"

    @property
    def multi_objective(self) -> bool:
        """It searches a Pareto front of several objectives (with some algorithm)."""
        return bool(self.multi_objective_algorithms)


ENGINE_CAPABILITIES: dict[str, EngineCapabilities] = {
    "optuna": EngineCapabilities(
        label="Optuna",
        algorithms=("tpe", "random", "cmaes", "gp", "grid", "nsga2"),
        resume=True,
        pruning=True,
        multi_objective_algorithms=("tpe", "random", "nsga2", "grid"),
    ),
    "random": EngineCapabilities(
        label="random",
        algorithms=("random",),
        resume=False,
        multi_objective_algorithms=("random",),
        storage="memory",
    ),
    "kerastuner": EngineCapabilities(
        label="KerasTuner",
        algorithms=("random", "bayesian", "hyperband"),
        resume=True,
        budget_algorithms=("hyperband",),
        storage="folder",
        default_storage="kerastuner",
    ),
}
#: The algorithms of each engine, its default first.
ENGINE_ALGORITHMS: dict[str, tuple[str, ...]] = {
    name: caps.algorithms for name, caps in ENGINE_CAPABILITIES.items()
}


def engines_that(can: str) -> list[str]:
    """The engines whose capability ``can`` (``pruning``, ``multi_objective``) holds."""
    return [name for name, caps in ENGINE_CAPABILITIES.items() if getattr(caps, can)]


def is_optuna_storage(storage: str) -> bool:
    """A database URL or a ``*.journal`` file (Optuna's storages), not a folder."""
    return "://" in storage or storage.endswith(".journal")
