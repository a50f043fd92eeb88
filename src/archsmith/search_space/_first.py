"""``first_trials:`` of a space file: known-good points evaluated before any sampled one.

A space file may list points in its own param names, such as the published FCN shape of a
time-series space or the linear TF-IDF model of a text space::

    first_trials:
      - {model.0.filters: 128, optimizer.learning_rate: 0.001}

Every point must give a value to each param that is active with it (as a warm start does),
and is checked against the space when the file is read, so a wrong point is a declaration
error at its line (``first_trials.0``) before any trial runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from archsmith.exceptions import SpecError
from archsmith.exceptions import SpecIssue
from archsmith.search_space._space import SearchSpace
from archsmith.spec import Source

_EXAMPLE = "e.g. [{model.0.units: 64, optimizer.learning_rate: 0.001}]"


def first_trials_of(
    source: Source, space: SearchSpace, *, family: str | None = None
) -> tuple[dict[str, Any], ...]:
    """The checked points of ``source``'s ``first_trials:`` list.

    ``family`` names the space inside a choice among spaces: its points are checked with
    ``family`` set to it and their names prefixed with it, as that choice names them.

    Raises:
        SpecError: the list is not a list of mappings, or a point does not fit the space
            (file, line and ``first_trials.<i>``).
    """
    data = source.data if isinstance(source.data, Mapping) else {}
    raw = data.get("first_trials")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        issue = source.issue(("first_trials",), f"expected a list of points, {_EXAMPLE}")
        raise SpecError([issue])
    points: list[dict[str, Any]] = []
    issues: list[SpecIssue] = []
    for i, point in enumerate(raw):
        loc = ("first_trials", i)
        if not isinstance(point, Mapping):
            issues.append(source.issue(loc, f"expected a mapping of param -> value, {_EXAMPLE}"))
            continue
        named = {
            **({"family": family} if family else {}),
            **{f"{family}.{k}" if family else str(k): v for k, v in point.items()},
        }
        try:
            points.append(space.check(named))
        except SpecError as exc:
            message = "; ".join(issue.message for issue in exc.issues)
            issues.append(source.issue(loc, f"this point does not fit the space: {message}"))
    if issues:
        raise SpecError(issues)
    return tuple(points)


def interleave(groups: Sequence[Sequence[Mapping[str, Any]]]) -> tuple[Mapping[str, Any], ...]:
    """The first point of every group, then every second one, ...: each space of a choice
    among spaces gets its first known-good point tried early, whatever the trial count."""
    rounds = itertools.zip_longest(*groups)
    return tuple(point for row in rounds for point in row if point is not None)
