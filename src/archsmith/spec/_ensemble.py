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
    model's ``averaged`` flag). A task whose outputs average but whose rows cannot be
    folded at random (forecasting: its windows overlap in time, so a random fold would
    train on the future) takes ``search.ensemble`` (its ``ensembled`` flag) and
    ``search.refit`` (``refitted``: the refit trains on every window before the test cut,
    in time order)."""
    for path, on in (
        (("search", "ensemble"), ensemble),
        (("search", "refit"), refit),
        (("data", "folds"), folds),
    ):
        if on and path[1] in refused_pooling(type(task)):
            raise FieldError(path, _refused(path, task))


def refused_pooling(task: type[BaseModel]) -> set[str]:
    """The pooling fields (``ensemble``, ``refit``, ``folds``) a task declaration model
    refuses, for presets to leave out."""
    if getattr(task, "averaged", False):
        return set()
    taken = {
        name
        for name, flag in (("ensemble", "ensembled"), ("refit", "refitted"))
        if getattr(task, flag, False)
    }
    return {"ensemble", "refit", "folds"} - taken


def _refused(path: tuple[str, str], task: BaseModel) -> str:
    kind, field = getattr(task, "type", task), ".".join(path)
    if getattr(type(task), "ensembled", False):  # forecasting: windows overlap in time
        return (
            f"{field} cuts random folds of the training and validation rows; a {kind} "
            "task's windows overlap in time, so a fold would train on the future; leave it "
            "out (search.ensemble and search.refit work: the refit keeps time order)"
        )
    return (
        f"{field} averages or retrains supervised models: it works for classification and "
        f"regression tasks, not {kind}; leave it out"
    )
