"""Block functions of the families beyond the MLP, by catalog name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archsmith.builders._autoencoder import anomaly_head
from archsmith.builders._autoencoder import autoencoder
from archsmith.builders._dbn import dbn
from archsmith.builders._rbf import rbf
from archsmith.builders._spiking import spiking

FAMILY_BLOCKS: dict[str, Callable[..., Any]] = {
    "rbf": rbf,
    "autoencoder": autoencoder,
    "spiking": spiking,
    "dbn": dbn,
}

#: heads of tasks whose output is computed from the last block and the feature vector
TASK_HEADS: dict[str, Callable[[Any, Any], Any]] = {"anomaly": anomaly_head}
