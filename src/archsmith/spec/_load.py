"""Load an :class:`Experiment` from a YAML file, a mapping or keyword arguments."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from archsmith.exceptions import SpecError
from archsmith.exceptions import SpecIssue
from archsmith.spec._errors import raise_validation
from archsmith.spec._models import Experiment
from archsmith.spec._yaml import Source
from archsmith.spec._yaml import read_yaml


def _validate(source: Source, base_dir: Path) -> Experiment:
    if not isinstance(source.data, Mapping):
        got = type(source.data).__name__ if source.data is not None else "an empty document"
        raise SpecError(
            [
                SpecIssue(
                    "",
                    f"expected a mapping of sections (task, data, search …), got {got}",
                    file=source.file,
                    line=1,
                )
            ]
        )
    try:
        exp = Experiment.model_validate(source.data)
    except ValidationError as exc:
        raise_validation(exc, Experiment, source)
    exp._base_dir = base_dir
    exp._source = source.file
    return exp


def load_experiment(
    source: str | Path | Mapping[str, Any] | Experiment | None = None, **fields: Any
) -> Experiment:
    """Read and validate a declaration.

    Args:
        source: a YAML file path, a mapping with the same structure, an ``Experiment``
            (returned as is) or None (only ``fields``).
        **fields: top-level sections (``task=``, ``search=`` …) given as keyword arguments;
            they replace the same sections of ``source``.

    Returns:
        The validated, frozen declaration.

    Raises:
        SpecError: listing every problem as ``FILE:LINE: dotted.path: what is wrong``.

    Example:
        >>> exp = load_experiment(task={"type": "classification", "target": "y"})
        >>> exp.task.metric
        'accuracy'
    """
    if isinstance(source, Experiment) and not fields:
        return source
    if isinstance(source, str | Path):
        parsed = read_yaml(source)
        base_dir = Path(source).resolve().parent
    elif isinstance(source, Experiment):
        parsed = Source(source.model_dump(exclude_unset=True))
        base_dir = source.base_dir
    else:
        parsed = Source(dict(source or {}))
        base_dir = Path.cwd()
    if fields:
        data = dict(parsed.data) if isinstance(parsed.data, Mapping) else {}
        data.update(fields)
        # values given as keywords did not come from the file: no line for them
        parsed = Source(data, parsed.file, parsed.lines, frozenset(fields))
    return _validate(parsed, base_dir)
