"""Model slots: blocks, sequences, choices between slots and repeated cells, nested freely.

A slot is written as one of:

- a block, ``{dense_stack: {units: 64}}``;
- a list of slots, applied in order (``[]``: no block, the identity);
- a choice, ``{type: choice, values: [slot, ...]}``, whose options are any slots;
- a repeat, ``{repeat: {times: 3, cell: slot, share: false}}``.

Names follow the dotted path of each place: a choice at ``P`` is the param ``P`` and its
option labelled ``L`` lives at ``P.L``; item ``j`` of a list at ``P`` lives at ``P.j``;
a repeat at ``P`` has ``P.repeat.times`` and its cells at ``P.repeat.cell.<k>`` (one
shared cell: ``P.repeat.cell``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import Protocol

from archsmith.search_space._catalog import Arg
from archsmith.search_space._catalog import BlockSpec
from archsmith.search_space._catalog import Catalog
from archsmith.search_space._defs import BoolDef
from archsmith.search_space._defs import ChoiceDef
from archsmith.search_space._defs import FloatDef
from archsmith.search_space._defs import IntDef
from archsmith.search_space._defs import is_param
from archsmith.search_space._params import Choice
from archsmith.search_space._params import Condition
from archsmith.search_space._params import Domain
from archsmith.search_space._params import Int
from archsmith.search_space._params import Param
from archsmith.search_space._space import Block
from archsmith.search_space._space import BlockRef
from archsmith.search_space._space import Ref
from archsmith.search_space._space import Repeat
from archsmith.search_space._space import Seq
from archsmith.spec import did_you_mean

Loc = tuple[str | int, ...]


class _Parser(Protocol):
    """What slot parsing needs from the space parser (``_parse._Parser``)."""

    catalog: Catalog
    virtual: dict[Loc, Loc]

    def name(self, loc: Loc) -> str: ...
    def error(self, loc: Loc, message: str) -> None: ...
    def param_def(self, raw: Any, loc: Loc) -> IntDef | FloatDef | ChoiceDef | BoolDef | None: ...
    def value(self, raw: Any, arg: Arg, loc: Loc, conds: tuple[Condition, ...]) -> Any: ...
    def args(self, spec: BlockSpec, raw: Any, loc: Loc, conds: tuple[Condition, ...]) -> Any: ...
    def domain_of(self, name: str) -> Domain: ...
    def add_choice(self, param: Param, loc: Loc, when: Mapping[str, Any] | None) -> None: ...


#: How many times a cell may repeat.
TIMES = Arg("int", low=1, high=64, description="number of repetitions of the cell")
_REPEAT_KEYS = ("times", "cell", "share")


def slot(p: _Parser, raw: Any, loc: Loc, conds: tuple[Condition, ...]) -> Any:
    """The template node of the slot ``raw`` at ``loc``; None after reporting an error."""
    if is_param(raw):
        return choice(p, raw, loc, conds)
    if isinstance(raw, list):
        items = (slot(p, item, (*loc, j), conds) for j, item in enumerate(raw))
        return Seq(tuple(i for i in items if i is not None))
    if isinstance(raw, Mapping) and len(raw) == 1 and "repeat" in raw:
        return repeat(p, raw["repeat"], (*loc, "repeat"), conds)
    block = block_name(p, raw, loc)
    if block is None:
        return None
    return Block(
        block,
        p.args(p.catalog.blocks[block], raw[block], (*loc, block), conds),
        p.name((*loc, block)),
    )


def choice(p: _Parser, raw: Any, loc: Loc, conds: tuple[Condition, ...]) -> BlockRef | None:
    d = p.param_def(raw, loc)
    if d is None:
        return None
    if not isinstance(d, ChoiceDef):
        p.error(
            (*loc, "type"),
            "a model slot takes a block or a choice between "
            f"blocks; expected type: choice, got {d.type!r}",
        )
        return None
    name = p.name(loc)
    options: dict[str, Any] = {}
    for i, option in enumerate(d.values):
        base = _kind(p, option, (*loc, "values", i))
        if base is None:
            continue
        label = base if base not in options else f"{base}_{i}"
        sub = (*conds, Condition(name, (label,)))
        at = (*loc, label)
        node: Any
        if base == "repeat":
            node = repeat(p, option["repeat"], at, sub)
        elif base in ("choice", "sequence", "identity"):
            node = slot(p, option, at, sub)
        else:  # a block: its arguments live at P.label, as the label names the block
            node = Block(base, p.args(p.catalog.blocks[base], option[base], at, sub), p.name(at))
        if node is not None:
            options[label] = node
    if not options:
        return None
    p.add_choice(Param(name, Choice(tuple(options), blocks=True), conds), loc, d.when)
    return BlockRef(name, options)


def _kind(p: _Parser, option: Any, loc: Loc) -> str | None:
    """The label an option of a block choice gets before de-duplication."""
    if is_param(option):
        return "choice"
    if isinstance(option, list):
        return "sequence" if option else "identity"
    if isinstance(option, Mapping) and len(option) == 1 and "repeat" in option:
        return "repeat"
    return block_name(p, option, loc)


def repeat(p: _Parser, raw: Any, loc: Loc, conds: tuple[Condition, ...]) -> Repeat | None:
    """A repeated cell at ``loc`` (the ``repeat`` key, or the label of a choice option)."""
    if not isinstance(raw, Mapping) or "times" not in raw or "cell" not in raw:
        p.error(loc, "expected {times: N or an int param, cell: a slot, share: false}")
        return None
    for key in raw:
        if key not in _REPEAT_KEYS:
            p.error(
                (*loc, key),
                f"unknown key '{key}' of repeat; expected one of: {', '.join(_REPEAT_KEYS)}"
                f"{did_you_mean(str(key), _REPEAT_KEYS)}",
            )
    share = raw.get("share", False)
    if not isinstance(share, bool):
        p.error((*loc, "share"), f"got {share!r}; expected true or false")
        return None
    times = p.value(raw["times"], TIMES, (*loc, "times"), conds)
    if times is None:
        return None
    counts = _counts(p, times)
    if share:
        extra = _more_than(times, counts, 0)
        cell = slot(p, raw["cell"], (*loc, "cell"), (*conds, *extra))
        return None if cell is None else Repeat(times, (cell,), shared=True)
    cells = []
    for k in range(int(max(counts))):
        at = (*loc, "cell", k)
        p.virtual[at] = (*loc, "cell")  # errors in cell k are reported once, at the cell
        cell = slot(p, raw["cell"], at, (*conds, *_more_than(times, counts, k)))
        if cell is None:
            return None
        cells.append(cell)
    return Repeat(times, tuple(cells), shared=False)


def _counts(p: _Parser, times: int | Ref) -> tuple[Any, ...]:
    """Every value the repetition count can take (a choice's values keep their type)."""
    if not isinstance(times, Ref):
        return (times,)
    domain = p.domain_of(times.name)
    if isinstance(domain, Int):
        return tuple(range(domain.low, domain.high + 1, domain.step))
    assert isinstance(domain, Choice)  # what an int argument takes besides an int param
    return domain.values


def _more_than(times: int | Ref, counts: tuple[Any, ...], k: int) -> tuple[Condition, ...]:
    """The condition that repetition ``k`` (0-based) exists: ``times`` active and above k."""
    if not isinstance(times, Ref):
        return ()
    return (Condition(times.name, tuple(c for c in counts if c > k)),)


def block_name(p: _Parser, raw: Any, loc: Loc) -> str | None:
    blocks = p.catalog.blocks
    if not isinstance(raw, Mapping) or len(raw) != 1:
        p.error(
            loc,
            "expected a block as {name: {arguments}}, e.g. {dense_stack: {units: 64}}, "
            "a list of blocks, a {type: choice, values: [...]} or a {repeat: {times, cell}}; "
            f"known blocks: {', '.join(blocks)}",
        )
        return None
    (block,) = raw
    if block not in blocks:
        p.error(
            loc,
            f"unknown block '{block}'; expected one of: {', '.join(blocks)}"
            f"{did_you_mean(str(block), blocks)}",
        )
        return None
    return str(block)
