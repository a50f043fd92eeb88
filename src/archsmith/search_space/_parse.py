"""YAML search-space files -> :class:`SearchSpace`, every branch validated before trial 0."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from archsmith.exceptions import SpecError
from archsmith.exceptions import SpecIssue
from archsmith.search_space._catalog import Arg
from archsmith.search_space._catalog import BlockSpec
from archsmith.search_space._catalog import Catalog
from archsmith.search_space._defs import PARAM_TYPES
from archsmith.search_space._defs import BoolDef
from archsmith.search_space._defs import ChoiceDef
from archsmith.search_space._defs import FloatDef
from archsmith.search_space._defs import Holder
from archsmith.search_space._defs import IntDef
from archsmith.search_space._defs import is_param
from archsmith.search_space._files import find_space
from archsmith.search_space._first import first_trials_of
from archsmith.search_space._first import interleave
from archsmith.search_space._params import Bool
from archsmith.search_space._params import Choice
from archsmith.search_space._params import Condition
from archsmith.search_space._params import Domain
from archsmith.search_space._params import Float
from archsmith.search_space._params import Int
from archsmith.search_space._params import Param
from archsmith.search_space._slots import slot
from archsmith.search_space._space import BlockRef
from archsmith.search_space._space import Ref
from archsmith.search_space._space import SearchSpace
from archsmith.search_space._space import Seq
from archsmith.spec import Loc
from archsmith.spec import Source
from archsmith.spec import did_you_mean
from archsmith.spec import dotted
from archsmith.spec import issues_from_validation
from archsmith.spec import parse_yaml
from archsmith.spec import read_yaml_text

_HEADER_KEYS = ("name", "description", "for", "model", "first_trials")


@dataclass
class _Pending:
    """A parsed param whose ``when:`` still names params by what the user wrote."""

    param: Param
    loc: Loc
    when: Mapping[str, Any]


@dataclass
class _Applies:
    """An argument that only applies with some values of a sibling (``only_with``)."""

    loc: Loc
    sibling: str  # full dotted name
    allowed: tuple[str, ...]
    param: str | None  # the arg's own param name, None for a literal


class _Parser:
    def __init__(self, source: Source, catalog: Catalog, prefix: str, base: tuple[Condition, ...]):
        self.source = source
        self.catalog = catalog
        self.prefix = prefix
        self.base = base
        self.issues: list[SpecIssue] = []
        self.pending: list[_Pending] = []
        self.literals: dict[str, Any] = {}
        self.applies: list[_Applies] = []
        #: naming locations of repeated cells -> the cell's place in the file (for errors)
        self.virtual: dict[Loc, Loc] = {}

    # -- helpers ---------------------------------------------------------------------------
    def name(self, loc: Loc) -> str:
        return self.prefix + dotted(loc)

    def error(self, loc: Loc, message: str) -> None:
        for virtual in sorted(self.virtual, key=len, reverse=True):  # innermost cell first
            if loc[: len(virtual)] == virtual:
                loc = (*self.virtual[virtual], *loc[len(virtual) :])
        issue = self.source.issue(loc, message)
        if issue not in self.issues:  # each repetition of a cell has the same problems
            self.issues.append(issue)

    def domain_of(self, name: str) -> Domain:
        return next(p.param.domain for p in self.pending if p.param.name == name)

    def add_choice(self, param: Param, loc: Loc, when: Mapping[str, Any] | None) -> None:
        self.pending.append(_Pending(param, loc, when or {}))

    def param_def(self, raw: Any, loc: Loc) -> IntDef | FloatDef | ChoiceDef | BoolDef | None:
        if raw.get("type") not in PARAM_TYPES:
            self.error(
                (*loc, "type"),
                f"unknown param type {raw.get('type')!r}; expected one of: "
                f"{', '.join(PARAM_TYPES)}{did_you_mean(str(raw.get('type')), PARAM_TYPES)}",
            )
            return None
        try:
            return Holder.model_validate({"param": raw}).param
        except ValidationError as exc:
            for issue in issues_from_validation(exc, Holder, self.source):
                path = issue.path.split(".", 1)[1] if "." in issue.path else ""
                sub: Loc = tuple(int(p) if p.isdigit() else p for p in path.split(".") if p)
                self.error((*loc, *sub), issue.message)
            return None

    def domain(self, d: IntDef | FloatDef | ChoiceDef | BoolDef, loc: Loc) -> Domain | None:
        try:
            if isinstance(d, IntDef):
                return Int(d.low, d.high, d.step, d.log)
            if isinstance(d, FloatDef):
                return Float(d.low, d.high, d.step, d.log)
            if isinstance(d, BoolDef):
                return Bool()
            return Choice(tuple(d.values))
        except ValueError as exc:
            self.error(loc, str(exc))
            return None

    def add(
        self, domain: Domain, loc: Loc, conds: tuple[Condition, ...], when: Mapping[str, Any] | None
    ) -> Ref:
        param = Param(self.name(loc), domain, conds)
        self.pending.append(_Pending(param, loc, when or {}))
        return Ref(param.name)

    # -- values ----------------------------------------------------------------------------
    def value(self, raw: Any, arg: Arg, loc: Loc, conds: tuple[Condition, ...]) -> Any:
        if is_param(raw):
            d = self.param_def(raw, loc)
            if d is None:
                return None
            domain = self.domain(d, loc)
            if domain is None:
                return None
            if not self.fits(domain, arg, loc):
                return None
            return self.add(domain, loc, conds, d.when)
        if isinstance(raw, Mapping | list):
            self.error(
                loc,
                f"expected a value ({arg.expected()}) or a param such as "
                "{type: choice, values: [...]}",
            )
            return None
        if arg.kind == "float" and isinstance(raw, int) and not isinstance(raw, bool):
            raw = float(raw)
        if not arg.accepts(raw):
            hint = did_you_mean(str(raw), arg.values or ()) if arg.kind == "str" else ""
            self.error(loc, f"got {raw!r}; expected {arg.expected()}{hint}")
            return None
        self.literals[self.name(loc)] = raw
        return raw

    def fits(self, domain: Domain, arg: Arg, loc: Loc) -> bool:
        """Whether every value of ``domain`` is valid for ``arg``."""
        if isinstance(domain, Choice):
            bad = [v for v in domain.values if not arg.accepts(v)]
            if bad:
                hint = did_you_mean(str(bad[0]), arg.values or ()) if arg.kind == "str" else ""
                self.error(
                    (*loc, "values"), f"invalid value(s) {bad}; expected {arg.expected()}{hint}"
                )
                return False
            return True
        kind = {Int: "int", Float: "float", Bool: "bool"}[type(domain)]
        compatible = kind == arg.kind or (kind == "int" and arg.kind == "float")
        if not compatible:
            self.error(
                (*loc, "type"),
                f"a {kind} param cannot set this argument; expected {arg.expected()}",
            )
            return False
        if isinstance(domain, Int | Float):
            for bound in ("low", "high"):
                if not arg.accepts(getattr(domain, bound)):
                    self.error(
                        (*loc, bound),
                        f"{getattr(domain, bound)!r} is out of range; expected {arg.expected()}",
                    )
                    return False
        return True

    def args(self, spec: BlockSpec, raw: Any, loc: Loc, conds: tuple[Condition, ...]) -> Any:
        raw = {} if raw is None else raw
        if not isinstance(raw, Mapping):
            self.error(
                loc,
                f"expected a mapping of arguments for '{spec.name}'; valid "
                f"arguments: {', '.join(spec.args)}",
            )
            return {}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in spec.args:
                self.error(
                    (*loc, key),
                    f"unknown argument '{key}' of '{spec.name}'; expected "
                    f"one of: {', '.join(spec.args)}{did_you_mean(str(key), spec.args)}",
                )
                continue
            arg = spec.args[key]
            out[key] = self.value(value, arg, (*loc, key), conds)
            if arg.only_with:
                sibling, allowed = arg.only_with
                ref = out[key]
                self.applies.append(
                    _Applies(
                        (*loc, key),
                        self.name((*loc, sibling)),
                        allowed,
                        ref.name if isinstance(ref, Ref) else None,
                    )
                )
        for key, arg in spec.args.items():
            if key in out or arg.only_with is not None:
                continue
            if arg.required:
                self.error(
                    loc,
                    f"missing argument '{key}' of '{spec.name}' ({arg.description}"
                    f"; expected {arg.expected()})",
                )
            else:
                out[key] = arg.default
                self.literals[self.name((*loc, key))] = arg.default
        return out

    # -- document --------------------------------------------------------------------------
    def document(self) -> tuple[dict[str, Any], tuple[str, ...]]:
        data = self.source.data
        if not isinstance(data, Mapping):
            self.error((), "a search space is a mapping with at least a 'model:' list")
            return {}, ()
        known = (*_HEADER_KEYS, *self.catalog.sections, *self.catalog.scalars)
        for key in data:
            if key not in known:
                self.error(
                    (key,),
                    f"unknown key '{key}'; expected one of: {', '.join(known)}"
                    f"{did_you_mean(str(key), known)}",
                )
        declared = data.get("for", ["tabular"])
        inputs = [declared] if isinstance(declared, str) else declared
        if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
            self.error(("for",), f"expected a data kind or a list of them, got {declared!r}")
            inputs = ["tabular"]
        model = data.get("model")
        template: dict[str, Any] = {}
        if not isinstance(model, list) or not model:
            self.error(
                ("model",), "expected a non-empty list of blocks, e.g. [{dense_stack: {units: 64}}]"
            )
        else:
            slots = (slot(self, b, ("model", i), self.base) for i, b in enumerate(model))
            template["model"] = Seq(tuple(s for s in slots if s is not None))
        for section, spec in self.catalog.sections.items():
            template[section] = self.args(spec, data.get(section), (section,), self.base)
        for key, arg in self.catalog.scalars.items():
            if key in data:
                template[key] = self.value(data[key], arg, (key,), self.base)
            elif not arg.required:
                template[key] = arg.default
                self.literals[self.name((key,))] = arg.default
        return template, tuple(str(i) for i in inputs)


def _resolve_conditions(parser: _Parser) -> list[Param]:
    """Resolve ``when:`` names, check values and cycles; return params in dependency order."""
    by_name = {p.param.name: p.param for p in parser.pending}
    resolved: dict[str, Param] = {}
    for item in parser.pending:
        conds = list(item.param.conditions)
        never = False
        for key, want in item.when.items():
            wants = tuple(want) if isinstance(want, list) else (want,)
            parent = item.param.name.rsplit(".", 1)[0]
            candidates = [parser.prefix + str(key), f"{parent}.{key}"]
            target = next((c for c in candidates if c in by_name or c in parser.literals), None)
            loc = (*item.loc, "when", key)
            if target is None:
                names = [n[len(parser.prefix) :] for n in (*by_name, *parser.literals)]
                names += [
                    n[len(parent) + 1 :]
                    for n in (*by_name, *parser.literals)
                    if n.startswith(parent + ".")
                ]
                parser.error(
                    loc,
                    f"condition names unknown param '{key}'; expected a param of "
                    f"this space{did_you_mean(str(key), names)}",
                )
                continue
            if target == item.param.name:
                parser.error(loc, "a param cannot depend on itself")
                continue
            if target in parser.literals:
                if parser.literals[target] not in wants:
                    never = True
                    parser.error(
                        loc,
                        f"can never be active: '{key}' is fixed to "
                        f"{parser.literals[target]!r}, not {list(wants)}",
                    )
                continue
            domain = by_name[target].domain
            bad = [w for w in wants if not domain.contains(w)]
            if bad:
                options = [str(v) for v in domain.values] if isinstance(domain, Choice) else []
                parser.error(
                    loc,
                    f"{bad[0]!r} is not a value of '{key}' ({domain.describe()})"
                    f"{did_you_mean(str(bad[0]), options)}",
                )
                continue
            conds.append(Condition(target, wants))
        if not never:
            resolved[item.param.name] = Param(item.param.name, item.param.domain, tuple(conds))
    # topological order that keeps the file's order wherever conditions allow
    ordered: list[Param] = []
    placed: set[str] = set()
    remaining = list(resolved.values())
    while remaining:
        ready = next(
            (
                p
                for p in remaining
                if all(c.param in placed or c.param not in resolved for c in p.conditions)
            ),
            None,
        )
        if ready is None:
            members = ", ".join(p.name[len(parser.prefix) :] for p in remaining)
            loc = next(i.loc for i in parser.pending if i.param.name == remaining[0].name)
            parser.error(
                loc,
                f"conditions form a cycle between: {members}; expected each "
                "'when:' to name params that do not depend back on it",
            )
            break
        ordered.append(ready)
        placed.add(ready.name)
        remaining.remove(ready)
    return ordered


def _check_applies(parser: _Parser, params: Sequence[Param]) -> None:
    by_name = {p.name: p for p in params}
    for item in parser.applies:
        if item.param is not None and item.param not in by_name:
            continue  # never active: already reported
        own = by_name.get(item.param) if item.param else None
        if item.sibling in parser.literals:
            possible: set[Any] = {parser.literals[item.sibling]}
        elif item.sibling in by_name and isinstance(by_name[item.sibling].domain, Choice):
            possible = set(by_name[item.sibling].domain.values)  # type: ignore[union-attr]
            for cond in own.conditions if own else ():
                if cond.param == item.sibling:
                    possible &= set(cond.values)
        else:
            continue
        extra = sorted(map(str, possible - set(item.allowed)))
        if extra:
            sib = item.sibling[len(parser.prefix) :]
            fix = (
                f"add when: {{{sib}: {list(item.allowed)}}}"
                if own is not None
                else f"make it a param with when: {{{sib}: {list(item.allowed)}}}"
            )
            parser.error(
                item.loc,
                f"only used when {sib} is one of {list(item.allowed)}, but it can be active "
                f"with {sib}={extra[0]}; {fix}",
            )


def parse_space(
    source: Source, catalog: Catalog, *, prefix: str = "", conditions: tuple[Condition, ...] = ()
) -> SearchSpace:
    """Parse one space document.

    Raises:
        SpecError: every problem found, each with file, line and dotted path.
    """
    parser = _Parser(source, catalog, prefix, conditions)
    template, inputs = parser.document()
    params = _resolve_conditions(parser)
    _check_applies(parser, params)
    if parser.issues:
        raise SpecError(parser.issues)
    data = source.data if isinstance(source.data, Mapping) else {}
    name = str(data.get("name") or (Path(source.file).stem if source.file else "space"))
    space = SearchSpace(name, tuple(params), template, {"family": name}, inputs, {})
    if prefix:  # a part of a choice among spaces: its points are checked by that choice
        return space
    return replace(space, first_trials=first_trials_of(source, space))


def load_space(
    refs: Sequence[str] | str, catalog: Catalog, base_dir: Path | None = None
) -> SearchSpace:
    """Load one space, or a choice among several (a ``family`` param selects one).

    Example:
        >>> from archsmith.families import CATALOG  # doctest: +SKIP
        >>> load_space("mlp", CATALOG).name  # doctest: +SKIP
        'mlp'
    """
    refs = [refs] if isinstance(refs, str) else list(refs)
    files = [find_space(r, base_dir) for r in refs]
    texts = [read_yaml_text(f) for f in files]
    if len(files) == 1:
        space = parse_space(parse_yaml(texts[0], str(files[0])), catalog)
        return replace(space, sources={space.name: texts[0]})
    parts: list[SearchSpace] = []
    issues: list[SpecIssue] = []
    sources = [parse_yaml(t, str(f)) for t, f in zip(texts, files, strict=True)]
    names = [
        str(s.data.get("name") or f.stem) if isinstance(s.data, Mapping) else f.stem
        for s, f in zip(sources, files, strict=True)
    ]
    if len(set(names)) != len(names):
        raise SpecError(f"spaces must have distinct names, but got {names}", path="search.space")
    for source, name in zip(sources, names, strict=True):
        try:
            parts.append(
                parse_space(
                    source, catalog, prefix=f"{name}.", conditions=(Condition("family", (name,)),)
                )
            )
        except SpecError as exc:
            issues += exc.issues
    if issues:
        raise SpecError(issues)
    family = Param("family", Choice(tuple(names), blocks=True))
    params = (family, *(p for part in parts for p in part.params))
    template = BlockRef("family", {n: part.template for n, part in zip(names, parts, strict=True)})
    inputs = tuple(sorted({i for part in parts for i in part.inputs}))
    space = SearchSpace(
        "+".join(names), params, template, {}, inputs, dict(zip(names, texts, strict=True))
    )
    groups = [first_trials_of(s, space, family=n) for s, n in zip(sources, names, strict=True)]
    return replace(space, first_trials=interleave(groups))
