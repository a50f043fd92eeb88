"""The ``siamese`` block. In a similarity task the builder wraps the blocks before it into
the pair model (``archsmith.builders``); anywhere else it is a build error."""

from __future__ import annotations

from typing import Any


def siamese(x: Any, *, embedding: int, distance: str, normalise: bool = False) -> Any:
    """The ``siamese`` block outside a similarity task: a clear build error."""
    raise ValueError(
        "the siamese block compares pairs and is the last block of a model for task "
        "similarity; use another block (or declare task: {type: similarity})"
    )
