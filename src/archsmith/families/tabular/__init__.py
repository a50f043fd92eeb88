"""Modern tabular networks: numeric encodings inside the model (robust, quantile,
piecewise-linear, periodic), TabM's parameter-efficient ensemble and a RealMLP-style MLP.

Their Keras code: ``_encodings.py`` (``numeric_encoding``) and ``_tabm.py`` (``tabm``,
``realmlp``), re-exported by ``blocks.py``; see docs/tables.md.
"""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
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

FAMILY = Family(
    "tabular",
    blocks=(
        Block(NUMERIC_ENCODING, takes=frozenset({"schema"})),
        Block(TABM, flat=True),
        Block(REALMLP, flat=True),
    ),
)
