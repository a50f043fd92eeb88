"""The engine-neutral search space and the resolution of sampled params into a config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import cast

from archsmith.exceptions import SpecError
from archsmith.search_space._params import Choice
from archsmith.search_space._params import Condition
from archsmith.search_space._params import Param

#: The plain, flat mapping of active params a trial evaluates: dotted name -> value.
Params = Mapping[str, Any]


@dataclass(frozen=True)
class Ref:
    """Template leaf standing for the value of param ``name``."""

    name: str


@dataclass(frozen=True)
class Block:
    """Template node of one block: its catalog name, arguments and dotted path."""

    name: str
    args: Any
    path: str


@dataclass(frozen=True)
class BlockRef:
    """Template node choosing between slots: ``options`` maps a label to a slot node.

    A slot node is a :class:`Block`, a :class:`Seq`, a :class:`Repeat` or a further
    :class:`BlockRef`; the ``family`` choice among whole spaces maps names to templates.
    """

    name: str
    options: Mapping[str, Any]


@dataclass(frozen=True)
class Seq:
    """Template node of slots applied in order (``model:`` itself, or a list option)."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class Repeat:
    """Template node repeating a cell ``times`` times (a literal or a :class:`Ref`).

    ``cells`` holds one slot node per possible repetition, or a single one when ``shared``.
    """

    times: int | Ref
    cells: tuple[Any, ...]
    shared: bool


#: The choices (name, label) that lead to a block of a resolved model, outermost first.
Branch = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SearchSpace:
    """A validated search space.

    Attributes:
        name: the space's name (``mlp``), or ``a+b`` for a choice among spaces.
        params: every searchable param, ordered so that conditions only name earlier ones.
        template: the space's structure with :class:`Ref`/:class:`BlockRef` at searched places.
        fixed: literal values logged beside the params (``family``).
        inputs: data kinds the space serves (``tabular`` …).
        sources: the YAML text of each space file, by space name (logged with each search).
        first_trials: known-good points (published shapes) the space file asks to be
            evaluated before any sampled point, each checked against the space.
    """

    name: str
    params: tuple[Param, ...]
    template: Any
    fixed: Mapping[str, Any]
    inputs: tuple[str, ...]
    sources: Mapping[str, str]
    first_trials: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {p.name: p for p in self.params})

    def __getitem__(self, name: str) -> Param:
        return self._by_name[name]  # type: ignore[attr-defined]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def check(self, params: Params) -> dict[str, Any]:
        """Validate a full set of values (e.g. from an earlier search): active ones only.

        Raises:
            SpecError: a value is missing for an active param, outside its domain, or
                given for a param that is unknown or inactive.
        """
        active: dict[str, Any] = {}
        problems: list[str] = []
        reported: set[str] = set()
        for param in self.params:
            if not param.is_active(active):
                continue
            if param.name not in params:
                problems.append(f"{param.name}: no value for this active param")
                continue
            value = params[param.name]
            if not param.domain.contains(value):
                reported.add(param.name)
                problems.append(
                    f"{param.name}: {value!r} is outside its domain ({param.domain.describe()})"
                )
                continue
            active[param.name] = value
        known = set(self._by_name)  # type: ignore[attr-defined]
        for name in sorted(set(params) - set(active) - set(self.fixed) - reported):
            if name not in known:
                problems.append(f"{name}: unknown param of space '{self.name}'")
            elif params[name] is not None:
                conditions = " and ".join(
                    f"{c.param} in {list(c.values)}" for c in self[name].conditions
                )
                problems.append(f"{name}: given, but inactive unless {conditions}")
        if problems:
            raise SpecError("; ".join(problems), path="params")
        return active

    def resolve(self, params: Params) -> dict[str, Any]:
        """Turn a flat mapping of active params into the nested config builders take.

        Nested sequences, choices and repeats are spliced into one flat ``model`` list.
        """
        values = self.check(params)
        root = self.template
        if isinstance(root, BlockRef):  # a choice among whole spaces (families)
            family = values[root.name]
            return {"family": family, **_walk(root.options[family], values)}
        return {**dict(self.fixed), **_walk(root, values)}

    def layout(self, params: Params) -> list[tuple[str, Branch]]:
        """For each block of ``resolve(params)["model"]``: its dotted path and its branch.

        The branch lists the choices (name and chosen label) that lead to the block,
        outermost first, the ``family`` choice included.
        """
        values = self.check(params)
        root, branch = self.template, cast(Branch, ())
        if isinstance(root, BlockRef):
            branch = ((root.name, values[root.name]),)
            root = root.options[values[root.name]]
        return [(path, b) for path, b, _ in _blocks(root.get("model", Seq(())), values, branch)]

    def without(self, choice: str, label: str) -> SearchSpace:
        """This space with option ``label`` of block choice ``choice`` removed.

        Params that could only be active with that option go too.

        Raises:
            ValueError: ``label`` is the choice's last option, or not one of its options.
        """
        domain = self[choice].domain
        if not isinstance(domain, Choice) or label not in domain.values:
            raise ValueError(f"'{label}' is not an option of block choice '{choice}'")
        if len(domain.values) == 1:
            raise ValueError(f"'{label}' is the only option of '{choice}'")
        kept: list[Param] = []
        gone: set[str] = set()
        for param in self.params:
            conds = []
            for c in param.conditions:
                values = tuple(v for v in c.values if c.param != choice or v != label)
                if c.param in gone or not values:
                    gone.add(param.name)
                conds.append(Condition(c.param, values))
            if param.name in gone:
                continue
            if param.name == choice:
                left = tuple(v for v in domain.values if v != label)
                param = Param(choice, Choice(left, blocks=True), tuple(conds))
            kept.append(Param(param.name, param.domain, tuple(conds)))
        template = _drop(self.template, choice, label)
        first = tuple(p for p in self.first_trials if p.get(choice) != label)
        return SearchSpace(
            self.name, tuple(kept), template, self.fixed, self.inputs, self.sources, first
        )

    def block_choices(self) -> tuple[Param, ...]:
        """Params that choose between architectures."""
        return tuple(p for p in self.params if isinstance(p.domain, Choice) and p.domain.blocks)


def _walk(node: Any, values: Mapping[str, Any]) -> Any:
    """A template node with params filled in; inactive params and slots left out."""
    if isinstance(node, Ref):
        return values[node.name]
    if isinstance(node, Seq):
        return [block for _, _, block in _blocks(node, values, ())]
    if isinstance(node, Mapping):
        return {k: _walk(v, values) for k, v in node.items() if _active(v, values)}
    if isinstance(node, list | tuple):
        return [_walk(v, values) for v in node if _active(v, values)]
    return node


def _active(node: Any, values: Mapping[str, Any]) -> bool:
    return not isinstance(node, Ref | BlockRef) or node.name in values


def _blocks(
    node: Any, values: Mapping[str, Any], branch: Branch
) -> list[tuple[str, Branch, dict[str, Any]]]:
    """The blocks a slot node stands for: (path, branch, ``{block: args}``) each, in order."""
    if isinstance(node, Block):
        return [(node.path, branch, {node.name: _walk(node.args, values)})]
    if isinstance(node, BlockRef):
        if node.name not in values:  # an optional slot, inactive in this trial
            return []
        label = values[node.name]
        return _blocks(node.options[label], values, (*branch, (node.name, label)))
    if isinstance(node, Repeat):
        times = values.get(node.times.name, 0) if isinstance(node.times, Ref) else node.times
        cells = node.cells * times if node.shared else node.cells[:times]
        return [b for cell in cells for b in _blocks(cell, values, branch)]
    if isinstance(node, Seq):
        return [b for item in node.items for b in _blocks(item, values, branch)]
    raise TypeError(f"unknown slot node {node!r}")


def _drop(node: Any, choice: str, label: str) -> Any:
    """A template with option ``label`` of the block choice ``choice`` left out."""
    if isinstance(node, BlockRef):
        options = {
            k: _drop(v, choice, label)
            for k, v in node.options.items()
            if node.name != choice or k != label
        }
        return BlockRef(node.name, options)
    if isinstance(node, Seq):
        return Seq(tuple(_drop(i, choice, label) for i in node.items))
    if isinstance(node, Repeat):
        return Repeat(node.times, tuple(_drop(c, choice, label) for c in node.cells), node.shared)
    if isinstance(node, Mapping) and not isinstance(node, Block):
        return {k: _drop(v, choice, label) for k, v in node.items()}
    return node
