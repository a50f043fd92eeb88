"""The param mappings of a space file (``{type: int, low: 1, high: 4}`` …), as pydantic models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

PARAM_TYPES = ("int", "float", "choice", "bool")


class ParamDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    when: dict[str, Any] | None = Field(None, description="conditions on other params")


class IntDef(ParamDef):
    type: Literal["int"]
    low: int
    high: int
    step: int = 1
    log: bool = False


class FloatDef(ParamDef):
    type: Literal["float"]
    low: float
    high: float
    step: float | None = None
    log: bool = False


class ChoiceDef(ParamDef):
    type: Literal["choice"]
    values: list[Any] = Field(min_length=1)


class BoolDef(ParamDef):
    type: Literal["bool"]


class Holder(BaseModel):
    param: Annotated[IntDef | FloatDef | ChoiceDef | BoolDef, Field(discriminator="type")]


def is_param(raw: Any) -> bool:
    return isinstance(raw, Mapping) and "type" in raw
