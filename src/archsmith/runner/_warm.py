"""``search.warm_start``: the points evaluated first, checked against the space."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from archsmith.exceptions import SpecError
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Int
from archsmith.search_space import Params
from archsmith.search_space import SearchSpace
from archsmith.spec import ENGINE_CAPABILITIES
from archsmith.spec import Experiment
from archsmith.tracking import Tracker


def warm_start_points(exp: Experiment, space: SearchSpace, tracker: Tracker) -> list[Params]:
    """``search.warm_start``: given points, or an earlier search's best completed trials;
    without one, the space files' ``first_trials`` (``search.first_trials: false`` skips them).

    Raises:
        SpecError: a point does not fit the space (path ``search.warm_start.<i>``), or the
            earlier search has no completed trial.
    """
    warm = exp.search.warm_start
    if warm is None:  # the space files' known-good points, checked when they were read
        budgeted = exp.search.algorithm in ENGINE_CAPABILITIES[exp.search.engine].budget_algorithms
        replays = exp.search.first_trials and not budgeted  # hyperband replays no point
        return [dict(p) for p in space.first_trials] if replays else []
    if isinstance(warm, tuple):
        points: list[Params] = list(warm)
    else:
        board = tracker.leaderboard(warm.search)
        # trials only: not the baseline (-1) or served ensemble (-2) rows
        done = (
            board[(board["state"] == "COMPLETE") & (board["trial"] >= 0)] if len(board) else board
        )
        if not len(done):
            raise SpecError(
                f"search '{warm.search}' has no completed trial to start from",
                path="search.warm_start.search",
            )
        points = [_typed(space, row) for row in done.head(warm.top).to_dict("records")]
    checked: list[Params] = []
    for i, point in enumerate(points):
        try:
            checked.append(space.check(point))
        except SpecError as exc:
            raise SpecError(str(exc), path=f"search.warm_start.{i}") from None
    return checked


def _typed(space: SearchSpace, row: Mapping[str, Any]) -> dict[str, Any]:
    """A leaderboard row's params (strings or numbers from MLflow) as the space's values."""
    values: dict[str, Any] = {}
    for param in space.params:
        raw = row.get(param.name)
        if not param.is_active(values) or raw is None or raw == "" or raw != raw:  # NaN
            continue
        values[param.name] = _coerce(param.domain, raw)
    return values


def _coerce(domain: Any, raw: Any) -> Any:
    if isinstance(domain, Choice):  # MLflow holds str(value) or, for non-strings, JSON
        text = str(raw)
        return next((v for v in domain.values if text in (str(v), json.dumps(v)) or v == raw), raw)
    if isinstance(domain, Bool):
        return raw in (True, "True", "true", 1)
    if isinstance(domain, Int):
        return int(float(raw))
    return float(raw)
