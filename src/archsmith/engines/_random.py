"""Reference engine: independent uniform sampling, in memory. No resume."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

import numpy as np

from archsmith.engines._base import Engine
from archsmith.engines._base import Trial
from archsmith.engines._base import TrialRecord
from archsmith.engines._base import TrialState
from archsmith.engines._base import Values
from archsmith.engines._base import as_values
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Domain
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import SearchSpace
from archsmith.spec import ENGINE_CAPABILITIES


def sample(domain: Domain, rng: np.random.Generator) -> Any:
    """One value of ``domain``, uniformly (log-uniformly where ``log``)."""
    if isinstance(domain, Int):
        if domain.log:
            value = math.exp(rng.uniform(math.log(domain.low), math.log(domain.high + 1)))
            return min(int(value), domain.high)
        steps = (domain.high - domain.low) // domain.step
        return domain.low + domain.step * int(rng.integers(0, steps + 1))
    if isinstance(domain, Float):
        if domain.log:
            return math.exp(rng.uniform(math.log(domain.low), math.log(domain.high)))
        if domain.step:
            steps = math.floor((domain.high - domain.low) / domain.step + 1e-9)
            return domain.low + domain.step * int(rng.integers(0, steps + 1))
        return float(rng.uniform(domain.low, domain.high))
    if isinstance(domain, Choice):
        return domain.values[int(rng.integers(0, len(domain.values)))]
    if isinstance(domain, Bool):
        return bool(rng.integers(0, 2))
    raise TypeError(f"unknown domain {domain!r}")


def sample_params(space: SearchSpace, rng: np.random.Generator) -> dict[str, Any]:
    """One point of ``space``: a value for every param active given the ones before it."""
    values: dict[str, Any] = {}
    for param in space.params:
        if param.is_active(values):
            values[param.name] = sample(param.domain, rng)
    return values


class RandomEngine(Engine):
    """Uniform random search; the reference every engine is compared with."""

    capabilities = ENGINE_CAPABILITIES["random"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rng = np.random.default_rng(self.seed)
        self._records: list[TrialRecord] = []
        self._meta: dict[str, Any] = {}
        self._id = f"{self.name}/{uuid.uuid4().hex[:8]}"

    @property
    def search_id(self) -> str:
        return self._id

    def ask(self) -> Trial:
        values: dict[str, Any] = {}
        given = self._queue.pop(0) if self._queue else {}
        for param in self.space.params:
            if param.is_active(values):
                if param.name in given:
                    values[param.name] = given[param.name]
                else:
                    values[param.name] = sample(param.domain, self._rng)
        number = len(self._records)
        self._records.append(TrialRecord(number, TrialState.RUNNING, None, values))
        return Trial(number, values)

    def tell(
        self,
        trial: Trial,
        state: TrialState,
        value: Values | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        values = as_values(value)
        self._records[trial.number] = TrialRecord(
            trial.number,
            state,
            values[0] if values else None,
            trial.params,
            dict(attrs or {}),
            values,
        )

    def trials(self) -> list[TrialRecord]:
        return list(self._records)

    def fail_stale(self, number: int, reason: str) -> None:
        old = self._records[number]
        self._records[number] = TrialRecord(
            number, TrialState.FAILED, None, old.params, {**old.attrs, "reason": reason}
        )

    def get_metadata(self) -> dict[str, Any]:
        return dict(self._meta)

    def set_metadata(self, key: str, value: Any) -> None:
        self._meta[key] = value
