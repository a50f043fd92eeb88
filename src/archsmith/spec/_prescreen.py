"""``search.prescreen``: score several candidates with a zero-cost proxy, train the best.

The proxies themselves live in ``archsmith.training`` (they need Keras); the declaration
only names one, and says which engines can take a screened point.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from archsmith.spec._base import _Model
from archsmith.spec._engines import ENGINE_CAPABILITIES
from archsmith.spec._errors import FieldError

#: The zero-cost proxies, data-free or on one batch at initialisation (higher is better).
PROXIES = ("naswot", "synflow", "gradnorm")
#: Algorithms that enumerate their own points, so a screened point cannot be slipped in.
_OWN_POINTS = ("grid",)


class PrescreenSpec(_Model):
    """Before each trial, build ``candidates`` points sampled at random from the space,
    score each with ``proxy`` at initialisation, and train only the best."""

    proxy: Literal["naswot", "synflow", "gradnorm"] = Field(
        description="naswot: log-determinant of the activation-pattern kernel on one batch "
        "(Mellor et al. 2021, any backend); synflow: synaptic flow with all-ones inputs "
        "(Tanaka et al. 2020, TensorFlow); gradnorm: norm of the loss gradient on one batch "
        "(Abdelfattah et al. 2021, TensorFlow, supervised tasks)"
    )
    candidates: int = Field(
        8, ge=2, le=256, description="candidates built and scored for every trained trial"
    )
    batch: int = Field(
        64, ge=2, le=1024, description="training rows the proxy sees (naswot, gradnorm)"
    )


def check_prescreen(engine: str, algorithm: str | None, prescreen: PrescreenSpec | None) -> None:
    """Refuse pre-screening with an engine algorithm that cannot replay a given point.

    Raises:
        FieldError: at ``prescreen``, naming the engines and algorithms that take it.
    """
    if prescreen is None:
        return
    caps = ENGINE_CAPABILITIES[engine]
    algorithm = algorithm or caps.algorithms[0]
    if algorithm in caps.budget_algorithms or algorithm in _OWN_POINTS:
        raise FieldError(
            ("prescreen",),
            f"{caps.label}'s {algorithm} chooses its points itself and cannot train a "
            f"pre-screened one; pre-screening works with {prescreen_support()}; change "
            "search.algorithm or drop search.prescreen",
        )


def prescreen_support() -> str:
    """``engine: optuna (tpe, random, …), …``: where ``search.prescreen`` is accepted."""
    parts = []
    for name, caps in ENGINE_CAPABILITIES.items():
        ok = [
            a for a in caps.algorithms if a not in caps.budget_algorithms and a not in _OWN_POINTS
        ]
        parts.append(f"engine: {name} (algorithm: {', '.join(ok)})")
    return "; ".join(parts)
