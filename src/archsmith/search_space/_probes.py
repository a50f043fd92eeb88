"""Points that reach every branch of a space at the extreme ends of its params.

The build check (``builders.check_space``) builds one model per point before trial 0. A
point has every number at its ``low`` end, or every number at its ``high`` end; block
choices pick options not reached yet, so that every option of every block choice (in every
slot, every repeated cell, every nested choice) is built at both ends. Options that only a
middle value of some param makes active are not reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import Literal

from archsmith.search_space._params import Bool
from archsmith.search_space._params import Choice
from archsmith.search_space._params import Float
from archsmith.search_space._params import Int
from archsmith.search_space._params import Param
from archsmith.search_space._space import SearchSpace

End = Literal["low", "high"]
Item = tuple[str, Any]  # (block choice, option)


def branch_probes(space: SearchSpace) -> list[tuple[End, dict[str, Any]]]:
    """Points (with the end they sit at) that together build every reachable option.

    Example:
        >>> from archsmith.builders import CATALOG  # doctest: +SKIP
        >>> [end for end, _ in branch_probes(load_space("mlp", CATALOG))]  # doctest: +SKIP
        ['low', 'high']
    """
    under = _children(space)
    probes: list[tuple[End, dict[str, Any]]] = []
    ends: tuple[End, ...] = ("low", "high")
    for end in ends:
        todo = {(p.name, v) for p in space.block_choices() for v in p.domain.values}  # type: ignore[union-attr]
        first = True
        while first or todo:
            values: dict[str, Any] = {}
            for param in space.params:
                if param.is_active(values):
                    values[param.name] = _pick(param, end, todo, under)
            reached = {(n, v) for n, v in todo if n in values and values[n] == v}
            if not (first or reached):
                break  # what is left needs a middle value somewhere: not reachable here
            todo -= reached
            probes.append((end, values))
            first = False
    return probes


def _children(space: SearchSpace) -> dict[Item, list[Param]]:
    """For each option of a block choice: the block choices it directly activates."""
    under: dict[Item, list[Param]] = {}
    for param in space.block_choices():
        for cond in param.conditions:
            for value in cond.values:
                under.setdefault((cond.param, value), []).append(param)
    return under


def _pending(item: Item, todo: set[Item], under: Mapping[Item, list[Param]]) -> bool:
    """Whether ``item`` or an option below it is still to be reached."""
    return item in todo or any(
        _pending((child.name, v), todo, under)
        for child in under.get(item, ())
        for v in child.domain.values  # type: ignore[union-attr]
    )


def _pick(param: Param, end: End, todo: set[Item], under: Mapping[Item, list[Param]]) -> Any:
    d = param.domain
    if isinstance(d, Choice) and d.blocks:
        fresh = [v for v in d.values if (param.name, v) in todo]
        deeper = [v for v in d.values if _pending((param.name, v), todo, under)]
        return (fresh or deeper or list(d.values))[0]
    if isinstance(d, Int):
        return d.low if end == "low" else d.low + (d.high - d.low) // d.step * d.step
    if isinstance(d, Float):
        return d.low if end == "low" else d.high
    if isinstance(d, Choice):
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in d.values)
        if numbers:
            return (min if end == "low" else max)(d.values)  # type: ignore[type-var]
        return d.values[0] if end == "low" else d.values[-1]
    if isinstance(d, Bool):
        return end == "high"
    raise TypeError(f"unknown domain {d!r}")
