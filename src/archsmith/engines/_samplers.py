"""Optuna samplers and pruners for a declaration's ``algorithm`` and ``pruner``.

Each sampler is checked against the space before trial 0: an algorithm that cannot serve
the space is a :class:`SpecError` naming ``search.algorithm``, the params at fault and the
algorithms that would serve.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any

from archsmith.exceptions import SpecError
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import Param
from archsmith.search_space import SearchSpace

#: The most points a grid may have (Optuna lists every point up front).
MAX_GRID = 100_000


def _names(params: list[Param], limit: int = 5) -> str:
    shown = ", ".join(p.name for p in params[:limit])
    return shown + (f" and {len(params) - limit} more" if len(params) > limit else "")


def grid_values(param: Param) -> list[Any] | None:
    """Every value of a discrete param in order; None for a continuous one."""
    d = param.domain
    if isinstance(d, Int):
        return list(range(d.low, d.high + 1, d.step))
    if isinstance(d, Float):
        if d.step is None:
            return None
        count = math.floor((d.high - d.low) / d.step + 1e-9)
        return [min(d.high, d.low + i * d.step) for i in range(count + 1)]
    if isinstance(d, Choice):
        return list(d.values)
    if isinstance(d, Bool):
        return [False, True]
    raise TypeError(f"unknown domain {d!r}")


def grid(space: SearchSpace) -> dict[str, list[Any]]:
    """The grid of every param of ``space``.

    Raises:
        SpecError: a float param has no ``step``, or the grid is larger than ``MAX_GRID``.
    """
    continuous = [p for p in space.params if grid_values(p) is None]
    if continuous:
        raise SpecError(
            f"algorithm 'grid' needs a finite set of values for every param, but "
            f"{_names(continuous)} are continuous floats; give them a step, or use one of: "
            "tpe, random, cmaes, gp, nsga2",
            path="search.algorithm",
        )
    points = {p.name: grid_values(p) or [] for p in space.params}
    size = math.prod(len(v) for v in points.values())
    if size > MAX_GRID:
        raise SpecError(
            f"algorithm 'grid' over space '{space.name}' has {size:,} points (at most "
            f"{MAX_GRID:,}); narrow ranges or add steps, or use one of: tpe, random, nsga2",
            path="search.algorithm",
        )
    return points


def make_sampler(algorithm: str, space: SearchSpace, seed: int | None) -> Any:
    """The Optuna sampler for ``algorithm``, checked against ``space``.

    Raises:
        SpecError: the algorithm cannot serve the space (CMA-ES with categorical params,
            grid with continuous params) or needs a package that is not installed (gp).
    """
    import optuna

    if algorithm == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if algorithm == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if algorithm == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    if algorithm == "grid":
        return _grid_sampler(grid(space), seed)
    if algorithm == "cmaes":
        categorical = [p for p in space.params if isinstance(p.domain, Choice | Bool)]
        if categorical:
            raise SpecError(
                f"algorithm 'cmaes' samples numbers only, but {_names(categorical)} are "
                "choices or booleans; use one of: tpe, random, gp, nsga2 (or grid with "
                "steps)",
                path="search.algorithm",
            )
        if importlib.util.find_spec("cmaes") is None:
            raise SpecError(
                "algorithm 'cmaes' needs the cmaes package: pip install cmaes",
                path="search.algorithm",
            )
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    if algorithm == "gp":
        if importlib.util.find_spec("torch") is None:
            raise SpecError(
                "algorithm 'gp' (Optuna's Gaussian-process sampler) needs PyTorch, which is "
                "not installed: pip install torch; or use one of: tpe, random, cmaes, nsga2",
                path="search.algorithm",
            )
        return optuna.samplers.GPSampler(seed=seed)
    raise SpecError(f"unknown Optuna algorithm {algorithm!r}", path="search.algorithm")


def _grid_sampler(points: dict[str, list[Any]], seed: int | None) -> Any:
    import optuna

    class AskTellGrid(optuna.samplers.GridSampler):
        """Optuna's grid sampler for ask/tell.

        Optuna's own calls ``study.stop()`` once the grid is done, which only works inside
        ``study.optimize``; the engine asks ``is_exhausted`` before each trial instead.
        """

        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            return None

    return AskTellGrid(points, seed=seed)


def make_pruner(pruner: str, max_epochs: int | None) -> Any:
    """The Optuna pruner for ``search.pruner`` (``none``: never prunes)."""
    import optuna

    if pruner == "none":
        return optuna.pruners.NopPruner()
    if pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    if pruner == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner()
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max_epochs or "auto")
    raise SpecError(f"unknown pruner {pruner!r}", path="search.pruner")
