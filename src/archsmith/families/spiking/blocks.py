"""Spiking networks: leaky integrate-and-fire (LIF) layers trained with a surrogate gradient.

Each row's feature vector is turned into ``time_steps`` steps of input spikes
(``SpikeEncoding``); ``LIFDense`` layers integrate them over time and fire; the firing
rates of the last layer (spikes per step) feed the task head. Spikes are a step function
of the membrane potential in the forward pass; in the backward pass the step's derivative
is replaced by that of a sigmoid (the surrogate gradient), written with
``ops.stop_gradient`` so every Keras backend trains it the same way.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

CODINGS = ("rate", "latency", "current")


@keras.saving.register_keras_serializable(package="archsmith")
class SpikeEncoding(keras.layers.Layer):
    """Features ``(N, d)`` -> input spikes ``(N, time_steps, d)``.

    Each feature is first squashed to an intensity ``p = sigmoid(x)`` in (0, 1), then:
    ``rate``: a regular spike train firing ``p * time_steps`` times (deterministic rate
    coding); ``latency``: one spike, earlier for larger ``p``; ``current``: the analog
    value ``p`` at every step (direct input current).

    Args:
        time_steps: number of simulation steps.
        coding: ``rate``, ``latency`` or ``current``.
    """

    def __init__(self, time_steps: int, coding: str = "rate", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if coding not in CODINGS:
            raise ValueError(f"coding must be one of {list(CODINGS)}, but got coding={coding!r}")
        if int(time_steps) < 1:
            raise ValueError(f"time_steps must be >= 1, but got time_steps={time_steps}")
        self.time_steps = int(time_steps)
        self.coding = coding

    def call(self, x: Any) -> Any:
        p = ops.sigmoid(ops.cast(x, "float32"))
        steps = self.time_steps
        t = ops.reshape(ops.arange(steps + 1, dtype="float32"), (1, steps + 1, 1))
        if self.coding == "current":
            return ops.repeat(ops.expand_dims(p, 1), steps, axis=1)
        if self.coding == "rate":
            counts = ops.floor(ops.expand_dims(p, 1) * t + 1e-6)  # spikes so far at each step
            return counts[:, 1:, :] - counts[:, :-1, :]
        fire_at = ops.round((1.0 - p) * (steps - 1))
        return ops.cast(ops.equal(t[:, :-1, :], ops.expand_dims(fire_at, 1)), "float32")

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], self.time_steps, input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "time_steps": self.time_steps, "coding": self.coding}


def spike(v: Any, slope: float) -> Any:
    """Heaviside step of ``v`` forward; gradient of ``sigmoid(slope * v)`` backward."""
    surrogate = ops.sigmoid(slope * v)
    step = ops.cast(v > 0, v.dtype)
    return surrogate + ops.stop_gradient(step - surrogate)


@keras.saving.register_keras_serializable(package="archsmith")
class LIFDense(keras.layers.Layer):
    """``units`` leaky integrate-and-fire neurons over time: ``(N, T, d) -> (N, T, units)``.

    At each step: ``v = decay * v + x_t W + b``; the neuron fires when ``v`` reaches
    ``threshold`` and then loses ``threshold`` (soft reset). Outputs are the spikes (0/1).

    Args:
        units: number of neurons.
        decay: membrane leak per step (``beta``; 0 = no memory, 1 = no leak).
        threshold: firing threshold.
        slope: steepness of the surrogate sigmoid.
    """

    def __init__(
        self,
        units: int,
        decay: float = 0.9,
        threshold: float = 1.0,
        slope: float = 5.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = int(units)
        self.decay = float(decay)
        self.threshold = float(threshold)
        self.slope = float(slope)
        self.dense = keras.layers.Dense(self.units, name="synapses")

    def build(self, input_shape: Any) -> None:
        self.dense.build((input_shape[0], input_shape[-1]))

    def call(self, x: Any) -> Any:
        currents = self.dense(x)  # (N, T, units): the synaptic input of every step at once
        v = ops.zeros_like(currents[:, 0, :])
        spikes = []
        for t in range(int(x.shape[1])):
            v = self.decay * v + currents[:, t, :]
            s = spike(v - self.threshold, self.slope)
            v = v - s * self.threshold
            spikes.append(s)
        return ops.stack(spikes, axis=1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], input_shape[1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "decay": self.decay,
            "threshold": self.threshold,
            "slope": self.slope,
        }


@keras.saving.register_keras_serializable(package="archsmith")
class FiringRate(keras.layers.Layer):
    """Spikes ``(N, T, units)`` -> firing rates ``(N, units)`` (spikes per step)."""

    def call(self, x: Any) -> Any:
        return ops.mean(x, axis=1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], input_shape[-1])


def spiking(
    x: Any,
    *,
    layers: int,
    units: int,
    time_steps: int,
    coding: str,
    decay: float,
    threshold: float,
    slope: float,
    dropout: float,
) -> Any:
    """Encode features as spikes, ``layers`` LIF layers, then the last layer's firing rates."""
    h = SpikeEncoding(time_steps, coding)(x)
    for _ in range(layers):
        h = LIFDense(units, decay=decay, threshold=threshold, slope=slope)(h)
        if dropout > 0:
            h = keras.layers.Dropout(dropout)(h)
    return FiringRate()(h)
