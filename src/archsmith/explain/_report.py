"""``explain``: the method for the model's data kind; ``log_explanation``: its values and
plot in the search's MLflow run."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith import tasks
from archsmith import training
from archsmith.datasets import ArraySchema
from archsmith.datasets import GraphSchema
from archsmith.datasets import InputSchema
from archsmith.datasets import Target
from archsmith.datasets import TextSchema
from archsmith.datasets import as_frame
from archsmith.datasets import as_target
from archsmith.datasets import network_inputs
from archsmith.datasets import read_examples
from archsmith.exceptions import DataError
from archsmith.explain._gradients import integrated_gradients
from archsmith.explain._permutation import permutation_importance

#: names of the axes of one example, by its number of axes (sequences, images)
_AXES = {2: ("step", "channel"), 3: ("row", "column", "channel")}
#: rows drawn in a plot of column importances
_PLOTTED = 20


@dataclass(frozen=True)
class Subject:
    """A fitted model and what explaining it needs.

    Attributes:
        model: the Keras model taking raw rows (the search's exported model).
        schema: its input schema.
        target: its target (to encode ``y``).
        metric: the search's metric (permutation importance scores with it).
        maximize: whether a greater metric is better.
        strings: the model takes strings (TensorFlow backend).
    """

    model: Any
    schema: Any
    target: Target
    metric: str
    maximize: bool
    strings: bool = True


@dataclass
class Explanation:
    """What :func:`explain` found.

    Attributes:
        method: ``permutation_importance`` (tables) or ``integrated_gradients`` (images,
            sequences).
        table: most important first: per column (``column``, ``importance``, ``std``,
            ``baseline``) or per position (``row``/``column``/``channel`` or
            ``step``/``channel``, ``mean_abs_attribution``).
        attributions: per example and input value (integrated gradients), else None.
        metric: the metric of permutation importance.
        files: the artifacts logged by :func:`log_explanation`.
    """

    method: str
    table: pd.DataFrame
    attributions: np.ndarray | None = None
    metric: str | None = None
    files: list[str] = field(default_factory=list)

    def top(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` most important columns or positions."""
        return self.table.head(n).reset_index(drop=True)


def explain(
    subject: Subject, x: Any, y: Any = None, *, target: str | None = None, repeats: int = 5
) -> Explanation:
    """Explain ``subject``'s predictions on ``x`` (any data ``fit`` and ``predict`` take).

    Tables: permutation importance of every input column with the search's metric; the
    targets are ``y`` or the ``target`` column of ``x`` (default: the one fit used).
    Images and sequences: integrated gradients (``y`` is not needed: the predicted output
    is followed).

    Raises:
        DataError: no targets for a table, a data kind that cannot be explained (texts,
            graphs, pairs), data that does not fit the schema.
        ArchsmithError: integrated gradients on a backend other than TensorFlow.
    """
    schema = subject.schema
    if isinstance(schema, InputSchema):
        return _table(subject, x, y, target, repeats)
    if isinstance(schema, ArraySchema) and not isinstance(schema, TextSchema | GraphSchema):
        return _arrays(subject, x)
    kind = getattr(schema, "kind", type(schema).__name__)
    raise DataError(
        f"explain supports tables (permutation importance), images and sequences "
        f"(integrated gradients); this model takes {kind} data"
    )


def _table(subject: Subject, x: Any, y: Any, column: str | None, repeats: int) -> Explanation:
    schema = subject.schema
    frame = as_frame(read_examples(x, schema).data)
    if y is None:
        column = column or subject.target.name
        if column not in frame.columns:
            raise DataError(
                f"explaining a table needs its targets: pass y, or rows with the target "
                f"column '{column}' (got columns {list(frame.columns)})"
            )
        y = frame.pop(column)
    frame = frame[[c for c in frame.columns if c in schema.names]].reset_index(drop=True)
    labels = as_target(y).reset_index(drop=True)
    if len(labels) != len(frame):
        raise DataError(f"X has {len(frame)} rows but y has {len(labels)}")
    encoded = subject.target.encode(labels)

    def score(rows: pd.DataFrame) -> float:
        out = training.outputs(subject.model, schema.raw_inputs(rows, subject.strings))
        scores = tasks.all_scores(encoded, out, subject.target)
        if subject.metric not in scores:
            raise DataError(
                f"metric {subject.metric} cannot be computed on these rows (e.g. a class "
                "missing from y); pass more rows"
            )
        return float(scores[subject.metric])

    table = permutation_importance(frame, score, maximize=subject.maximize, repeats=repeats)
    return Explanation("permutation_importance", table, metric=subject.metric)


def _arrays(subject: Subject, x: Any) -> Explanation:
    schema = subject.schema
    data = read_examples(x, schema).data
    inputs = network_inputs(data, schema, subject.strings)[schema.key]
    baseline = np.asarray(schema.mean, dtype="float32")  # the training mean, per channel
    values, _ = integrated_gradients(subject.model, schema.key, inputs, baseline)
    mean = np.abs(values).mean(axis=0)
    names = _AXES.get(mean.ndim, tuple(f"axis{i}" for i in range(mean.ndim)))
    index = np.indices(mean.shape).reshape(mean.ndim, -1)
    table = pd.DataFrame({n: index[i] for i, n in enumerate(names)})
    table["mean_abs_attribution"] = mean.reshape(-1)
    table = table.sort_values("mean_abs_attribution", ascending=False, kind="stable")
    return Explanation("integrated_gradients", table.reset_index(drop=True), values)


def log_explanation(explanation: Explanation, tracking_uri: str, run_id: str) -> list[str]:
    """Log the values (``explain/<method>.csv`` and ``.json``) and a plot
    (``explain/<method>.png``) to the run; return their artifact paths."""
    from archsmith.tracking import open_tracker

    tracker = open_tracker(tracking_uri)
    name = explanation.method
    with tempfile.TemporaryDirectory(prefix="archsmith-explain-") as tmp:
        folder = Path(tmp)
        explanation.table.to_csv(folder / f"{name}.csv", index=False)
        record = {
            "method": name,
            "metric": explanation.metric,
            "values": explanation.table.to_dict("records"),
        }
        (folder / f"{name}.json").write_text(json.dumps(record, indent=1, default=float))
        _plot(explanation, folder / f"{name}.png")
        files = [folder / f"{name}.{ext}" for ext in ("csv", "json", "png")]
        for path in files:
            tracker.log_file(run_id, path, "explain")
    explanation.files = [f"explain/{p.name}" for p in files]
    return explanation.files


def _plot(explanation: Explanation, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if explanation.attributions is None:  # columns: a bar per column, most important on top
        shown = explanation.table.head(_PLOTTED).iloc[::-1]
        figure, ax = plt.subplots(figsize=(6, 0.3 * len(shown) + 1.2))
        ax.barh(shown["column"], shown["importance"], xerr=shown["std"], color="tab:blue")
        ax.set_xlabel(f"drop of {explanation.metric} when shuffled")
        ax.set_title("permutation importance")
    else:
        mean = np.abs(explanation.attributions).mean(axis=0).sum(axis=-1)  # over channels
        figure, ax = plt.subplots(figsize=(5, 4) if mean.ndim == 2 else (7, 3))
        if mean.ndim == 2:  # images: a heat map per pixel
            shown_map = ax.imshow(mean, cmap="inferno")
            figure.colorbar(shown_map, ax=ax)
        else:  # sequences: a line over the time steps
            ax.plot(np.arange(1, len(mean) + 1), mean)
            ax.set_xlabel("time step")
        ax.set_title("mean |integrated gradients|")
    figure.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(figure)


def explain_result(
    result: Any, model: Any, x: Any, y: Any = None, *, target: str | None = None
) -> Explanation:
    """Explain the best model of a finished search (``AutoModel.explain``) and log the
    explanation to the search's run.

    Args:
        result: the ``SearchResult``.
        model: its best model (raw rows).
    """
    from archsmith import builders

    exp = result.experiment
    subject = Subject(
        model,
        result.dataset.schema,
        result.dataset.target,
        exp.task.metric,
        exp.direction == "maximize",
        builders.takes_strings(model),
    )
    explanation = explain(subject, x, y, target=target)
    log_explanation(explanation, exp.tracking.uri, result.run_id)
    return explanation


def explain_search(
    name: str, tracking_uri: str, x: Any, y: Any = None, *, target: str | None = None
) -> Explanation:
    """Explain the model of the latest search named ``name`` (``archsmith explain``) and
    log the explanation to that search's run. Nothing stored with the model is executed
    (the ``.keras`` file in safe mode, the metadata JSON)."""
    from archsmith.served import load_served
    from archsmith.tracking import open_tracker

    served = load_served(name, tracking_uri)
    tracker = open_tracker(tracking_uri)
    run_id = tracker.latest_search(name)
    params = tracker.search_run(run_id).params
    subject = Subject(
        served.model,
        served.schema,
        served.target,
        params.get("metric", ""),
        params.get("direction", "maximize") == "maximize",
        served.strings,
    )
    explanation = explain(subject, x, y, target=target)
    log_explanation(explanation, tracking_uri, run_id)
    return explanation
