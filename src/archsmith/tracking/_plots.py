"""Plots of a search, drawn from its leaderboard with Optuna's matplotlib visualisation.

The plots are built from the leaderboard (what MLflow holds), not from an engine's own
records, so every engine gets the same plots: the trials are loaded into an in-memory
Optuna study (distributions inferred from the logged values) and drawn by
``optuna.visualization.matplotlib``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from archsmith.tracking._pareto import objective_column

#: Leaderboard columns that are not params.
_NOT_PARAMS = {
    "trial",
    "state",
    "score",
    "params_count",
    "epochs",
    "fit_seconds",
    "latency_ms",
    "predict_ms_per_row",
    "model_bytes",
    "reason",
    "run_id",
    "pareto",
}


def _param_columns(board: pd.DataFrame) -> list[str]:
    return [c for c in board.columns if c not in _NOT_PARAMS and not c.startswith("val.")]


def _distributions(done: pd.DataFrame, columns: list[str]) -> dict[str, Any]:
    """An Optuna distribution per param that varies: numbers -> float range, else categories."""
    from optuna.distributions import CategoricalDistribution
    from optuna.distributions import FloatDistribution

    out: dict[str, Any] = {}
    for column in columns:
        values = done[column].dropna()
        if values.empty:
            continue
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            low, high = float(values.min()), float(values.max())
            if low < high:
                out[column] = FloatDistribution(low, high)
        else:
            choices = sorted({str(v) for v in values})
            if len(choices) > 1:
                out[column] = CategoricalDistribution(choices)
    return out


def study_from_leaderboard(board: pd.DataFrame, objectives: Sequence[tuple[str, str]]) -> Any:
    """An in-memory Optuna study holding the COMPLETE trials of ``board``."""
    import optuna

    columns = [objective_column(m) for m, _ in objectives]
    if len(objectives) == 1:
        columns = ["score"]
    done = board[board["state"].eq("COMPLETE")].dropna(subset=columns)
    dists = _distributions(done, _param_columns(board))
    study = optuna.create_study(directions=[str(d) for _, d in objectives])  # type: ignore[misc]
    for row in done.to_dict("records"):
        params = {}
        for name, dist in dists.items():
            value = row.get(name)
            if value is None or value != value:  # inactive in this trial (NaN)
                continue
            params[name] = float(value) if hasattr(dist, "low") else str(value)
        study.add_trial(
            optuna.trial.create_trial(
                params=params,
                distributions={k: dists[k] for k in params},
                values=[float(row[c]) for c in columns],
            )
        )
    return study


def write_plots(
    board: pd.DataFrame, objectives: Sequence[tuple[str, str]], folder: Path
) -> list[Path]:
    """Write ``history.png``, ``importances.png`` and (several objectives) ``pareto.png``.

    A plot is left out when the search cannot support it: no completed trial (all plots),
    fewer than two completed trials or no param that varies (importances).
    """
    import matplotlib.pyplot as plt
    import optuna
    from optuna.visualization import matplotlib as vis

    if not len(board) or "state" not in board.columns:
        return []
    names = [m for m, _ in objectives]
    plots: list[tuple[str, Any]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
        logger = optuna.logging.get_logger("optuna")
        level = logger.level
        logger.setLevel("WARNING")
        try:
            study = study_from_leaderboard(board, objectives)
            trials = study.get_trials(deepcopy=False)
            if not trials:
                return []
            if len(objectives) == 1:
                plots.append(("history.png", vis.plot_optimization_history(study)))
            else:
                plots.append(
                    (
                        "history.png",
                        vis.plot_optimization_history(
                            study, target=lambda t: t.values[0], target_name=names[0]
                        ),
                    )
                )
                plots.append(("pareto.png", vis.plot_pareto_front(study, target_names=names)))
            if len(trials) >= 2 and any(t.params for t in trials):
                target = None if len(objectives) == 1 else (lambda t: t.values[0])
                plots.append(
                    (
                        "importances.png",
                        vis.plot_param_importances(study, target=target, target_name=names[0]),
                    )
                )
        finally:
            logger.setLevel(level)
    paths = []
    for name, axes in plots:
        figure = axes.figure
        path = folder / name
        figure.savefig(path, dpi=90, bbox_inches="tight")
        plt.close(figure)
        paths.append(path)
    return paths
