"""The RBF network family: k-means centres, beats a same-size MLP on a radial problem."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from archsmith.builders import build_model
from archsmith.builders import export_model
from archsmith.builders import load_model
from archsmith.datasets import load_dataset
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from archsmith.training import outputs
from families_helpers import example

OPT = {"optimizer": {"name": "adam", "learning_rate": 0.03}, "batch_size": 32}


def test_rbf_beats_a_same_size_mlp_on_a_radial_problem(tmp_path: Path) -> None:
    x, y = example("rbf_radial.py").radial(500)
    exp = load_experiment(
        task={"type": "regression"}, training={"epochs": 20, "early_stopping": None}
    )
    data = load_dataset(x, y, task=exp.task, data=exp.data)
    rbf = {
        "model": [
            {
                "rbf": {
                    "units": 12,
                    "width_scale": 1.0,
                    "init": "kmeans",
                    "normalise": False,
                    "dropout": 0.0,
                }
            }
        ],
        **OPT,
    }
    mlp = {
        "model": [
            {
                "dense_stack": {
                    "layers": 1,
                    "units": 12,
                    "activation": "relu",
                    "dropout": 0.0,
                    "batch_norm": False,
                    "l2": 0.0,
                }
            }
        ],
        **OPT,
    }
    scores, models = {}, {}
    for name, config in (("rbf", rbf), ("mlp", mlp)):
        keras.utils.set_random_seed(0)
        models[name] = build_model(config, data.schema, data.target)
        scores[name] = fit(models[name], data, config, exp.training)
    assert models["rbf"].count_params() == models["mlp"].count_params()  # same size: 49
    assert scores["rbf"].scores["r2"] > 0.8
    assert scores["rbf"].scores["r2"] > scores["mlp"].scores["r2"] + 0.15
    # the centres came from k-means on the training features (the init hook ran)
    init = {k: v for k, v in scores["rbf"].extra.items() if k.startswith("init.radial_basis")}
    assert init and all(np.isfinite(v) for v in init.values())
    # the exported model (custom layer) reloads in safe mode and predicts the same
    path = tmp_path / "rbf.keras"
    export_model(models["rbf"], data.schema).save(path)
    reloaded = load_model(path)
    raw = data.schema.raw_inputs(data.validation.frame)
    np.testing.assert_allclose(
        outputs(reloaded, raw), outputs(models["rbf"], data.validation.x), rtol=1e-4, atol=1e-5
    )


def test_rbf_centres_start_at_kmeans_centroids() -> None:
    from sklearn.cluster import KMeans

    from archsmith.builders._rbf import RadialBasis

    rng = np.random.default_rng(0)
    blobs = np.vstack([rng.normal(c, 0.1, (50, 2)) for c in ((0, 0), (3, 3), (-3, 3))])
    layer = RadialBasis(3)
    layer.build((None, 2))
    layer.initialise_from(blobs)
    want = KMeans(n_clusters=3, n_init=1, random_state=0).fit(blobs).cluster_centers_
    got = keras.ops.convert_to_numpy(layer.centres)
    assert np.abs(np.sort(got, axis=0) - np.sort(want, axis=0)).max() < 1e-4
    # widths follow the cluster spread (sigma about 0.14 for these blobs)
    sigma = np.sqrt(1 / (2 * np.exp(keras.ops.convert_to_numpy(layer.log_gamma))))
    assert np.all((sigma > 0.05) & (sigma < 0.3))
    with pytest.raises(ValueError, match="init must be 'kmeans' or 'sample'"):
        RadialBasis(3, init="grid")


def test_rbf_example_searches_and_tracks_the_family(in_tmp: Path) -> None:
    import mlflow

    model = example("rbf_radial.py").main(["--max-trials", "2", "--epochs", "3"])
    result = model.search_
    assert result.best is not None and np.isfinite(result.best.value)
    client = mlflow.tracking.MlflowClient(result.tracking_uri)
    run = client.get_run(result.best.attrs["mlflow_run_id"])
    assert run.data.params["family"] == "rbf"
    assert "val.r2" in run.data.metrics
    assert any(k.startswith("init.radial_basis") for k in run.data.metrics)
