"""Learning curves of a search's best trials, overlaid: the per-epoch training and
validation loss and metrics each trial logged, read back from its MLflow run.

Written beside the other plots of the parent run as ``curves/learning_curves.png`` and the
values drawn as ``curves/learning_curves.csv`` (trial, run_id, metric, epoch, value).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: best COMPLETE trials drawn
TOP_TRIALS = 5


def curve_names(metrics: dict[str, float]) -> list[str]:
    """The per-epoch keys of a trial's run: Keras' ``x`` and ``val_x`` pairs (loss first)."""
    bases = sorted({k for k in metrics if f"val_{k}" in metrics}, key=lambda k: (k != "loss", k))
    return [name for base in bases for name in (base, f"val_{base}")]


def learning_curves(client: Any, board: pd.DataFrame, top: int = TOP_TRIALS) -> pd.DataFrame:
    """The per-epoch values of the ``top`` best COMPLETE trials of ``board`` (best first)."""
    columns = ["trial", "run_id", "metric", "epoch", "value"]
    if not len(board) or "state" not in board.columns:
        return pd.DataFrame(columns=columns)
    done = board[board["state"].eq("COMPLETE") & board["trial"].ge(0)].head(top)
    rows = []
    for trial, run_id in zip(done["trial"], done["run_id"], strict=True):
        for name in curve_names(client.get_run(run_id).data.metrics):
            for point in sorted(client.get_metric_history(run_id, name), key=lambda m: m.step):
                rows.append((int(trial), run_id, name, int(point.step) + 1, float(point.value)))
    return pd.DataFrame(rows, columns=columns)


def write_learning_curves(client: Any, board: pd.DataFrame, folder: Path) -> list[Path]:
    """Write ``learning_curves.png`` (one panel per metric, one colour per trial, training
    solid and validation dashed) and ``learning_curves.csv``; none without curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = learning_curves(client, board)
    if curves.empty:
        return []
    bases = [m for m in dict.fromkeys(curves["metric"]) if not m.startswith("val_")]
    trials = list(dict.fromkeys(curves["trial"]))
    figure, axes = plt.subplots(1, len(bases), figsize=(5 * len(bases), 3.6), squeeze=False)
    colours = plt.get_cmap("tab10")
    for ax, base in zip(axes[0], bases, strict=True):
        for i, trial in enumerate(trials):
            for name, style in ((base, "-"), (f"val_{base}", "--")):
                part = curves[curves["trial"].eq(trial) & curves["metric"].eq(name)]
                label = f"trial {trial} {'validation' if style == '--' else 'training'}"
                ax.plot(part["epoch"], part["value"], style, color=colours(i % 10), label=label)
        ax.set_title(base)
        ax.set_xlabel("epoch")
    axes[0][0].legend(fontsize=7)
    figure.suptitle(f"learning curves of the {len(trials)} best trial(s)")
    png, csv = folder / "learning_curves.png", folder / "learning_curves.csv"
    figure.savefig(png, dpi=90, bbox_inches="tight")
    plt.close(figure)
    curves.to_csv(csv, index=False)
    return [png, csv]
