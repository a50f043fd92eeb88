"""Transfer learning (images): a pretrained backbone as a feature extractor."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

BACKBONE = BlockSpec(
    name="backbone",
    description="transfer learning from a local .keras file or keras.applications model",
    inputs=("image",),
    args={
        "source": Arg("str", description="a .keras file, or a keras.applications model name"),
        "weights": Arg("str", "", description="local weights file of a keras.applications model"),
        "fine_tune": Arg(
            "int", 0, low=0, high=100_000, description="last weighted layers trained (0: frozen)"
        ),
        "global_pool": Arg("str", "avg", values=("avg", "max"), description="pooling"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after pooling"),
    },
)

FAMILY = Family(
    "transfer",
    blocks=(Block(BACKBONE, takes=frozenset({"base_dir"})),),
    facts="layer_counts",  # frozen and trainable backbone layers, logged with each trial
)
