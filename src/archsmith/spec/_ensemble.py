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
    model's ``averaged`` flag); ``search.ensemble`` alone also takes a task whose outputs
    average but whose rows cannot be refit or folded (its ``ensembled`` flag: forecasting,
    where random folds or a refit over overlapping windows would train on the future)."""
    averaged = bool(getattr(type(task), "averaged", False))
    ensembled = averaged or bool(getattr(type(task), "ensembled", False))
    for path, on, allowed in (
        (("search", "ensemble"), ensemble, ensembled),
        (("search", "refit"), refit, averaged),
        (("data", "folds"), folds, averaged),
    ):
        if on and not allowed:
            raise FieldError(path, _refused(path, task, ensembled))


def refused_pooling(task: type[BaseModel]) -> set[str]:
    """The pooling fields (``ensemble``, ``refit``, ``folds``) a task declaration model
    refuses, for presets to leave out."""
    if getattr(task, "averaged", False):
        return set()
    return (
        {"refit", "folds"} if getattr(task, "ensembled", False) else {"ensemble", "refit", "folds"}
    )


def _refused(path: tuple[str, str], task: BaseModel, ensembled: bool) -> str:
    kind, field = getattr(task, "type", task), ".".join(path)
    if ensembled:  # forecasting: windows overlap in time
        return (
            f"{field} retrains on rows the validation split held out (random folds or a "
            f"refit on train + validation); a {kind} task's windows overlap in time, so that "
            "would train on the future; leave it out (search.ensemble works)"
        )
    return (
        f"{field} averages or retrains supervised models: it works for classification and "
        f"regression tasks, not {kind}; leave it out"
    )
