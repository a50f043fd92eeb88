"""What builders understand: block names, their arguments and the valid values of each.

Builders publish a :class:`Catalog`; the search-space parser checks every literal and every
param domain against it, so a space that validates can be built in every trial.
"""

from __future__ import annotations

from collections.abc import Callable
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
        return _EXPECTED[self.kind](self)

    def accepts(self, value: Any) -> bool:
        """Whether one concrete value is valid for this argument."""
        return _ACCEPTS[self.kind](self, value)


def _expected_number(arg: Arg, noun: str) -> str:
    if arg.low is not None and arg.high is not None:
        return f"{noun} in [{arg.low:g}, {arg.high:g}]"
    if arg.low is not None:
        return f"{noun} >= {arg.low:g}"
    if arg.high is not None:
        return f"{noun} <= {arg.high:g}"
    return noun


def _accepts_number(arg: Arg, value: Any, *, integer: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if integer and not float(value).is_integer():
        return False
    if arg.low is not None and value < arg.low:
        return False
    return not (arg.high is not None and value > arg.high)


#: what each kind of argument accepts, and how its valid values are described
_ACCEPTS: dict[str, Callable[[Arg, Any], bool]] = {
    "bool": lambda arg, value: isinstance(value, bool),
    "str": lambda arg, value: (
        isinstance(value, str) and (arg.values is None or value in arg.values)
    ),
    "int": lambda arg, value: _accepts_number(arg, value, integer=True),
    "float": lambda arg, value: _accepts_number(arg, value, integer=False),
}
_EXPECTED: dict[str, Callable[[Arg], str]] = {
    "bool": lambda arg: "true or false",
    "str": lambda arg: "one of: " + ", ".join(arg.values) if arg.values else "a string",
    "int": lambda arg: _expected_number(arg, "an integer"),
    "float": lambda arg: _expected_number(arg, "a number"),
}


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
