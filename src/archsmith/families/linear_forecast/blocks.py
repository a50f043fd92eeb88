"""The window of a linear forecast (Zeng et al. 2023, "Are Transformers Effective for Time
Series Forecasting?"), ``(batch, steps, channels)`` -> ``(batch, features)``.

The forecast head (``archsmith.builders``) maps the block's output to the horizon with one
Dense layer and adds it to the seasonal-naive forecast of the window, so a linear family is
``linear_window`` alone:

- ``level: last`` (NLinear): the window minus its last value. The forecast is then
  ``seasonal_naive(x) + W (x - x_last) + b``: a linear map of the window that shifts by ``c``
  when the window does (the seasonal-naive part carries the level back), and starts, with
  the head's zero weights, at the seasonal-naive forecast;
- ``decomposition: trend`` (DLinear): the window's moving average (``kernel`` steps, the
  ends padded with the first and last values, as in the paper) and the remainder, side by
  side, so the one Dense layer holds a weight matrix for each;
- ``window``: only the last ``window`` steps are read (the lookback is the task's).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from archsmith.families._layers import check_sequence

#: the moving-average length of DLinear's trend when a space does not set it (the paper's)
KERNEL = 25


@keras.saving.register_keras_serializable(package="archsmith")
class LinearWindow(keras.layers.Layer):
    """The last ``window`` steps, less their last value (``level``), as one trend +
    remainder pair (``kernel`` > 0) or as is, flattened to one vector per example.

    Args:
        window: steps read from the end (0: all).
        level: ``last``: subtract each channel's last value; ``none``: keep the values.
        kernel: moving-average length of the trend; 0: no decomposition.
    """

    def __init__(self, window: int = 0, level: str = "none", kernel: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self.window = int(window)
        self.level = str(level)
        self.kernel = int(kernel)

    def _steps(self, steps: int) -> int:
        return steps if self.window <= 0 else min(self.window, steps)

    def call(self, x: Any) -> Any:
        steps = self._steps(x.shape[1])
        x = x[:, x.shape[1] - steps :, :]
        if self.level == "last":
            x = x - x[:, -1:, :]
        if self.kernel > 0:
            trend = moving_average(x, min(self.kernel, steps))
            x = ops.concatenate([trend, x - trend], axis=1)
        return ops.reshape(x, (-1, x.shape[1] * x.shape[2]))

    def compute_output_shape(self, input_shape: Any) -> Any:
        steps = self._steps(input_shape[1]) * (2 if self.kernel > 0 else 1)
        return (input_shape[0], steps * input_shape[2])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "window": self.window,
            "level": self.level,
            "kernel": self.kernel,
        }


def moving_average(x: Any, kernel: int) -> Any:
    """The ``kernel``-step moving average of ``(batch, steps, channels)``, same length: the
    front padded with ``(kernel - 1) // 2`` copies of the first value, the end with the rest
    of copies of the last (DLinear's ``moving_avg``)."""
    front = (kernel - 1) // 2
    back = kernel - 1 - front
    parts = [ops.repeat(x[:, :1, :], front, axis=1)] if front else []
    parts += [x] + ([ops.repeat(x[:, -1:, :], back, axis=1)] if back else [])
    padded = ops.concatenate(parts, axis=1)
    steps = x.shape[1]
    windows = [padded[:, i : i + steps, :] for i in range(kernel)]
    return ops.sum(ops.stack(windows, axis=0), axis=0) / kernel


def linear_window(
    x: Any, *, window: int, level: str, decomposition: str, kernel: int | None = None
) -> Any:
    """The prepared window of a linear forecast (:class:`LinearWindow`)."""
    check_sequence(x, "linear_window")
    size = (kernel or KERNEL) if decomposition == "trend" else 0
    return LinearWindow(window=window, level=level, kernel=size, name="archsmith_linear_window")(x)
