"""The family suite: every shipped space builds, trains, exports and reloads.

For one shipped space, :func:`check_space` samples a candidate (the random engine, seeded),
builds it on a small generated dataset of the space's data kind and its family's task
(``Family.task``), trains it for one epoch, exports it as a ``.keras`` file, reloads it in
Keras' safe mode and checks that the reloaded model predicts what the trained one did. A
new family proves itself by adding its space to the package; a test runs::

    @pytest.mark.parametrize("space", shipped_space_names())
    def test_family(space, tmp_path):
        check_space(space, tmp_path)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import Dataset
from archsmith.datasets import load_dataset
from archsmith.engines import make_engine
from archsmith.families import CATALOG
from archsmith.families import FAMILIES
from archsmith.search_space import SearchSpace
from archsmith.search_space import load_space
from archsmith.search_space import shipped_spaces
from archsmith.spec import load_experiment

#: rows of the generated datasets: enough for three splits, small enough for CPU time
ROWS = 60

#: the metric each task is scored by in the suite (one that needs no labels where it can)
METRICS = {"anomaly_detection": "roc_auc", "clustering": "quantisation_error"}


@dataclass(frozen=True)
class SpaceCase:
    """One shipped space and what the suite runs it on.

    Attributes:
        space: the space's name (``archsmith spaces``).
        family: the family folder that ships it.
        task: the task type (``Family.task``).
        kind: the data kind (the space's first ``for:`` kind).
    """

    space: str
    family: str
    task: str
    kind: str


def shipped_space_names() -> list[str]:
    """The names of every shipped space, sorted (a parametrization of :func:`check_space`)."""
    return sorted(shipped_spaces())


def space_case(name: str) -> SpaceCase:
    """The family, task and data kind the suite runs shipped space ``name`` on."""
    path = shipped_spaces()[name]
    family = FAMILIES[path.parent.name]
    space = load_space(name, CATALOG)
    return SpaceCase(name, family.name, family.task, space.inputs[0])


def _table(rng: np.random.Generator, labels: np.ndarray) -> Any:
    """36 numeric columns (a 6 x 6 image for ``capsule``), shifted by the label."""
    values = rng.normal(size=(len(labels), 36)) + labels[:, None]
    return pd.DataFrame(values, columns=[f"f{i}" for i in range(36)])


def _images(rng: np.random.Generator, labels: np.ndarray) -> Any:
    """8 x 8 single-channel images, shifted by the label."""
    return rng.normal(size=(len(labels), 8, 8, 1)).astype("float32") + labels[:, None, None, None]


def _sequences(rng: np.random.Generator, labels: np.ndarray) -> Any:
    """Sequences of 12 steps and 2 channels, shifted by the label."""
    return rng.normal(size=(len(labels), 12, 2)).astype("float32") + labels[:, None, None]


def _texts(rng: np.random.Generator, labels: np.ndarray) -> Any:
    """Five random words and one word of the label."""
    words = np.array(["red", "green", "blue", "apple", "sky", "leaf", "the", "a"])
    return pd.DataFrame({"text": [" ".join(rng.choice(words, 5)) + f" word{c}" for c in labels]})


def _graphs(rng: np.random.Generator, labels: np.ndarray) -> Any:
    """Small graphs of 4 to 7 nodes with two features each: paths, or cycles for odd labels."""
    graphs = []
    for label in labels:
        nodes = int(rng.integers(4, 8))
        pairs = [(j, j + 1) for j in range(nodes - 1)] + ([(nodes - 1, 0)] if label % 2 else [])
        features = rng.normal(size=(nodes, 2)).astype("float32")
        graphs.append({"edges": np.asarray(pairs, dtype="int64"), "features": features})
    return graphs


#: a small random input of each data kind, for given labels
DATA: dict[str, Callable[[np.random.Generator, np.ndarray], Any]] = {
    "tabular": _table,
    "image": _images,
    "sequence": _sequences,
    "text": _texts,
    "graph": _graphs,
}

#: classes of the generated labels (anomaly detection: ``0`` normal, ``1`` anomaly)
CLASSES = {"anomaly_detection": 2}


def _series(rng: np.random.Generator, rows: int) -> Any:
    """One series of ``rows`` values: a level, a season of 4 steps and noise."""
    steps = np.arange(rows)
    return (10 + np.sin(2 * np.pi * steps / 4) + rng.normal(0, 0.2, rows)).astype("float32")


#: tasks that take their own data, whatever the space's data kind: one generated series
#: (forecasting: ``y`` None), and the task settings the suite declares for them
TASK_DATA: dict[str, Callable[[np.random.Generator, int], Any]] = {"forecasting": _series}
TASK_OPTIONS: dict[str, dict[str, Any]] = {
    "forecasting": {"lookback": 8, "horizon": 2, "seasonality": 4}
}


def sample_data(kind: str, task: str, rows: int = ROWS, seed: int = 0) -> tuple[Any, Any]:
    """Small random data ``(x, y)`` of data ``kind`` for ``task`` (``y`` None: generation).

    Labels are three classes (two for anomaly detection), and the inputs depend on them;
    forecasting gets one series of ``rows`` values instead (``y`` None).
    """
    rng = np.random.default_rng(seed)
    if task in TASK_DATA:
        return TASK_DATA[task](rng, rows), None
    labels = rng.permutation(np.arange(rows) % CLASSES.get(task, 3))
    return DATA[kind](rng, labels), (None if task == "generation" else labels)


def make_dataset(case: SpaceCase, seed: int = 0) -> tuple[Any, Dataset]:
    """The declaration and dataset the suite trains ``case`` on (1 epoch)."""
    task: dict[str, Any] = {"type": case.task, **TASK_OPTIONS.get(case.task, {})}
    if case.task in METRICS:
        task["metric"] = METRICS[case.task]
    exp = load_experiment(
        task=task, training={"epochs": 1, "early_stopping": None, "batch_size": 16}
    )
    x, y = sample_data(case.kind, case.task, seed=seed)
    return exp, load_dataset(x, y, task=exp.task, data=exp.data)


def sample_config(space: SearchSpace, seed: int = 0) -> dict[str, Any]:
    """One candidate of ``space`` drawn by the random engine (seeded), resolved."""
    engine = make_engine("random", space, name=space.name, direction="minimize", seed=seed)
    return space.resolve(engine.ask().params)


def check_space(name: str, folder: Path, seed: int = 0) -> dict[str, float]:
    """Build, train one epoch, export, reload (safe mode) and compare one candidate.

    Returns the validation scores of the trained candidate.

    Raises:
        AssertionError: a step failed, or the reloaded model predicts differently.
    """
    case = space_case(name)
    exp, data = make_dataset(case, seed)
    config = sample_config(load_space(name, CATALOG), seed)
    training.clear_session()
    training.seed_trial(seed)
    model = builders.build_model(config, data.schema, data.target)
    assert builders.count_params(model) > 0, f"{name}: the model has no weights"
    result = tasks.fit(model, data, config, exp.training)
    assert result.scores, f"{name}: training gave no validation scores"
    path = training.save_model(builders.export_model(model, data.schema), folder / f"{name}.keras")
    reloaded = builders.load_model(path)
    raw = data.schema.raw_inputs(data.validation.frame, builders.takes_strings(reloaded))
    trained = training.outputs(model, data.validation.x)
    again = training.outputs(reloaded, raw)
    assert again.shape == trained.shape, f"{name}: {again.shape} != {trained.shape}"
    assert np.isfinite(again).all(), f"{name}: the reloaded model predicts non-finite values"
    if np.allclose(trained, training.outputs(model, data.validation.x)):
        np.testing.assert_allclose(
            again, trained, rtol=1e-4, atol=1e-4, err_msg=f"{name}: reloaded predictions differ"
        )
    else:  # a model that samples (a GAN's generator): its weights must come back instead
        _assert_same_weights(model, reloaded, name)
    return dict(result.scores)


def _assert_same_weights(model: Any, reloaded: Any, name: str) -> None:
    """``reloaded`` holds the weights of ``model``, in order, with the same values."""
    trained = [np.asarray(w) for w in model.weights]
    saved = [np.asarray(w) for w in reloaded.weights]
    assert len(saved) == len(trained), f"{name}: {len(saved)} weights saved of {len(trained)}"
    for i, (a, b) in enumerate(zip(saved, trained, strict=True)):
        np.testing.assert_allclose(a, b, err_msg=f"{name}: weight {i} ({model.weights[i].path})")
