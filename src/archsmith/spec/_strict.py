"""Strict scalars and readable union errors for the declaration models.

Pydantic's lax mode turns ``max_trials: true`` into 1 and ``epochs: "2"`` into 2; a
declaration is a file a person wrote, so a number where a number is expected must be
written as one. :func:`strict_scalar` refuses booleans and strings for int and float
fields and anything but a boolean for bool fields.

When a value fits no member of a union, pydantic reports one error per member at paths
such as ``search.warm_start.tuple[dict[str,any], ...]``; :func:`merge_union_errors`
turns them into one error at the user's path.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

_KINDS = {
    frozenset({int}): "a valid integer, written without quotes (not a string or true/false)",
    frozenset({float}): "a valid number, written without quotes (not a string or true/false)",
    frozenset({int, float}): "a valid number, written without quotes (not a string or true/false)",
    frozenset({bool}): "a valid boolean: true or false",
}


def _scalar_types(annotation: Any) -> frozenset[type] | None:
    """The plain scalar types of an annotation (None dropped), or None if it is not one."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _scalar_types(typing.get_args(annotation)[0])
    args: tuple[Any, ...] = (annotation,)
    if origin in (typing.Union, types.UnionType):
        args = tuple(a for a in typing.get_args(annotation) if a is not type(None))
    kinds = frozenset(args)
    return kinds if kinds in _KINDS else None


def strict_scalar(annotation: Any, value: Any) -> Any:
    """``value`` unchanged, or a ValueError when it only fits the field by coercion."""
    kinds = _scalar_types(annotation)
    if kinds is None or value is None:
        return value
    if bool in kinds:
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok:
        raise ValueError(f"input should be {_KINDS[kinds]}; got {value!r}")
    return value


def strict_fields(model: type[BaseModel], data: Any, error: Any) -> Any:
    """``data`` for ``model`` unchanged, or ``error((field,), message)`` raised for the first
    field whose scalar only fits by coercion. Fields with their own ``before`` parser (a
    duration such as ``"20m"``) are left to it."""
    if not isinstance(data, dict):
        return data
    parsed = {
        f
        for dec in model.__pydantic_decorators__.field_validators.values()
        if dec.info.mode != "after"
        for f in dec.info.fields
    }
    for name, value in data.items():
        field = model.model_fields.get(name) if isinstance(name, str) else None
        if field is not None and name not in parsed:
            try:
                strict_scalar(field.annotation, value)
            except ValueError as exc:
                raise error((name,), str(exc)) from None
    return data


_TYPE_TAG = re.compile(r"[a-z-]+\[.*\]")


def _model_names(root: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    stack: list[type] = [BaseModel]
    while stack:
        cls = stack.pop()
        names.add(cls.__name__)
        stack.extend(cls.__subclasses__())
    return names


def merge_union_errors(errors: Iterable[Any], root: type[BaseModel]) -> list[Any]:
    """Drop pydantic's union-member tags from error paths; one error per path for them."""
    models = _model_names(root)
    out: list[dict[str, Any]] = []
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        clean = tuple(
            p for p in loc if not (isinstance(p, str) and (p in models or _TYPE_TAG.fullmatch(p)))
        )
        tagged = len(clean) != len(loc) and err["type"] not in ("extra_forbidden", "missing")
        if not tagged or err["type"].startswith("union_tag"):
            out.append({**err, "loc": clean} if len(clean) != len(loc) else err)
            continue
        if clean not in merged:
            merged[clean] = {**err, "loc": clean, "type": "union_mismatch"}
            out.append(merged[clean])
    return out


__all__ = ["merge_union_errors", "strict_fields", "strict_scalar"]
