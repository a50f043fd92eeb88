"""ETS (exponential smoothing) forecasts of forecasting windows: a classical reference row.

statsmodels' Holt-Winters ``ExponentialSmoothing`` with an additive damped trend and, where
the window holds two seasons, an additive season. Its smoothing parameters are fitted once,
on a few training windows (their lookback and horizon values, the median of each parameter),
then every validation and test window is forecast from its own ``lookback`` values with
those parameters (``optimized=False``): the information the searched networks get, at a few
milliseconds a window. statsmodels is optional (``pip install statsmodels``): without it
there is no ETS row.
"""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any

import numpy as np

#: training windows the smoothing parameters are fitted on
FIT_WINDOWS = 3
_PARAMS = ("smoothing_level", "smoothing_trend", "smoothing_seasonal", "damping_trend")


def available() -> bool:
    """Whether statsmodels is installed."""
    return importlib.util.find_spec("statsmodels") is not None


def _model(values: np.ndarray, seasonality: int) -> Any:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = seasonality > 1 and len(values) >= 2 * seasonality
    return ExponentialSmoothing(
        values.astype("float64"),
        trend="add",
        damped_trend=True,
        seasonal="add" if seasonal else None,
        seasonal_periods=seasonality if seasonal else None,
        initialization_method="legacy-heuristic",
    )


def fitted_params(x: np.ndarray, y: np.ndarray, seasonality: int) -> dict[str, float]:
    """Median smoothing parameters of ETS fitted on up to :data:`FIT_WINDOWS` training
    windows ``x`` ``(N, lookback, 1)`` continued by their targets ``y`` ``(N, horizon)``."""
    picks = np.unique(np.linspace(0, len(x) - 1, min(FIT_WINDOWS, len(x))).astype(int))
    found: dict[str, list[float]] = {k: [] for k in _PARAMS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in picks:
            series = np.concatenate([x[i, :, 0], y[i]])
            params = _model(series, seasonality).fit().params
            for k in _PARAMS:
                value = params.get(k)
                if value is not None and np.isfinite(value):
                    found[k].append(float(value))
    return {k: float(np.median(v)) for k, v in found.items() if v}


def forecast(x: np.ndarray, horizon: int, seasonality: int, params: dict[str, float]) -> np.ndarray:
    """ETS forecasts ``(N, horizon)`` of windows ``x`` ``(N, lookback, 1)`` with ``params``."""
    out = np.empty((len(x), horizon), dtype="float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, window in enumerate(x[:, :, 0]):
            model = _model(window, seasonality)
            usable = {
                k: v for k, v in params.items() if model.has_seasonal or k != "smoothing_seasonal"
            }
            out[i] = model.fit(optimized=False, **usable).forecast(horizon)
    return out
