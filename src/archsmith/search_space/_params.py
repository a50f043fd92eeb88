"""Param domains and conditions: validated value objects, engine-neutral."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Int:
    """Integers in ``[low, high]`` on a grid of ``step``, optionally log-scaled."""

    low: int
    high: int
    step: int = 1
    log: bool = False

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"`low <= high` must hold, but got low={self.low}, high={self.high}")
        if self.step < 1:
            raise ValueError(f"`step >= 1` must hold, but got step={self.step}")
        if self.log and self.low < 1:
            raise ValueError(f"log scale needs `low >= 1`, but got low={self.low}")
        if self.log and self.step != 1:
            raise ValueError(f"log scale cannot be combined with step={self.step}; drop one")

    def contains(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return self.low <= value <= self.high and (value - self.low) % self.step == 0

    def describe(self) -> str:
        extra = f", step {self.step}" if self.step != 1 else ""
        return f"int in [{self.low}, {self.high}]{extra}{', log' if self.log else ''}"


@dataclass(frozen=True)
class Float:
    """Reals in ``[low, high]``, optionally on a grid of ``step`` or log-scaled."""

    low: float
    high: float
    step: float | None = None
    log: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"bounds must be finite, but got low={self.low}, high={self.high}")
        if self.low > self.high:
            raise ValueError(f"`low <= high` must hold, but got low={self.low}, high={self.high}")
        if self.log and self.low <= 0:
            raise ValueError(f"log scale needs `low > 0`, but got low={self.low}")
        if self.step is not None and self.step <= 0:
            raise ValueError(f"`step > 0` must hold, but got step={self.step}")
        if self.log and self.step is not None:
            raise ValueError(f"log scale cannot be combined with step={self.step}; drop one")

    def contains(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return self.low <= value <= self.high

    def describe(self) -> str:
        extra = f", step {self.step:g}" if self.step else ""
        return f"float in [{self.low:g}, {self.high:g}]{extra}{', log' if self.log else ''}"


@dataclass(frozen=True)
class Choice:
    """One of ``values`` (scalars). ``blocks`` marks a choice between architectures."""

    values: tuple[Scalar, ...]
    blocks: bool = False

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("a choice needs at least one value")
        if len(set(map(repr, self.values))) != len(self.values):
            raise ValueError(f"choice values must be distinct, but got {list(self.values)}")

    def contains(self, value: Any) -> bool:
        return any(type(v) is type(value) and v == value for v in self.values)

    def describe(self) -> str:
        return "one of " + ", ".join(map(str, self.values))


@dataclass(frozen=True)
class Bool:
    """``True`` or ``False``."""

    def contains(self, value: Any) -> bool:
        return isinstance(value, bool)

    def describe(self) -> str:
        return "true or false"


Domain = Int | Float | Choice | Bool


@dataclass(frozen=True)
class Condition:
    """Active only when param ``param`` takes one of ``values``."""

    param: str
    values: tuple[Scalar, ...]

    def holds(self, values: Mapping[str, Any]) -> bool:
        return self.param in values and any(
            type(v) is type(values[self.param]) and v == values[self.param] for v in self.values
        )


@dataclass(frozen=True)
class Param:
    """A searchable value, named by its dotted path in the space file."""

    name: str
    domain: Domain
    conditions: tuple[Condition, ...] = ()

    def is_active(self, values: Mapping[str, Any]) -> bool:
        """Whether every condition holds for the values sampled so far."""
        return all(c.holds(values) for c in self.conditions)
