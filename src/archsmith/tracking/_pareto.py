"""Pareto fronts over the objectives of a search (plain numpy, no engine needed)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: The leaderboard column holding each objective.
COST_COLUMNS = {"params": "params_count", "latency_ms": "latency_ms"}


def objective_column(metric: str) -> str:
    """Leaderboard column of an objective: ``val.<metric>``, ``params_count``, ``latency_ms``."""
    return COST_COLUMNS.get(metric, f"val.{metric}")


def parse_objectives(text: str | None) -> list[tuple[str, str]]:
    """``"accuracy:maximize,params:minimize"`` (the parent run's param) -> pairs."""
    if not text:
        return []
    return [(part.split(":")[0], part.split(":")[1]) for part in text.split(",") if ":" in part]


def pareto_mask(points: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """True for each row of ``points`` that no other row dominates.

    A row dominates another when it is at least as good in every objective and better in
    one (``directions``: ``maximize`` or ``minimize`` per column).
    """
    signs = np.array([-1.0 if d == "maximize" else 1.0 for d in directions])
    costs = np.asarray(points, dtype=float) * signs  # everything minimised
    mask = np.ones(len(costs), dtype=bool)
    for i, row in enumerate(costs):
        others = np.delete(costs, i, axis=0)
        dominated = np.any(np.all(others <= row, axis=1) & np.any(others < row, axis=1))
        mask[i] = not dominated
    return mask


def mark_pareto(board: pd.DataFrame, objectives: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Add a boolean ``pareto`` column: COMPLETE trials on the front of ``objectives``."""
    board = board.copy()
    board["pareto"] = False
    columns = [objective_column(m) for m, _ in objectives]
    if not len(board) or any(c not in board.columns for c in columns):
        return board
    done = board["state"].eq("COMPLETE") & board[columns].notna().all(axis=1)
    if done.any():
        mask = pareto_mask(board.loc[done, columns].to_numpy(), [d for _, d in objectives])
        board.loc[done[done].index[mask], "pareto"] = True
    return board
