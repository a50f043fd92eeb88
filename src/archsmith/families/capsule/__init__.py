"""The capsule network family: primary capsules, dynamic routing, margin loss."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

CAPSULE = BlockSpec(
    name="capsule",
    description="capsule network: the features read as an image, convolution, primary "
    "capsules, dynamic routing to one capsule per class, margin loss (multiclass)",
    args={
        "height": Arg("int", 0, low=0, high=4096, description="image rows (0: a square image)"),
        "conv_filters": Arg("int", 64, low=1, high=1024, description="first convolution"),
        "kernel_size": Arg("int", 3, low=1, high=15, description="kernel of both convolutions"),
        "primary_capsules": Arg(
            "int", 8, low=1, high=256, description="primary capsule types per position"
        ),
        "primary_dim": Arg("int", 8, low=2, high=64, description="length of primary capsules"),
        "class_dim": Arg("int", 16, low=2, high=64, description="length of class capsules"),
        "routings": Arg("int", 3, low=1, high=10, description="rounds of routing"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="convolution activation"),
    },
)

FAMILY = Family(
    "capsule",
    # an output block: it sizes its class capsules by the target and is the model's output
    blocks=(Block(CAPSULE, takes=frozenset({"target"}), output=True),),
)
