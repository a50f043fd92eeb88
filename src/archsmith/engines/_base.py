"""The engine contract: ask for a trial's params, tell its outcome."""

from __future__ import annotations

import abc
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import ClassVar
from typing import Literal

from archsmith.search_space import Params
from archsmith.search_space import SearchSpace


class TrialState(str, enum.Enum):
    """Where a trial ended. PRUNED comes only from a pruner, FAILED from an error."""

    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    PRUNED = "PRUNED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self is not TrialState.RUNNING


@dataclass(frozen=True)
class EngineCapabilities:
    """What an engine can do; the runner and the declaration checks read this."""

    algorithms: tuple[str, ...]
    resume: bool
    pruning: bool = False


@dataclass(frozen=True)
class Trial:
    """A live trial handed out by ``ask``: its number and the params to evaluate."""

    number: int
    params: Params
    handle: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class TrialRecord:
    """A trial as stored by the engine (frozen), e.g. when a search is resumed."""

    number: int
    state: TrialState
    value: float | None
    params: Params
    attrs: Mapping[str, Any] = field(default_factory=dict)


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
    ) -> None:
        self.space = space
        self.name = name
        self.direction = direction
        self.algorithm = algorithm
        self.seed = seed
        self.storage = storage
        self.resume = resume

    @property
    @abc.abstractmethod
    def search_id(self) -> str:
        """Identifies this search in the engine's storage."""

    @abc.abstractmethod
    def ask(self) -> Trial:
        """Start a trial and sample values for its active params."""

    @abc.abstractmethod
    def tell(
        self,
        trial: Trial,
        state: TrialState,
        value: float | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        """Record how ``trial`` ended; ``value`` is required for COMPLETE."""

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

    def complete_stale(self, number: int, value: float, attrs: Mapping[str, Any]) -> None:
        """Mark a lost trial COMPLETE with a value recorded elsewhere (the tracker)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no trials beyond its process")
