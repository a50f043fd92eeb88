"""Block functions of the families beyond the MLP, by catalog name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from archsmith.builders._autoencoder import anomaly_head
from archsmith.builders._autoencoder import autoencoder
from archsmith.builders._capsule import capsule
from archsmith.builders._conv_autoencoder import conv_autoencoder
from archsmith.builders._dbn import dbn
from archsmith.builders._gan import gan
from archsmith.builders._gan import generation_head
from archsmith.builders._gnn import gcn
from archsmith.builders._gnn import gin
from archsmith.builders._rbf import rbf
from archsmith.builders._siamese import siamese
from archsmith.builders._som import som
from archsmith.builders._spiking import spiking
from archsmith.builders._tabm import TABULAR_BLOCKS


def cluster_head(x: Any, features: Any, schema: Any) -> Any:
    """Clustering outputs the distances of the last block (a ``som``) as they are."""
    return keras.layers.Identity(name="archsmith_unit_distances")(x)


FAMILY_BLOCKS: dict[str, Callable[..., Any]] = {
    "rbf": rbf,
    "autoencoder": autoencoder,
    "spiking": spiking,
    "dbn": dbn,
    "som": som,
    "capsule": capsule,
    "gan": gan,
    "siamese": siamese,
    "gcn": gcn,
    "gin": gin,
    "conv_autoencoder": conv_autoencoder,
    **TABULAR_BLOCKS,
}

#: output blocks: they take the ``target`` and produce the model's output themselves, so no
#: task head follows them when they come last
OUTPUT_BLOCKS = frozenset({"capsule"})

#: heads of tasks whose output is computed from the last block, the feature vector and the
#: input schema
TASK_HEADS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "anomaly": anomaly_head,
    "cluster": cluster_head,
    "generation": generation_head,
}
