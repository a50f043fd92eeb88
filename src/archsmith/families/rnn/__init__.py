"""The recurrent family (sequences): stacked SimpleRNN, LSTM or GRU layers."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

RNN = BlockSpec(
    name="rnn",
    description="stacked recurrent layers (SimpleRNN, LSTM, GRU), optionally bidirectional",
    inputs=("sequence", "text"),
    args={
        "cell": Arg("str", "lstm", values=("simple", "lstm", "gru"), description="cell"),
        "units": Arg("int", 64, low=1, high=4096, description="units per layer"),
        "layers": Arg("int", 1, low=1, high=8, description="stacked layers"),
        "bidirectional": Arg("bool", False, description="read both directions"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="input dropout"),
        "recurrent_dropout": Arg(
            "float", 0.0, low=0.0, high=0.95, description="dropout of the recurrent state"
        ),
    },
)

FAMILY = Family("rnn", blocks=(Block(RNN),))
