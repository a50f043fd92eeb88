"""The ResNet family (images): a stem convolution and stages of residual blocks."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

_POOLS = ("avg", "max", "flatten")

RESNET_STAGES = BlockSpec(
    name="resnet_stages",
    description="ResNet: a stem convolution and stages of basic residual blocks",
    inputs=("image",),
    args={
        "stages": Arg("int", 2, low=1, high=5, description="stages (each halves the map)"),
        "blocks": Arg("int", 1, low=1, high=8, description="residual blocks per stage"),
        "filters": Arg("int", 16, low=1, high=512, description="filters of the first stage"),
        "kernel": Arg("int", 3, low=1, high=7, description="kernel size"),
        "batch_norm": Arg("bool", True, description="batch normalisation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout per block"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "global_pool": Arg("str", "avg", values=_POOLS, description="final pooling"),
    },
)

FAMILY = Family("resnet", blocks=(Block(RESNET_STAGES),))
