"""``data.split``: how the rows of a table are split when they are not independent."""

from __future__ import annotations

from pydantic import Field
from pydantic import model_validator

from archsmith.spec._base import _Model


class SplitSpec(_Model):
    """Group-aware or time-ordered split of a table (exactly one of ``group``, ``time``).

    ``group``: all rows of a group (a patient, a customer) fall in the same split, so no
    group is on both sides. ``time``: the rows are ordered by the column and the latest
    ones are held out (validation, then test the latest). The column is used for the split
    only, not as a feature.
    """

    group: str | None = Field(
        None, min_length=1, description="column naming each row's group (kept on one side)"
    )
    time: str | None = Field(
        None,
        min_length=1,
        description="column of numbers or dates; validation and test are the latest rows",
    )

    @model_validator(mode="after")
    def _one(self) -> SplitSpec:
        if (self.group is None) == (self.time is None):
            raise ValueError(
                "give exactly one of group (a column of group ids) or time (a column of "
                "numbers or dates), e.g. {group: patient_id}"
            )
        return self

    @property
    def column(self) -> str:
        return self.group or self.time or ""

    @property
    def tag(self) -> str:
        """The split's part of the dataset fingerprint."""
        return f"group={self.group}" if self.group else f"time={self.time}"
