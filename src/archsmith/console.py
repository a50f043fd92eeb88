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


def print_result(result: Any, exp: Any) -> None:
    """The end of a search: the leaderboard, the best trial, its test scores, the model."""
    print_board(result.leaderboard)
    assert result.best is not None
    print(
        f"\nbest: trial {result.best.number}, {exp.task.metric} = "
        f"{result.best.value:.4f} (validation)"
    )
    for key, value in result.test_scores.items():
        if value == value:  # a score undefined on the test rows (NaN) is left out
            print(f"  test {key}: {value:.4f}")
    print(f"model: {result.model_uri}  ({result.wall_seconds:.1f}s)")


def short_names(names: list[str]) -> list[str]:
    """Each dotted param name cut to its shortest ending that is unique among ``names`` and
    does not start with a bare position: ``mlp.units`` -> ``units``, ``mlp.blocks.0`` ->
    ``blocks.0`` (not ``0``), ``mlp.blocks.0.units`` and ``mlp.blocks.1.units`` ->
    ``blocks.0.units`` and ``blocks.1.units``."""
    split = [n.split(".") for n in names]
    result = []
    for parts in split:
        for k in range(1, len(parts) + 1):
            tail = parts[-k:]
            if tail[0].isdigit() and k < len(parts):
                continue  # "0" says nothing alone: keep the name it indexes
            if sum(other[-k:] == tail for other in split) == 1:
                break
        result.append(".".join(tail))
    return result


def print_board(board: Any, rows: int = 10) -> None:
    """The first ``rows`` trials of a leaderboard, params by their last name part where
    that stays unambiguous."""
    import pandas as pd

    if board is None or not len(board):
        print("(no trials)")
        return
    fixed = [
        c
        for c in (
            "trial",
            "state",
            "score",
            "pareto",
            "params_count",
            "latency_ms",
            "predict_ms_per_row",
            "model_bytes",
            "epochs",
            "fit_seconds",
        )
        if c in board
    ]
    params = [
        c
        for c in board.columns
        if c not in (*fixed, "reason", "run_id") and not c.startswith("val.")
    ]
    view = board[fixed + params].head(rows).copy()
    view.columns = fixed + short_names(params)
    with pd.option_context(
        "display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format
    ):
        print(view.to_string(index=False))


__all__ = ["print_board", "print_progress", "print_result", "short_names"]
