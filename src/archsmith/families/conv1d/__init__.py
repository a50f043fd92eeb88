"""The 1-D convolutional family (sequences): FCN and ResNet-1D."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

CONV1D = BlockSpec(
    name="conv1d",
    description="1-D CNN: fully convolutional (fcn) or ResNet-1D (resnet), globally pooled",
    inputs=("sequence", "text"),
    args={
        "style": Arg("str", "fcn", values=("fcn", "resnet"), description="architecture"),
        "filters": Arg("int", 64, low=1, high=1024, description="filters per convolution"),
        "kernel": Arg("int", 8, low=1, high=64, description="kernel size"),
        "blocks": Arg("int", 3, low=1, high=8, description="conv (fcn) or residual blocks"),
        "batch_norm": Arg("bool", True, description="batch normalisation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout per block"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "pooling": Arg(
            "str", "avg", values=("avg", "max", "flatten"), description="pooling over time"
        ),
    },
)

FAMILY = Family("conv1d", blocks=(Block(CONV1D),))
