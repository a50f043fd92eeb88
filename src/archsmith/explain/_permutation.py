"""Permutation importance of a table model, per raw input column, on raw rows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

#: ``frame -> score`` of the search's metric (greater or smaller is better, see ``maximize``)
Score = Callable[[pd.DataFrame], float]


def permutation_importance(
    frame: pd.DataFrame,
    score: Score,
    *,
    maximize: bool,
    repeats: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """How much the score worsens when each column's values are shuffled among the rows.

    The model sees raw rows (missing values and categories as they are), so the importance
    is that of the user's columns, not of the encoded features.

    Args:
        frame: the rows (input columns only).
        score: the search's metric of the model's predictions on rows like ``frame``.
        maximize: whether a greater score is better (the importance is then the drop).
        repeats: shuffles per column (the mean and standard deviation are reported).
        seed: seed of the shuffles.

    Returns:
        One row per column, most important first: ``column``, ``importance`` (mean
        worsening of the score; <= 0: the column does not help), ``std``, ``baseline``.
    """
    rng = np.random.default_rng(seed)
    baseline = score(frame)
    rows = []
    for column in frame.columns:
        drops = []
        for _ in range(repeats):
            shuffled = frame.copy()
            shuffled[column] = frame[column].to_numpy()[rng.permutation(len(frame))]
            value = score(shuffled)
            drops.append(baseline - value if maximize else value - baseline)
        rows.append((str(column), float(np.mean(drops)), float(np.std(drops)), baseline))
    table = pd.DataFrame(rows, columns=["column", "importance", "std", "baseline"])
    return table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
