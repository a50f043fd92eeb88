"""What a search prints on the terminal: the CLI and ``AutoModel(verbose=1)`` pass
:func:`print_progress` as the ``progress`` callback of ``run_search`` (the search itself
prints nothing)."""

from __future__ import annotations

from typing import Any


def print_progress(result: Any, best: Any, done: int, total: int) -> None:
    """One line per trial: state, score, best so far, time.

    Args:
        result: the trial's ``TrialResult``.
        best: the best trial so far (``.value``, ``.number``).
        done: trials finished, this one included.
        total: ``search.max_trials``.
    """
    score = "" if result.value is None else f"score={result.value:.4f}"
    best_txt = "" if best.value is None else f"best={best.value:.4f} (trial {best.number})"
    extra = f"  {result.reason[:100]}" if result.reason else ""
    print(
        f"[{done:>3}/{total}] trial {result.number:<3} {result.state.value:<8} {score:<13} "
        f"{best_txt:<26} {result.seconds:6.1f}s {result.params_count:>9,} params{extra}",
        flush=True,
    )


__all__ = ["print_progress"]
