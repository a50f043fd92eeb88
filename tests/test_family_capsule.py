"""The capsule network family: digits as 8 x 8 images, dynamic routing, margin loss."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

from archsmith.builders import build_model
from archsmith.builders import export_model
from archsmith.builders import load_model
from archsmith.datasets import load_dataset
from archsmith.exceptions import TrialFailed
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from archsmith.tasks import probabilities
from archsmith.training import outputs
from families_helpers import example

BLOCK = {
    "height": 0,
    "conv_filters": 32,
    "kernel_size": 3,
    "primary_capsules": 8,
    "primary_dim": 8,
    "class_dim": 16,
    "routings": 3,
    "activation": "relu",
}


def config(**changes: object) -> dict:
    return {
        "model": [{"capsule": {**BLOCK, **changes}}],
        "optimizer": {"name": "adam", "learning_rate": 3e-3},
        "batch_size": 32,
    }


def test_capsule_network_reaches_090_on_digits_with_the_margin_loss(tmp_path: Path) -> None:
    x, y = load_digits(return_X_y=True)
    exp = load_experiment(
        task={"type": "classification"}, training={"epochs": 4, "early_stopping": None}
    )
    data = load_dataset(x, y, task=exp.task, data=exp.data)
    keras.utils.set_random_seed(0)
    cfg = config()
    model = build_model(cfg, data.schema, data.target)
    assert model.layers[-1].name == "archsmith_capsule_lengths"  # no softmax head after it
    result = fit(model, data, cfg, exp.training)
    assert model.loss.__name__ == "margin_loss"
    assert result.scores["accuracy"] >= 0.9  # measured 0.986 after 5 epochs
    lengths = outputs(model, data.validation.x)
    assert lengths.shape == (len(data.validation), 10)
    assert (lengths >= 0).all() and (lengths < 1).all()  # squashed capsules
    np.testing.assert_allclose(probabilities(lengths, data.target).sum(axis=1), 1, rtol=1e-5)
    assert "roc_auc" in result.scores  # on lengths normalised to sum to one
    path = tmp_path / "capsule.keras"
    export_model(model, data.schema).save(path)
    raw = data.schema.raw_inputs(data.validation.frame)
    np.testing.assert_allclose(outputs(load_model(path), raw), lengths, atol=1e-5)


def test_margin_loss_and_capsule_shapes() -> None:
    from archsmith.families.capsule.blocks import margin_loss
    from archsmith.families.capsule.blocks import squash

    lengths = np.array([[0.95, 0.05, 0.0], [0.5, 0.5, 0.5]], dtype="float32")
    loss = keras.ops.convert_to_numpy(margin_loss(np.array([0, 2]), lengths))
    np.testing.assert_allclose(loss, [0.0, 0.4**2 + 2 * 0.5 * 0.4**2], rtol=1e-5)
    v = keras.ops.convert_to_numpy(squash(np.array([[3.0, 4.0]], dtype="float32")))
    np.testing.assert_allclose(np.linalg.norm(v), 25 / 26, rtol=1e-4)  # |s|^2 / (1 + |s|^2)


def test_capsule_refuses_what_it_cannot_build() -> None:
    x, y = load_digits(return_X_y=True)
    exp = load_experiment(task={"type": "classification"})
    data = load_dataset(x, y, task=exp.task, data=exp.data)
    with pytest.raises(TrialFailed, match="cannot read 64 features as an image with 7 rows"):
        build_model(config(height=7), data.schema, data.target)
    with pytest.raises(TrialFailed, match="kernel_size 5 is too large for a 8 x 8 image"):
        build_model(config(kernel_size=5), data.schema, data.target)
    binary = load_dataset(x, y % 2, task=exp.task, data=exp.data)
    with pytest.raises(TrialFailed, match="needs a multiclass target"):
        build_model(config(), binary.schema, binary.target)


@pytest.mark.long  # make test-long (CI runs it): too long for make test's 15 minutes
def test_capsule_example_searches_and_tracks_the_family(in_tmp: Path) -> None:
    import mlflow

    model = example("capsule_digits.py").main(["--max-trials", "1", "--epochs", "1"])
    result = model.search_
    run = mlflow.tracking.MlflowClient(result.tracking_uri).get_run(
        result.best.attrs["mlflow_run_id"]
    )
    assert run.data.params["family"] == "capsule"
    assert {"val.accuracy", "val.roc_auc"} <= set(run.data.metrics)
    assert model.predict_proba(result.dataset.validation.frame).shape[1] == 10
