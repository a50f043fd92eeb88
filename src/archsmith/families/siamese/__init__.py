"""The Siamese family (similarity): a shared encoder compared by distance."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

SIAMESE = BlockSpec(
    name="siamese",
    description="Siamese head (task similarity): the blocks before it are the shared encoder "
    "of both examples of a pair; projects to an embedding and compares the two by distance",
    inputs=("tabular", "image", "sequence"),
    args={
        "embedding": Arg(
            "int", 32, low=0, high=4096, description="embedding size (0: the encoder's output)"
        ),
        "distance": Arg(
            "str", "euclidean", values=("euclidean", "cosine"), description="pair distance"
        ),
        "normalise": Arg(
            "bool",
            only_with=("distance", ("euclidean",)),
            description="unit-length embeddings before the Euclidean distance",
        ),
    },
)

FAMILY = Family("siamese", blocks=(Block(SIAMESE),), task="similarity")
