"""The engine-neutral search space and the resolution of sampled params into a config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archsmith.exceptions import SpecError
from archsmith.search_space._params import Choice
from archsmith.search_space._params import Param

#: The plain, flat mapping of active params a trial evaluates: dotted name -> value.
Params = Mapping[str, Any]


@dataclass(frozen=True)
class Ref:
    """Template leaf standing for the value of param ``name``."""

    name: str


@dataclass(frozen=True)
class BlockRef:
    """Template node choosing between blocks: ``options`` maps a label to (block, args)."""

    name: str
    options: Mapping[str, tuple[str, Any]]


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
    """

    name: str
    params: tuple[Param, ...]
    template: Any
    fixed: Mapping[str, Any]
    inputs: tuple[str, ...]
    sources: Mapping[str, str]

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
        """Turn a flat mapping of active params into the nested config builders take."""
        values = self.check(params)

        def active(node: Any) -> bool:
            return not isinstance(node, Ref | BlockRef) or node.name in values

        def walk(node: Any) -> Any:  # inactive params and block slots are left out
            if isinstance(node, Ref):
                return values[node.name]
            if isinstance(node, BlockRef):
                block, args = node.options[values[node.name]]
                return {block: walk(args)}
            if isinstance(node, Mapping):
                return {k: walk(v) for k, v in node.items() if active(v)}
            if isinstance(node, list | tuple):
                return [walk(v) for v in node if active(v)]
            return node

        root = self.template
        if isinstance(root, BlockRef):  # a choice among whole spaces (families)
            family = values[root.name]
            return {"family": family, **walk(root.options[family][1])}
        return {**dict(self.fixed), **walk(root)}

    def block_choices(self) -> tuple[Param, ...]:
        """Params that choose between architectures."""
        return tuple(p for p in self.params if isinstance(p.domain, Choice) and p.domain.blocks)
