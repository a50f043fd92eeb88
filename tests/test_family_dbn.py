"""The deep belief network family: CD pre-training layer by layer, then fine-tuning."""

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
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from archsmith.training import outputs
from families_helpers import example


def test_pretraining_lowers_reconstruction_error_per_layer_and_finetunes_on_digits(
    tmp_path: Path,
) -> None:
    x, y = load_digits(return_X_y=True)
    exp = load_experiment(
        task={"type": "classification"}, training={"epochs": 5, "early_stopping": None}
    )
    data = load_dataset(x, y, task=exp.task, data=exp.data)
    block = {
        "layers": 2,
        "units": 64,
        "cd_steps": 1,
        "pretrain_epochs": 5,
        "pretrain_learning_rate": 0.1,
        "dropout": 0.0,
    }
    config = {
        "model": [{"dbn": block}],
        "optimizer": {"name": "adam", "learning_rate": 3e-3},
        "batch_size": 32,
    }
    keras.utils.set_random_seed(0)
    model = build_model(config, data.schema, data.target)
    rbms = [layer for layer in model.layers if type(layer).__name__ == "RBM"]
    assert [r.visible for r in rbms] == ["gaussian", "bernoulli"]
    result = fit(model, data, config, exp.training)
    for rbm in rbms:  # greedy pre-training lowered each layer's reconstruction error
        before = result.extra[f"init.{rbm.name}.reconstruction_error_before"]
        after = result.extra[f"init.{rbm.name}.reconstruction_error_after"]
        assert after < 0.9 * before, (rbm.name, before, after)
    assert result.scores["accuracy"] >= 0.8  # chance is 0.1; measured 0.96
    path = tmp_path / "dbn.keras"
    export_model(model, data.schema).save(path)
    raw = data.schema.raw_inputs(data.validation.frame)
    np.testing.assert_allclose(
        outputs(load_model(path), raw), outputs(model, data.validation.x), atol=1e-5
    )


def test_rbm_states_its_backends_and_checks_its_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from archsmith.builders import _dbn

    assert keras.backend.backend() in _dbn.PRETRAIN_BACKENDS
    with pytest.raises(ValueError, match="visible must be 'gaussian' or 'bernoulli'"):
        _dbn.RBM(4, visible="binary")
    layer = _dbn.RBM(4)
    layer.build((None, 3))
    monkeypatch.setattr(keras.backend, "backend", lambda: "openvino")
    with pytest.raises(RuntimeError, match=r"supports the backends .* runs on 'openvino'"):
        layer.initialise_from(np.zeros((8, 3), dtype="float32"))


def test_dbn_example_searches_and_tracks_pretraining(in_tmp: Path) -> None:
    import mlflow

    model = example("dbn_digits.py").main(["--max-trials", "1", "--epochs", "2"])
    result = model.search_
    run = mlflow.tracking.MlflowClient(result.tracking_uri).get_run(
        result.best.attrs["mlflow_run_id"]
    )
    assert run.data.params["family"] == "dbn"
    assert "val.accuracy" in run.data.metrics
    assert any(k.endswith("reconstruction_error_after") for k in run.data.metrics)


def test_a_diverging_gaussian_rbm_halves_its_step_instead_of_failing() -> None:
    from archsmith.builders._dbn import RBM

    x, _ = load_digits(return_X_y=True)
    std = np.where(x.std(0) > 0, x.std(0), 1)
    features = ((x - x.mean(0)) / std).astype("float32")
    rbm = RBM(244, visible="gaussian", pretrain_epochs=4, pretrain_learning_rate=0.1)
    rbm.build((None, 64))
    found = rbm.initialise_from(features)  # at this step 244 hidden units diverge to NaN
    assert found["step_halvings"] >= 1
    assert np.isfinite(found["reconstruction_error_after"])
    assert np.isfinite(keras.ops.convert_to_numpy(rbm.kernel)).all()
