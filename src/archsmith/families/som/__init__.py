"""The self-organising map family (clustering)."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

SOM = BlockSpec(
    name="som",
    description="self-organising map: a grid of prototypes trained by its own neighbourhood "
    "updates; outputs the squared distance of a row to every unit",
    args={
        "rows": Arg("int", 8, low=1, high=256, description="grid rows"),
        "cols": Arg("int", 8, low=1, high=256, description="grid columns"),
        "epochs": Arg("int", 10, low=1, high=1000, description="passes over the data"),
        "learning_rate": Arg("float", 0.5, low=1e-4, high=1.0, description="initial step size"),
        "sigma_end": Arg(
            "float", 0.5, low=0.05, high=10.0, description="final neighbourhood radius"
        ),
        "schedule": Arg(
            "str",
            "exponential",
            values=("exponential", "linear"),
            description="decay of the radius and step size",
        ),
    },
)

FAMILY = Family("som", blocks=(Block(SOM),), task="clustering")
