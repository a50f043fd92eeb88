"""What a search serves beyond its best trial: a post-hoc ensemble of trials
(``search.ensemble``), a refit on train + validation (``search.refit``) and k-fold
validation with bagging (``data.folds``). The declaration parts and their checks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic import Field

from archsmith.spec._base import _Model
from archsmith.spec._errors import FieldError


class EnsembleSpec(_Model):
    """Greedy ensemble selection with replacement (Caruana et al. 2004) over the validation
    predictions of the completed trials; served when it beats the best single trial."""

    rounds: int = Field(
        25, ge=1, le=1000, description="selection rounds (members picked, with replacement)"
    )
    min_gain: float = Field(
        0.0,
        ge=0,
        description="validation gain over the best single trial the ensemble needs to be served",
    )


def ensemble_value(value: Any) -> Any:
    """``true`` -> the default selection, ``false`` -> none (before validation)."""
    if value is True:
        return {}
    if value is False:
        return None
    return value


def check_pooling(task: BaseModel, ensemble: bool, refit: bool, folds: bool) -> None:
    """``search.ensemble``, ``search.refit`` and ``data.folds`` (each on or off) need a
    task whose outputs can be averaged and retrained the supervised way (its declaration
    model's ``averaged`` flag). Forecasting, whose windows overlap in time, takes each its
    own way (its ``ensembled``, ``refitted`` and ``time_folds`` flags): the refit trains on
    every window before the test cut, and the folds are time-ordered (rolling origins)."""
    for path, on in (
        (("search", "ensemble"), ensemble),
        (("search", "refit"), refit),
        (("data", "folds"), folds),
    ):
        if on and path[1] in refused_pooling(type(task)):
            raise FieldError(path, _refused(path, task))


def refused_pooling(task: type[BaseModel], preset: bool = False) -> set[str]:
    """The pooling fields (``ensemble``, ``refit``, ``folds``) a task declaration model
    refuses; with ``preset``, also the fields a preset leaves out for it (its
    ``preset_leaves_out``: forecasting's time-ordered folds, whose count depends on the
    series, and its pruner)."""
    extra = set(getattr(task, "preset_leaves_out", ())) if preset else set()
    if getattr(task, "averaged", False):
        return extra
    flags = (("ensemble", "ensembled"), ("refit", "refitted"), ("folds", "time_folds"))
    taken = {name for name, flag in flags if getattr(task, flag, False)}
    return {"ensemble", "refit", "folds"} - taken | extra


def _refused(path: tuple[str, str], task: BaseModel) -> str:
    kind, field = getattr(task, "type", task), ".".join(path)
    return (
        f"{field} averages or retrains supervised models: it works for classification, "
        f"regression and forecasting tasks, not {kind}; leave it out"
    )
