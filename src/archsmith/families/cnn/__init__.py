"""The CNN family (images): augmentation and stacks of convolution blocks."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

_POOLS = ("avg", "max", "flatten")

AUGMENT = BlockSpec(
    name="augment",
    description="random flips, rotations, zooms, shifts and contrast in training; "
    "test-time augmentation (tta) at inference",
    inputs=("image",),
    args={
        "flip": Arg(
            "str",
            "none",
            values=("none", "horizontal", "vertical", "horizontal_and_vertical"),
            description="random flips",
        ),
        "rotation": Arg("float", 0.0, low=0.0, high=0.5, description="rotation (turns)"),
        "zoom": Arg("float", 0.0, low=0.0, high=0.9, description="zoom (fraction)"),
        "contrast": Arg("float", 0.0, low=0.0, high=0.9, description="contrast factor"),
        "translation": Arg("float", 0.0, low=0.0, high=0.5, description="shift (fraction)"),
        "tta": Arg(
            "int",
            1,
            low=1,
            high=7,
            description="test-time augmentation: the mean of the model's outputs over this "
            "many fixed views at inference (the image, its flips where flip is on, one-pixel "
            "shifts right, left, down, up; at most those); 1: off",
        ),
    },
)


CONV_STACK = BlockSpec(
    name="conv_stack",
    description="CNN: blocks of convolutions, pooling, batch-norm and dropout, globally pooled",
    inputs=("image",),
    args={
        "blocks": Arg("int", 2, low=1, high=8, description="number of conv blocks"),
        "filters": Arg("int", 32, low=1, high=1024, description="filters of the first block"),
        "growth": Arg("float", 2.0, low=1.0, high=4.0, description="filter factor per block"),
        "kernel": Arg("int", 3, low=1, high=11, description="kernel size"),
        "convs": Arg("int", 1, low=1, high=4, description="convolutions per block"),
        "pooling": Arg("str", "max", values=("max", "avg", "none"), description="pooling"),
        "batch_norm": Arg("bool", True, description="batch normalisation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout per block"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "global_pool": Arg("str", "avg", values=_POOLS, description="final pooling"),
    },
)

FAMILY = Family("cnn", blocks=(Block(AUGMENT), Block(CONV_STACK)))
