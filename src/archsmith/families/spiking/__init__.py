"""The spiking network family: leaky integrate-and-fire layers, surrogate gradient."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

SPIKING = BlockSpec(
    name="spiking",
    description="spiking network: inputs coded as spikes over time steps, leaky "
    "integrate-and-fire layers trained with a surrogate gradient, firing rates out",
    args={
        "layers": Arg("int", 1, low=1, high=8, description="number of LIF layers"),
        "units": Arg("int", 128, low=1, high=65536, description="neurons per layer"),
        "time_steps": Arg("int", 8, low=1, high=256, description="simulation steps"),
        "coding": Arg(
            "str",
            "rate",
            values=("rate", "latency", "current"),
            description="input coding: regular spike trains, first-spike time or current",
        ),
        "decay": Arg("float", 0.9, low=0.0, high=1.0, description="membrane leak per step"),
        "threshold": Arg("float", 1.0, low=0.01, high=100.0, description="firing threshold"),
        "slope": Arg("float", 5.0, low=0.1, high=100.0, description="surrogate steepness"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout on spikes"),
    },
)

FAMILY = Family("spiking", blocks=(Block(SPIKING, flat=True),))
