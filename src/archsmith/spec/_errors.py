"""Turn pydantic validation errors into ``FILE:LINE: dotted.path: …`` issues."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError

from archsmith.exceptions import SpecError
from archsmith.exceptions import SpecIssue
from archsmith.spec._strict import merge_union_errors
from archsmith.spec._yaml import Loc
from archsmith.spec._yaml import Source


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a close option exists, else ``""``."""
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Pydantic models inside an annotation (unwrapping Annotated, Optional, unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _models_in(a)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _tag_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("type")
    if field is None:
        return None
    args = typing.get_args(field.annotation)
    return str(args[0]) if args else None


def _walk(root: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Loc, type[BaseModel] | None]:
    """Drop discriminator tags from a pydantic loc; return it and the model owning its end."""
    clean: list[str | int] = []
    model: type[BaseModel] | None = root
    i = 0
    while i < len(loc):
        part = loc[i]
        clean.append(part)
        i += 1
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            model = None
            continue
        candidates = _models_in(model.model_fields[part].annotation)
        model = candidates[0] if len(candidates) == 1 else None
        if len(candidates) > 1 and i < len(loc):
            by_tag = {_tag_of(c): c for c in candidates}
            if loc[i] in by_tag:
                model = by_tag[loc[i]]
                i += 1  # the tag is pydantic's, not the user's
    return tuple(clean), model


class FieldError(ValueError):
    """A model validator's error about one field: ``loc`` is its path below the model."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def _fmt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def issues_from_validation(
    exc: ValidationError, root: type[BaseModel], source: Source, prefix: Loc = ()
) -> list[SpecIssue]:
    """One issue per pydantic error, at the user's dotted path and YAML line.

    ``prefix`` is the YAML location of ``root``'s data when it is nested in a document.
    """
    issues: list[SpecIssue] = []
    for err in merge_union_errors(exc.errors(include_url=False), root):
        loc, _ = _walk(root, tuple(err["loc"]))
        kind = err["type"]
        value = err.get("input")
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            _, parent = _walk(root, tuple(err["loc"][:-1]))
            valid = sorted(parent.model_fields) if parent else []
            key = loc[-1]
            message = f"unknown key '{key}'"
            if valid:
                message += f"; expected one of: {', '.join(valid)}{did_you_mean(str(key), valid)}"
        elif kind == "missing":
            _, parent = _walk(root, tuple(err["loc"][:-1]))
            field = parent.model_fields.get(str(loc[-1])) if parent else None
            desc = f" ({field.description})" if field and field.description else ""
            message = f"required field is missing{desc}"
        elif kind == "literal_error":
            expected = str(ctx.get("expected", "")).replace(" or ", ", ")
            options = [o.strip().strip("'") for o in expected.split(",")]
            message = (
                f"got {_fmt(value)}; expected one of: {', '.join(options)}"
                f"{did_you_mean(str(value), options)}"
            )
        elif kind == "union_tag_invalid":
            options = [o.strip().strip("'") for o in str(ctx.get("expected_tags", "")).split(",")]
            tag = ctx.get("tag")
            loc = (*loc, str(ctx.get("discriminator", "type")).strip("'"))
            message = (
                f"unknown type {tag!r}; expected one of: {', '.join(options)}"
                f"{did_you_mean(str(tag), options)}"
            )
        elif kind == "union_tag_not_found":
            loc = (*loc, str(ctx.get("discriminator", "type")).strip("'"))
            message = "required field is missing (it selects the kind of this section)"
        elif kind == "union_mismatch":  # fits no member of a union: say what the field takes
            _, parent = _walk(root, tuple(loc[:-1]))
            field = parent.model_fields.get(str(loc[-1])) if parent and loc else None
            takes = f"; expected {field.description}" if field and field.description else ""
            message = f"got {_fmt(value)}{takes}"
        elif kind == "value_error":
            error = ctx.get("error")
            if isinstance(error, FieldError):  # a cross-field check naming its own field
                loc = (*loc, *error.loc)
            message = str(error if error is not None else err["msg"])
        else:
            message = f"{err['msg'][0].lower()}{err['msg'][1:]}; got {_fmt(value)}"
        issues.append(source.issue((*prefix, *loc), message))
    return issues


def raise_validation(
    exc: ValidationError, root: type[BaseModel], source: Source
) -> typing.NoReturn:
    raise SpecError(issues_from_validation(exc, root, source)) from None
