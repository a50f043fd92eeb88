"""Published time-series shapes: per-series z-normalisation, FCN, ResNet and InceptionTime."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

SERIES_NORM = BlockSpec(
    name="series_norm",
    description="z-normalisation of each series inside the model (series) or of the dataset",
    inputs=("sequence",),
    args={
        "mode": Arg(
            "str",
            "series",
            values=("series", "dataset", "none", "auto"),
            description="series: each series by its own mean and std; dataset: the input "
            "layer's training statistics only; none: the raw values (that standardisation "
            "undone); auto: series for univariate series, dataset for multivariate ones (as "
            "the published FCN / ResNet results were obtained)",
        ),
    },
)

FCN = BlockSpec(
    name="fcn",
    description="FCN (Wang et al. 2017): Conv1D-BN-ReLU x3, filters f-2f-f, kernels k, k-3, k-5",
    inputs=("sequence",),
    args={
        "filters": Arg("int", 128, low=1, high=1024, description="filters of the outer layers"),
        "kernel": Arg("int", 8, low=1, high=64, description="kernel of the first layer"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after pooling"),
    },
)

RESNET1D = BlockSpec(
    name="resnet1d",
    description="ResNet (Wang et al. 2017): residual blocks of three Conv1D-BN, 64-128-128",
    inputs=("sequence",),
    args={
        "blocks": Arg("int", 3, low=1, high=8, description="residual blocks"),
        "filters": Arg("int", 64, low=1, high=1024, description="filters of the first block"),
        "kernel": Arg("int", 8, low=1, high=64, description="kernel of each block's first conv"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after pooling"),
    },
)

INCEPTION = BlockSpec(
    name="inception",
    description="InceptionTime (Ismail Fawaz et al. 2020): Inception modules with shortcuts",
    inputs=("sequence",),
    args={
        "depth": Arg("int", 6, low=1, high=12, description="Inception modules"),
        "filters": Arg("int", 32, low=1, high=512, description="filters per branch"),
        "kernel": Arg("int", 40, low=1, high=128, description="largest kernel (then /2, /4)"),
        "bottleneck": Arg("int", 32, low=0, high=512, description="1x1 bottleneck (0: none)"),
        "residual": Arg("bool", True, description="a shortcut every three modules"),
    },
)

FAMILY = Family(
    "series",
    blocks=(
        Block(SERIES_NORM, takes=frozenset({"schema"})),
        Block(FCN),
        Block(RESNET1D),
        Block(INCEPTION),
    ),
)
