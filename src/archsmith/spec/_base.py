"""The base of every declaration model, and durations."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import model_validator

from archsmith.spec._errors import FieldError
from archsmith.spec._strict import strict_fields

_DURATION = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$"
)


def parse_duration(value: Any) -> float | None:
    """``"20m"``, ``"1h30m"``, ``"90s"``, ``90`` -> seconds."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match and any(match.groups()):
            h, m, s = (float(g) if g else 0.0 for g in match.groups())
            return h * 3600 + m * 60 + s
    raise ValueError(
        f"cannot read {value!r} as a duration; expected e.g. '90s', '20m', '1h30m' or seconds"
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _strict_scalars(cls, data: Any) -> Any:
        """No ``max_trials: true`` or ``epochs: "2"``: numbers and booleans as written."""
        return strict_fields(cls, data, FieldError)
