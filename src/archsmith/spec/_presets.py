"""``preset: fast | balanced | best``: documented bundles of declaration fields.

A preset fills in the fields a declaration leaves out; every field the declaration gives
(in YAML, or as an ``AutoModel`` argument) overrides it, and the preset overrides the
defaults. Sections merge key by key: ``preset: balanced`` with ``training: {epochs: 5}``
keeps the preset's early stopping and takes 5 epochs.

A preset names no spaces: the data kind's default spaces run (tables: TabM and RealMLP,
with their known-good first trials). A preset's pruner is left out when the declared
engine cannot prune or the declared ``training.epochs`` is below 2, and its pooling fields
(``search.ensemble``, ``search.refit``, ``data.folds``) where the declared task cannot take
them (forecasting: ``ensemble`` and ``refit``, not its time-ordered ``folds``, whose
count depends on the series' length; anomaly detection, clustering ... none); forecasting
runs without the preset's pruner too (its trials take seconds, on noisy epoch curves).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

#: the presets, as the declaration fields they set (documented in docs/tables.md#presets)
PRESETS: dict[str, dict[str, Any]] = {
    "fast": {  # a first model within 2 minutes on 2 CPU cores: the 4 portfolio points
        "search": {
            "max_trials": 4,
            "time_budget": 90,
            "pruner": "median",
            "ensemble": False,
            "refit": False,
        },
        "training": {"epochs": 30, "early_stopping": {"patience": 5}},
    },
    "balanced": {  # beats default gradient boosting on most tables within minutes
        "search": {
            "max_trials": 12,
            "time_budget": 480,
            "pruner": "median",
            "ensemble": True,
            "refit": True,
        },
        "training": {"epochs": 80, "early_stopping": {"patience": 10}},
    },
    "best": {  # the strongest model this library finds, given an hour
        "search": {
            "max_trials": 60,
            "time_budget": 3600,
            "pruner": "successive_halving",
            "ensemble": True,
            "refit": True,
        },
        "training": {"epochs": 200, "early_stopping": {"patience": 16}},
        "data": {"folds": 5},
    },
}


def merged(preset: Mapping[str, Any], declared: Mapping[str, Any]) -> dict[str, Any]:
    """``declared`` over ``preset``, section by section (a declared value always wins)."""
    out = dict(preset)
    for key, value in declared.items():
        below = out.get(key)
        both = isinstance(below, Mapping) and isinstance(value, Mapping)
        out[key] = merged(below, value) if both else value  # type: ignore[arg-type]
    return out


def apply_preset(
    data: Mapping[str, Any],
    can_prune: Any,
    refused: Callable[[Any], set[str]] = lambda task_type: set(),
) -> dict[str, Any]:
    """The declaration ``data`` with its ``preset``'s fields filled in.

    ``can_prune(engine)`` tells whether an engine prunes; the preset's pruner is dropped
    for one that cannot. ``refused(task_type)`` names the pooling fields (``ensemble``,
    ``refit``, ``folds``, or ``pruner``) a task type cannot take from a preset; the
    preset leaves those out.
    """
    name = data.get("preset")
    if name is None or name not in PRESETS:
        return dict(data)
    bundle = PRESETS[name]
    search, training = data.get("search") or {}, data.get("training") or {}
    engine = search.get("engine", "optuna") if isinstance(search, Mapping) else "optuna"
    epochs = training.get("epochs", 2) if isinstance(training, Mapping) else 2
    few = isinstance(epochs, int) and epochs < 2
    if few or (isinstance(engine, str) and not can_prune(engine)):
        bundle = {**bundle, "search": {k: v for k, v in bundle["search"].items() if k != "pruner"}}
    task = data.get("task")
    dropped = refused(task.get("type")) if isinstance(task, Mapping) else set()
    if dropped:
        bundle = {
            **bundle,
            "search": {k: v for k, v in bundle["search"].items() if k not in dropped},
            "data": {k: v for k, v in bundle.get("data", {}).items() if k not in dropped},
        }
    return merged(bundle, data)
