"""The engine contract: ask for a trial's params, tell its outcome."""

from __future__ import annotations

import abc
import enum
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import ClassVar
from typing import Literal

from archsmith.exceptions import ArchsmithError
from archsmith.search_space import Params
from archsmith.search_space import SearchSpace
from archsmith.spec import EngineCapabilities

Direction = Literal["maximize", "minimize"]
#: What ``tell`` takes for a COMPLETE trial: one value, or one per objective.
Values = float | Sequence[float]


class SearchExhausted(ArchsmithError):
    """The algorithm has no new point to try (a finished grid, an exhausted space)."""


class TrialState(str, enum.Enum):
    """Where a trial ended. PRUNED comes only from a pruner, FAILED from an error."""

    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    PRUNED = "PRUNED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self is not TrialState.RUNNING


def as_values(value: Values | None) -> tuple[float, ...]:
    """``tell``'s value as a tuple: one value per objective (empty for None)."""
    if value is None:
        return ()
    if isinstance(value, int | float):
        return (float(value),)
    return tuple(float(v) for v in value)


@dataclass(frozen=True)
class Trial:
    """A live trial handed out by ``ask``: its number and the params to evaluate.

    ``epochs`` is the trial's epoch budget when a multi-fidelity algorithm (KerasTuner's
    hyperband) sets one; None means ``training.epochs``.
    """

    number: int
    params: Params
    handle: Any = field(default=None, repr=False, compare=False)
    epochs: int | None = None


@dataclass(frozen=True)
class TrialRecord:
    """A trial as stored by the engine (frozen), e.g. when a search is resumed.

    ``value`` is the first objective's value; ``values`` has one per objective.
    """

    number: int
    state: TrialState
    value: float | None
    params: Params
    attrs: Mapping[str, Any] = field(default_factory=dict)
    values: tuple[float, ...] = ()


class Engine(abc.ABC):
    """Samples params from a :class:`SearchSpace` and learns from the outcomes.

    Engines see only the typed space; they never import Keras or MLflow.

    Args:
        space: the validated search space.
        name: the search's name (studies are named after it).
        direction: ``maximize`` or ``minimize`` the value passed to ``tell``.
        algorithm: one of ``capabilities.algorithms``.
        seed: sampler seed, or None.
        storage: storage URL for engines that persist trials.
        resume: continue the latest search called ``name`` instead of starting one.
        directions: one direction per objective for a multi-objective search (then
            ``tell`` takes one value per objective); None for one objective.
        pruner: ``none`` or the pruner deciding, from ``report``, to stop a trial early.
        max_epochs: the most epochs a trial trains (multi-fidelity budgets, pruners).
    """

    capabilities: ClassVar[EngineCapabilities]

    def __init__(
        self,
        space: SearchSpace,
        *,
        name: str,
        direction: Literal["maximize", "minimize"],
        algorithm: str,
        seed: int | None = None,
        storage: str | None = None,
        resume: bool = False,
        directions: Sequence[Direction] | None = None,
        pruner: str = "none",
        max_epochs: int | None = None,
    ) -> None:
        self.space = space
        self.name = name
        self.direction = direction
        self.algorithm = algorithm
        self.seed = seed
        self.storage = storage
        self.resume = resume
        self.directions: tuple[Direction, ...] = tuple(directions or (direction,))
        self.pruner = pruner
        self.max_epochs = max_epochs
        self._queue: list[dict[str, Any]] = []

    @property
    def multi_objective(self) -> bool:
        return len(self.directions) > 1

    def enqueue(self, params: Params) -> None:
        """Evaluate ``params`` (checked against the space) before any sampled point."""
        self._queue.append(dict(params))

    def queued(self) -> int:
        """Points enqueued and not asked for yet (they come before any sampled point)."""
        return len(self._queue)

    def report(self, trial: Trial, step: int, value: float) -> bool:
        """Record an intermediate value after epoch ``step``; True: stop (prune) the trial.

        Only engines with ``capabilities.pruning`` are given a pruner (the declaration
        checks refuse one elsewhere), so the base class refuses to be asked.
        """
        raise TypeError(f"engine {type(self).__name__} does not prune trials")

    @property
    @abc.abstractmethod
    def search_id(self) -> str:
        """Identifies this search in the engine's storage."""

    @abc.abstractmethod
    def ask(self) -> Trial:
        """Start a trial and sample values for its active params (queued points first).

        Raises:
            SearchExhausted: the algorithm has no new point to try.
        """

    @abc.abstractmethod
    def tell(
        self,
        trial: Trial,
        state: TrialState,
        value: Values | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        """Record how ``trial`` ended; ``value`` (one per objective) is required for COMPLETE."""

    @abc.abstractmethod
    def trials(self) -> list[TrialRecord]:
        """Every trial of this search so far, in order."""

    @abc.abstractmethod
    def fail_stale(self, number: int, reason: str) -> None:
        """Mark a trial left RUNNING by a dead process as FAILED."""

    @abc.abstractmethod
    def get_metadata(self) -> dict[str, Any]:
        """Search-level values stored with the search (e.g. the tracking run id)."""

    @abc.abstractmethod
    def set_metadata(self, key: str, value: Any) -> None:
        """Store a search-level value."""

    # -- reliability (several workers, lost trials); engines that cannot resume keep these --
    def annotate(self, trial: Trial, attrs: Mapping[str, Any]) -> None:  # noqa: B027
        """Store values on a running trial as soon as they are known (default: nothing)."""

    def lost_trials(self, *, stopped: bool = False) -> list[TrialRecord]:
        """RUNNING trials whose worker is gone (default: none; in-memory engines)."""
        return []

    def give_back(self, trial: Trial) -> None:
        """End a trial asked for but not run, so that it is not one of :meth:`trials` (it
        took a place beyond ``max_trials``: another worker asked at the same instant).
        Only engines that several workers share see this (default: refused)."""
        raise NotImplementedError(f"{type(self).__name__} is not shared by several workers")

    def complete_stale(self, number: int, value: float, attrs: Mapping[str, Any]) -> None:
        """Mark a lost trial COMPLETE with a value recorded elsewhere (the tracker)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no trials beyond its process")
