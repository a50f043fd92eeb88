"""Linear forecasters (Zeng et al. 2023): the window mapped to the horizon by one Dense layer.

NLinear reads the window minus its last value; DLinear splits it into a moving-average
trend and a remainder, each with its own weights. The ``linear_window`` block prepares the
window; the forecast head's Dense layer is the one linear map (see ``blocks.py``).
"""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

LINEAR_WINDOW = BlockSpec(
    name="linear_window",
    description="the input window for a linear forecast (NLinear: minus its last value; "
    "DLinear: moving-average trend and remainder); the forecast head's Dense maps it",
    inputs=("sequence",),
    args={
        "window": Arg(
            "int",
            0,
            low=0,
            high=4096,
            description="last steps of the lookback read (0 or more than the lookback: all)",
        ),
        "level": Arg(
            "str",
            "none",
            values=("none", "last"),
            description="last: subtract the window's last value (NLinear); none: as is",
        ),
        "decomposition": Arg(
            "str",
            "none",
            values=("none", "trend"),
            description="trend: a moving-average trend and the remainder, each with its own "
            "weights (DLinear); none: the window",
        ),
        "kernel": Arg(
            "int",
            low=2,
            high=1024,
            only_with=("decomposition", ("trend",)),
            description="moving-average length of the trend (25 when left out; at most the window)",
        ),
    },
)

FAMILY = Family("linear_forecast", blocks=(Block(LINEAR_WINDOW),), task="forecasting")
