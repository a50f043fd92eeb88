"""Greedy ensemble selection with replacement (Caruana et al., "Ensemble Selection from
Libraries of Models", ICML 2004) over the stored validation outputs of the trials.

Each round adds the trial (again, if it helps most) whose outputs, averaged with those
already chosen, score best; the ensemble is the best-scoring prefix of the rounds. The
first round picks the best single trial, so the ensemble never scores below it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Selection:
    """What ensemble selection chose.

    Attributes:
        weights: trial number -> weight (times chosen / rounds kept), summing to 1.
        score: the ensemble's validation score.
        single: the best single trial (by the same outputs and metric).
        single_score: its validation score.
    """

    weights: Mapping[int, float]
    score: float
    single: int
    single_score: float

    def gain(self, maximize: bool) -> float:
        """How much better than the best single trial the ensemble scores (>= 0)."""
        return self.score - self.single_score if maximize else self.single_score - self.score


def select(
    outputs: Mapping[int, np.ndarray],
    score: Callable[[np.ndarray], float],
    *,
    maximize: bool,
    rounds: int,
) -> Selection:
    """Choose members and weights among ``outputs`` (trial number -> validation outputs).

    Args:
        outputs: the trials' outputs on the same validation rows.
        score: the metric of averaged outputs.
        maximize: whether a greater score is better.
        rounds: picks, with replacement.

    Raises:
        ValueError: no trial has outputs, or none can be scored.

    Example:
        >>> import numpy as np
        >>> y = np.array([1.0, 2.0])
        >>> outs = {0: np.array([0.0, 2.0]), 1: np.array([2.0, 2.0])}
        >>> rmse = lambda out: float(np.sqrt(np.mean((out - y) ** 2)))
        >>> sel = select(outs, rmse, maximize=False, rounds=4)
        >>> dict(sel.weights), sel.score < sel.single_score
        ({0: 0.5, 1: 0.5}, True)
    """

    def better(a: float, b: float) -> bool:
        return a > b if maximize else a < b

    singles = {n: score(out) for n, out in sorted(outputs.items())}
    scored = {n: v for n, v in singles.items() if math.isfinite(v)}
    if not scored:
        raise ValueError("no trial's validation outputs could be scored")
    single = min(scored, key=lambda n: (-scored[n] if maximize else scored[n], n))
    best_score, best_counts = scored[single], Counter({single: 1})
    total = np.zeros_like(outputs[single], dtype="float64")
    counts: Counter[int] = Counter()
    for r in range(rounds):
        pick, value = None, math.nan
        for n in scored:
            candidate = score((total + outputs[n]) / (r + 1))
            if math.isfinite(candidate) and (pick is None or better(candidate, value)):
                pick, value = n, candidate
        if pick is None:
            break
        total += outputs[pick]
        counts[pick] += 1
        if better(value, best_score):
            best_score, best_counts = value, Counter(counts)
    kept = sum(best_counts.values())
    weights = {n: c / kept for n, c in sorted(best_counts.items())}
    return Selection(weights, float(best_score), single, float(scored[single]))
