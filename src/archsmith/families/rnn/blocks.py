"""The recurrent block: stacked SimpleRNN, LSTM or GRU layers (sequences)."""

from __future__ import annotations

from typing import Any

import keras

from archsmith.families._layers import check_sequence

_CELLS = {"simple": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def rnn(
    x: Any,
    *,
    cell: str,
    units: int,
    layers: int,
    bidirectional: bool,
    dropout: float,
    recurrent_dropout: float,
) -> Any:
    """``layers`` stacked recurrent layers (SimpleRNN, LSTM or GRU); the last one's state."""
    check_sequence(x, "rnn")
    factory = getattr(keras.layers, _CELLS[cell])
    for i in range(layers):
        layer = factory(
            units,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            return_sequences=i < layers - 1,
        )
        x = keras.layers.Bidirectional(layer)(x) if bidirectional else layer(x)
    return x
