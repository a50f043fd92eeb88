"""The MLP family: stacks of dense layers and residual MLPs for flat feature vectors."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

DENSE_STACK = BlockSpec(
    name="dense_stack",
    description="a stack of fully connected layers of equal width",
    args={
        "layers": Arg("int", 2, low=1, high=64, description="number of dense layers"),
        "units": Arg("int", 64, low=1, high=65536, description="units per layer"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after each layer"),
        "batch_norm": Arg("bool", False, description="batch normalisation before activation"),
        "l2": Arg("float", 0.0, low=0.0, high=1.0, description="L2 weight penalty"),
    },
)


RESIDUAL_DENSE = BlockSpec(
    name="residual_dense",
    description="residual blocks of two dense layers with a skip connection (ResNet-MLP)",
    args={
        "blocks": Arg("int", 2, low=1, high=32, description="number of residual blocks"),
        "units": Arg("int", 64, low=1, high=65536, description="width of the residual stream"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout inside blocks"),
        "batch_norm": Arg("bool", True, description="batch normalisation inside blocks"),
    },
)

FAMILY = Family(
    "mlp",
    blocks=(Block(DENSE_STACK, flat=True), Block(RESIDUAL_DENSE, flat=True)),
)
