"""The transformer family (sequences): encoder blocks with positions."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

TRANSFORMER = BlockSpec(
    name="transformer",
    description="transformer encoder blocks with positions and a pooled output",
    inputs=("sequence", "text"),
    args={
        "blocks": Arg("int", 2, low=1, high=12, description="encoder blocks (depth)"),
        "heads": Arg("int", 4, low=1, high=32, description="attention heads"),
        "key_dim": Arg("int", 16, low=1, high=256, description="size of each head"),
        "ff_units": Arg("int", 128, low=1, high=8192, description="feed-forward width"),
        "dropout": Arg("float", 0.1, low=0.0, high=0.9, description="dropout"),
        "positional": Arg(
            "str",
            "learned",
            values=("none", "learned", "sinusoidal"),
            description="position embedding",
        ),
        "pooling": Arg(
            "str", "avg", values=("avg", "max", "last", "flatten"), description="pooling"
        ),
    },
)

FAMILY = Family("transformer", blocks=(Block(TRANSFORMER),))
