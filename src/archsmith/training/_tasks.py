"""Training functions of tasks that do not train as supervised prediction, by target kind.

``training.fit`` hands a dataset whose ``target.kind`` is a key of :data:`TASK_FITS` to that
function; each has ``fit``'s signature and returns a ``TrainingResult``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archsmith.training._anomaly import fit_anomaly
from archsmith.training._clustering import fit_clustering
from archsmith.training._generation import fit_generation
from archsmith.training._similarity import fit_similarity

TASK_FITS: dict[str, Callable[..., Any]] = {
    "anomaly": fit_anomaly,
    "cluster": fit_clustering,
    "generation": fit_generation,
    "similarity": fit_similarity,
}
