"""Every shipped space on the current Keras backend and device: build, train, score, reload.

For each shipped search space this samples one candidate (random engine, seed 0), builds
it for a small real data set of the space's kind and task, trains it for a few epochs,
scores the validation split, exports the model for raw inputs, saves it as ``.keras``,
loads it back in safe mode and checks that the reloaded model predicts the same. It prints
one row per space: backend, device, params, fit seconds, the task's metric and the largest
difference between the exported and the reloaded model's outputs. No tracking store, no
Optuna: this checks the builders, layers and training steps, which are written with
``keras.ops`` so that every Keras backend runs them.

Usage:
    KERAS_BACKEND=jax python benchmarks/backends.py [--epochs 3] [--only cnn,rnn]

Text spaces need string tensors (TensorFlow); on other backends their row says so.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import keras
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.datasets import load_digits

from archsmith import builders
from archsmith import tasks
from archsmith import training
from archsmith.datasets import load_dataset
from archsmith.engines import make_engine
from archsmith.search_space import load_space
from archsmith.spec import Experiment

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "families"))

from gnn_cycles import cycles_and_trees
from gnn_cycles import two_communities


def _digits() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_digits(return_X_y=True)
    return x.astype("float32"), y


def _sequences(n: int = 400, steps: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sine waves; the class is whether the frequency is high or low."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    t = np.arange(steps)
    freq = np.where(y == 1, 0.6, 0.2)[:, None]
    x = np.sin(freq * t[None, :] + rng.uniform(0, 6, (n, 1))) + 0.3 * rng.normal(size=(n, steps))
    return x[..., None].astype("float32"), y


def _texts(n: int = 300) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    good = ["great", "lovely", "excellent", "fine", "happy"]
    bad = ["awful", "poor", "broken", "sad", "terrible"]
    filler = ["the", "a", "product", "it", "was", "and", "very", "service"]
    y = rng.integers(0, 2, n)
    words = [
        [*rng.choice(filler, 5), rng.choice(good if c else bad), *rng.choice(filler, 3)] for c in y
    ]
    texts = [" ".join(w) for w in words]
    return texts, y


def _series(n: int = 600) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(n)
    return (10 + 3 * np.sin(2 * np.pi * t / 12) + 0.05 * t + rng.normal(0, 0.3, n)).astype(
        "float32"
    )


def cases() -> list[tuple[str, dict[str, Any], Any, Any]]:
    """(space, task, x, y) for every shipped space."""
    xd, yd = _digits()
    images = xd.reshape(-1, 8, 8, 1)
    cancer = load_breast_cancer()
    xs, ys = _sequences()
    texts, yt = _texts()
    multilabel = np.stack([yd % 2 == 0, yd >= 5, np.isin(yd, (2, 3, 5, 7))], axis=1).astype(int)
    classify = {"type": "classification"}
    graphs, cycles = cycles_and_trees()
    graph, community = two_communities()
    return [
        ("mlp", classify, xd, yd),
        ("resnet_mlp", classify, xd, yd),
        ("rbf", classify, xd, yd),
        ("spiking", classify, xd, yd),
        ("dbn", classify, xd, yd),
        ("capsule", classify, xd, yd),
        ("autoencoder", {"type": "anomaly_detection", "normal": 1}, cancer.data, cancer.target),
        ("som", {"type": "clustering", "metric": "purity"}, xd, yd),
        ("siamese", {"type": "similarity"}, images, yd),
        ("siamese", {"type": "similarity", "mode": "triplets"}, images, yd),
        ("cnn", classify, images, yd),
        ("resnet", classify, images, yd),
        ("rnn", classify, xs, ys),
        ("conv1d", classify, xs, ys),
        ("transformer", classify, xs, ys),
        ("text_bag", classify, texts, yt),
        ("text_sequence", classify, texts, yt),
        ("mlp", {"type": "multilabel"}, xd, multilabel),
        (
            "conv1d",
            {"type": "forecasting", "horizon": 3, "lookback": 24, "seasonality": 12},
            _series(),
            None,
        ),
        ("gnn", classify, graphs, cycles),
        ("gnn", classify, graph, community),
    ]


def run_case(
    space_name: str, task: dict[str, Any], x: Any, y: Any, epochs: int, tmp: Path
) -> dict[str, Any]:
    exp = Experiment.model_validate(
        {"task": task, "training": {"epochs": epochs, "early_stopping": None}}
    )
    dataset = load_dataset(x, y, task=exp.task, data=exp.data)
    space = load_space((space_name,), builders.CATALOG, Path.cwd())
    engine = make_engine(
        "random", space, name=space_name, direction=exp.direction, seed=0, algorithm=None
    )
    config = space.resolve(engine.ask().params)
    training.clear_session()
    model = builders.build_model(config, dataset.schema, dataset.target)
    result = tasks.fit(model, dataset, config, exp.training)
    exported = builders.export_model(model, dataset.schema)
    strings = builders.takes_strings(exported)
    rows = dataset.schema.raw_inputs(dataset.validation.frame.head(32), strings)
    path = training.save_model(exported, tmp / f"{space_name}-{exp.task.type}.keras")
    loaded = builders.load_model(path)
    diff = float(np.max(np.abs(training.outputs(exported, rows) - training.outputs(loaded, rows))))
    return {
        "params": builders.count_params(model),
        "fit_s": result.fit_seconds,
        "metric": exp.task.metric,
        "score": result.scores.get(exp.task.metric, float("nan")),
        "reload_diff": diff,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated space names")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    backend = keras.backend.backend()
    device = _device(backend)
    tmp = Path(tempfile.mkdtemp(prefix="archsmith-backends-"))
    print(f"backend: {backend}  device: {device}  keras {keras.__version__}")
    print(
        f"{'space':<14} {'task':<18} {'params':>9} {'fit s':>7} "
        f"{'metric':<19} {'score':>7} {'reload diff':>11}"
    )
    failures = 0
    for space_name, task, x, y in cases():
        if only and space_name not in only:
            continue
        start = time.perf_counter()
        try:
            row = run_case(space_name, task, x, y, args.epochs, tmp)
        except Exception as exc:  # report every space, then exit non-zero
            failures += 1
            print(f"{space_name:<14} {task['type']:<18} FAILED: {type(exc).__name__}: {exc}")
            traceback.print_exc(limit=3)
            continue
        print(
            f"{space_name:<14} {task['type']:<18} {row['params']:>9,} {row['fit_s']:>7.1f} "
            f"{row['metric']:<19} {row['score']:>7.3f} {row['reload_diff']:>11.2e}"
            f"   ({time.perf_counter() - start:.1f}s in all)"
        )
    print(f"{failures} failed")
    raise SystemExit(1 if failures else 0)


def _device(backend: str) -> str:
    try:
        if backend == "jax":
            import jax

            return str(jax.devices()[0].platform)
        if backend == "torch":
            import torch

            return "cuda" if torch.cuda.is_available() else "cpu"
    except Exception:
        return "unknown"
    return "cpu"


if __name__ == "__main__":
    main()
