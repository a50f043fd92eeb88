"""Numeric encodings (standard, robust, quantile, PLE, periodic) and the TabM and RealMLP
blocks: each trains, exports and reloads in safe mode with the same predictions."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd
import pytest

from archsmith.builders import CATALOG
from archsmith.builders import build_model
from archsmith.builders import export_model
from archsmith.builders import load_model
from archsmith.datasets import load_dataset
from archsmith.search_space import load_space
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from archsmith.training import outputs

OPT = {"optimizer": {"name": "adamw", "learning_rate": 0.01}, "batch_size": 32}
TABM = {"tabm": {"k": 4, "layers": 2, "units": 16, "dropout": 0.1}}
REALMLP = {"realmlp": {"layers": 2, "units": 16, "activation": "mish", "dropout": 0.1}}
ENCODINGS = {
    "standard": {"method": "standard"},
    "robust": {"method": "robust"},
    "quantile": {"method": "quantile", "bins": 8},
    "ple": {"method": "ple", "bins": 6},
    "periodic": {"method": "periodic", "frequencies": 4, "sigma": 0.5, "dim": 3},
}


def table(n: int = 160, seed: int = 0) -> pd.DataFrame:
    """Two numeric columns (one with missing values, one skewed), a small integer column
    with repeated values, a category and a binary target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.lognormal(size=n),
            "c": rng.integers(0, 3, n).astype(float),
            "d": rng.choice(["x", "y", "z"], n),
        }
    )
    frame.loc[rng.choice(n, 12, replace=False), "a"] = np.nan
    frame["y"] = np.where(frame["a"].fillna(0) + (frame["d"] == "x") > 0.5, "pos", "neg")
    return frame


def train_export_reload(block: dict[str, Any], tmp_path: Path, encoding: dict[str, Any]) -> None:
    exp = load_experiment(
        task={"type": "classification", "target": "y"},
        training={"epochs": 2, "early_stopping": None},
    )
    data = load_dataset(table(), task=exp.task, data=exp.data)
    config = {"model": [{"numeric_encoding": encoding}, block], **OPT}
    keras.utils.set_random_seed(0)
    model = build_model(config, data.schema, data.target)
    result = fit(model, data, config, exp.training)
    assert np.isfinite(result.scores["accuracy"])
    path = tmp_path / "model.keras"
    export_model(model, data.schema).save(path)
    reloaded = load_model(path)
    raw = data.schema.raw_inputs(data.validation.frame)
    np.testing.assert_allclose(
        outputs(reloaded, raw), outputs(model, data.validation.x), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("method", sorted(ENCODINGS))
def test_each_encoding_trains_exports_and_reloads(method: str, tmp_path: Path) -> None:
    block = {
        "dense_stack": {
            "layers": 1,
            "units": 8,
            "activation": "relu",
            "dropout": 0.0,
            "batch_norm": False,
            "l2": 0.0,
        }
    }
    train_export_reload(block, tmp_path, ENCODINGS[method])


@pytest.mark.parametrize("block", [TABM, REALMLP, {"tabm": {**TABM["tabm"], "arch": "mini"}}])
def test_each_block_trains_exports_and_reloads(block: dict[str, Any], tmp_path: Path) -> None:
    train_export_reload(block, tmp_path, ENCODINGS["ple"])


def test_ple_bins_are_the_training_quantiles_and_encode_piecewise_linearly() -> None:
    from archsmith.families.tabular._encodings import PiecewiseLinearEncoding

    rng = np.random.default_rng(1)
    x = np.column_stack([rng.normal(size=500), rng.integers(0, 2, 500), np.ones(500)])
    layer = PiecewiseLinearEncoding(2, 4)  # column 3 passes through
    layer(x[:2])
    layer.initialise_from(x)
    edges = keras.ops.convert_to_numpy(layer.edges)
    np.testing.assert_allclose(edges[0], np.quantile(x[:, 0], [0, 0.25, 0.5, 0.75, 1]), 1e-5)
    np.testing.assert_allclose(edges[1], [0, 1, 1, 1, 1])  # one bin for a 0/1 column
    e = edges[0]
    probe = np.array([[e[0] - 1.0, 0, 7], [(e[1] + e[2]) / 2, 1, 7], [e[4] + 1.0, 0.5, 7]])
    out = keras.ops.convert_to_numpy(layer(probe))
    assert out.shape == (3, 2 * 4 + 1)
    width = e[1] - e[0]
    np.testing.assert_allclose(out[0, :4], [-1.0 / width, 0, 0, 0], rtol=1e-5)  # below: < 0
    np.testing.assert_allclose(out[1, :4], [1, 0.5, 0, 0], atol=1e-5)
    np.testing.assert_allclose(out[2, 3], 1 + 1.0 / (e[4] - e[3]), rtol=1e-5)  # above: > 1
    np.testing.assert_allclose(out[:, 4:8], [[0, 0, 0, 0], [1, 0, 0, 0], [0.5, 0, 0, 0]])
    np.testing.assert_allclose(out[:, 8], 7)


def test_robust_and_quantile_scaling_are_bounded() -> None:
    from archsmith.families.tabular._encodings import QuantileScaling
    from archsmith.families.tabular._encodings import RobustScaling

    rng = np.random.default_rng(2)
    x = rng.standard_cauchy((400, 2))  # heavy tails
    for layer, bound in ((RobustScaling(2), 3.0), (QuantileScaling(2, 32), 3.1)):
        layer(x[:2])
        layer.initialise_from(x)
        out = keras.ops.convert_to_numpy(layer(np.vstack([x, [[1e6, -1e6]]])))
        assert np.abs(out).max() <= bound
        assert np.all(np.diff(out[np.argsort(x[:, 0]), 0]) >= -1e-6)  # order kept


def test_tabm_members_share_one_kernel_and_average() -> None:
    inputs = keras.Input((5,))
    from archsmith.families.tabular._tabm import tabm

    model = keras.Model(inputs, tabm(inputs, k=8, layers=2, units=16, dropout=0.0))
    assert model.output.shape == (None, 16)
    dense = [w for w in model.weights if w.path.endswith("kernel")]
    assert [tuple(w.shape) for w in dense] == [(5, 16), (16, 16)]  # shared by the 8 members
    scales = [w for w in model.weights if w.path.endswith("input_scale")]
    first = keras.ops.convert_to_numpy(scales[0])
    assert first.shape == (8, 5) and set(np.unique(first)) == {-1.0, 1.0}  # random signs


@pytest.mark.parametrize("name", ["tabm", "realmlp"])
def test_shipped_spaces_validate(name: str) -> None:
    space = load_space(name, CATALOG)
    assert space.name == name
    assert "model.0.numeric_encoding.method" in {p.name for p in space.params}


SCRIPT = r"""
import json, sys
import numpy as np
import pandas as pd
from archsmith import AutoModel, load_model
from archsmith.builders import takes_strings
from archsmith.training import outputs

rng = np.random.default_rng(0)
n = 150
frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.lognormal(size=n),
                      "c": rng.choice(["x", "y"], n)})
frame.loc[:9, "a"] = np.nan
frame["y"] = np.where(frame["b"] + (frame["c"] == "x") > 1.5, "pos", "neg")
x = frame.drop(columns="y")
gaps = []
for i, space in enumerate(sys.argv[2:]):
    model = AutoModel(task="classification", max_trials=1, epochs=2, verbose=0,
                      tracking_uri=sys.argv[1], space=space, name=f"one{i}")
    model.fit(frame, target="y")
    path = model.export(f"{sys.argv[1]}/m{i}.keras")
    loaded = load_model(path)
    rows = model.schema_.raw_inputs(x, takes_strings(loaded))
    gaps.append(float(np.abs(outputs(loaded, rows) - model.predict_proba(x)[:, 1:]).max()))
print(json.dumps({"gaps": gaps}))
"""

ONE_TRIAL = """
name: one
for: [tabular]
model:
  - numeric_encoding: {method: %s}
  - %s
optimizer: {name: adamw, learning_rate: 0.01}
batch_size: 32
"""


@pytest.mark.long  # make test-long (CI runs it): too long for make test's 15 minutes
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_encodings_and_blocks_on_other_backends(backend: str, tmp_path: Path) -> None:
    """One search per encoding and block on the backend; the exported model reloads in
    safe mode there and gives the same probabilities."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend, "MLFLOW_DISABLE_TELEMETRY": "true"}
    blocks = ("tabm: {k: 4, layers: 1, units: 8}", "realmlp: {units: 8}")
    spaces = []
    for i, (method, block) in enumerate(
        [(m, blocks[0]) for m in ("ple", "periodic")]
        + [(m, blocks[1]) for m in ("quantile", "robust")]
    ):
        spaces.append(tmp_path / f"one{i}.yaml")
        spaces[-1].write_text(ONE_TRIAL % (method, block))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), *map(str, spaces)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    gaps = json.loads(done.stdout.strip().splitlines()[-1])["gaps"]
    assert len(gaps) == 4 and max(gaps) < 1e-5
