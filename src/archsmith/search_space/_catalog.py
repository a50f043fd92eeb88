"""What builders understand: block names, their arguments and the valid values of each.

Builders publish a :class:`Catalog`; the search-space parser checks every literal and every
param domain against it, so a space that validates can be built in every trial.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

_MISSING: Any = object()


@dataclass(frozen=True)
class Arg:
    """One argument of a block.

    Attributes:
        kind: value type: ``int``, ``float``, ``str`` or ``bool``.
        default: value used when the space omits the argument (absent = required).
        low, high: inclusive bounds for numbers.
        values: the valid strings for ``str`` arguments.
        only_with: ``(sibling, values)``: the argument only applies when the sibling argument
            takes one of ``values`` (e.g. ``momentum`` only with ``name: sgd``).
        description: one line for docs and errors.
    """

    kind: Literal["int", "float", "str", "bool"]
    default: Any = _MISSING
    low: float | None = None
    high: float | None = None
    values: tuple[str, ...] | None = None
    only_with: tuple[str, tuple[str, ...]] | None = None
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is _MISSING

    def expected(self) -> str:
        """Human description of the valid values."""
        if self.kind == "str" and self.values:
            return "one of: " + ", ".join(self.values)
        if self.kind == "bool":
            return "true or false"
        noun = "an integer" if self.kind == "int" else "a number"
        if self.low is not None and self.high is not None:
            return f"{noun} in [{self.low:g}, {self.high:g}]"
        if self.low is not None:
            return f"{noun} >= {self.low:g}"
        if self.high is not None:
            return f"{noun} <= {self.high:g}"
        return noun

    def accepts(self, value: Any) -> bool:
        """Whether one concrete value is valid for this argument."""
        if self.kind == "bool":
            return isinstance(value, bool)
        if self.kind == "str":
            return isinstance(value, str) and (self.values is None or value in self.values)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.kind == "int" and not float(value).is_integer():
            return False
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)


@dataclass(frozen=True)
class BlockSpec:
    """A block (or a section such as ``optimizer``) and its arguments."""

    name: str
    args: Mapping[str, Arg]
    description: str = ""
    inputs: tuple[str, ...] = ("tabular",)


@dataclass(frozen=True)
class Catalog:
    """Everything a search space may name.

    Attributes:
        blocks: model blocks by name (``dense_stack`` …), used under ``model:``.
        sections: other top-level sections with arguments (``optimizer``).
        scalars: top-level single values (``batch_size``).
    """

    blocks: Mapping[str, BlockSpec]
    sections: Mapping[str, BlockSpec] = field(default_factory=dict)
    scalars: Mapping[str, Arg] = field(default_factory=dict)
