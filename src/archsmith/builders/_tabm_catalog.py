"""Catalog entries of the tabular encodings and blocks (keras-free, so spaces validate fast).

The blocks are in ``_tab_encodings.py`` (``numeric_encoding``) and ``_tabm.py`` (``tabm``,
``realmlp``).
"""

from __future__ import annotations

from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

ENCODINGS = ("standard", "robust", "quantile", "ple", "periodic")

NUMERIC_ENCODING = BlockSpec(
    name="numeric_encoding",
    description="encode the numeric columns inside the model (first block of a tabular "
    "model): standard, robust scaling + smooth clipping, quantile-normal, piecewise-linear "
    "encoding on training quantiles (ple) or periodic embeddings (learned frequencies, "
    "linear + ReLU); missing flags and categories pass through",
    args={
        "method": Arg("str", "standard", values=ENCODINGS, description="encoding"),
        "bins": Arg("int", 32, low=2, high=256, description="bins (ple) or quantiles (quantile)"),
        "frequencies": Arg(
            "int", 32, low=1, high=256, description="learned frequencies per column (periodic)"
        ),
        "sigma": Arg(
            "float",
            0.1,
            low=1e-3,
            high=100.0,
            description="spread of the initial frequencies (periodic)",
        ),
        "dim": Arg("int", 16, low=1, high=256, description="embedding size per column (periodic)"),
    },
)

TABM = BlockSpec(
    name="tabm",
    description="TabM: k members sharing their weights (BatchEnsemble linear layers with "
    "per-member scalings and biases), their last hidden vectors averaged",
    args={
        "k": Arg("int", 32, low=1, high=128, description="ensemble members"),
        "layers": Arg("int", 3, low=1, high=16, description="linear layers per member"),
        "units": Arg("int", 512, low=1, high=8192, description="units per layer"),
        "dropout": Arg("float", 0.1, low=0.0, high=0.95, description="dropout after each layer"),
        "arch": Arg(
            "str",
            "tabm",
            values=("tabm", "mini"),
            description="tabm: every layer per member; mini: one per-member scaling in front",
        ),
    },
)

REALMLP = BlockSpec(
    name="realmlp",
    description="RealMLP: learned front scaling, N(0, 1/fan_in) weights, parametric "
    "activations x + a (f(x) - x), dropout",
    args={
        "layers": Arg("int", 3, low=1, high=16, description="dense layers"),
        "units": Arg("int", 256, low=1, high=8192, description="units per layer"),
        "activation": Arg(
            "str",
            "selu",
            values=("relu", "selu", "mish", "gelu", "silu"),
            description="activation f",
        ),
        "dropout": Arg("float", 0.15, low=0.0, high=0.95, description="dropout after layers"),
        "front_scale": Arg("bool", True, description="learned scale per input feature"),
        "parametric": Arg("bool", True, description="learned mix of f(x) and x per unit"),
    },
)

TABULAR_SPECS = (NUMERIC_ENCODING, TABM, REALMLP)
