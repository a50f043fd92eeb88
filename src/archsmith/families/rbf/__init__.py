"""The RBF network family: Gaussian units with centres initialised from the data."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

RBF = BlockSpec(
    name="rbf",
    description="radial basis function layer: Gaussian units with trainable centres and "
    "widths, centres initialised from the training features",
    args={
        "units": Arg("int", 32, low=1, high=4096, description="number of centres"),
        "width_scale": Arg(
            "float", 1.0, low=0.01, high=100.0, description="multiplier of the initial widths"
        ),
        "init": Arg("str", "kmeans", values=("kmeans", "sample"), description="how centres start"),
        "normalise": Arg("bool", False, description="divide activations by their sum"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after the layer"),
    },
)

FAMILY = Family("rbf", blocks=(Block(RBF, flat=True),))
