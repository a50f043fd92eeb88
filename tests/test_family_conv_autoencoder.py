"""The convolutional autoencoder (and its variational form) for anomaly detection on images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from archsmith.builders import build_model
from archsmith.builders import load_model
from archsmith.datasets import default_spaces
from archsmith.datasets import load_dataset
from archsmith.exceptions import DataError
from archsmith.exceptions import TrialFailed
from archsmith.spec import load_experiment
from archsmith.tasks import all_scores
from archsmith.tasks import fit
from archsmith.training import outputs
from families_helpers import example


def block(**changes: Any) -> dict[str, Any]:
    args = {
        "depth": 2,
        "filters": 8,
        "kernel": 3,
        "downsample": "strides",
        "upsample": "transpose",
        "latent": 8,
        "activation": "relu",
        "batch_norm": False,
        "dropout": 0.0,
        "variational": False,
        "kl_weight": 1e-3,
    }
    return {"conv_autoencoder": {**args, **changes}}


def digits(epochs: int = 3) -> Any:
    images, labels = example("conv_autoencoder_digits.py").digits_with_anomalies()
    exp = load_experiment(
        task={"type": "anomaly_detection", "metric": "roc_auc"},
        data={"validation": 0.4},
        training={"epochs": epochs},
    )
    return exp, images, labels


def test_digit_anomalies_reach_auroc_090_with_the_default_space_and_are_tracked(
    in_tmp: Path,
) -> None:
    import mlflow

    model = example("conv_autoencoder_digits.py").main(["--max-trials", "1", "--epochs", "8"])
    result = model.search_
    # one candidate of the default space, seeded: 0.8167 (a random candidate scores
    # 0.40-0.96 after 8 epochs; the search, 6 trials in the benchmark, reaches 0.997, and a
    # fixed good candidate 0.96 in the variational test below)
    assert result.best is not None and result.best.value >= 0.75
    client = mlflow.tracking.MlflowClient(result.tracking_uri)
    run_id = result.best.attrs["mlflow_run_id"]
    run = client.get_run(run_id)
    # no space was named: images with anomaly_detection search conv_autoencoder
    assert run.data.params["family"] == "conv_autoencoder"
    assert "val.average_precision" in run.data.metrics and run.data.metrics["threshold"] > 0
    plots = [a.path for a in client.list_artifacts(run_id, "plots")]
    assert plots == ["plots/reconstruction.png", "plots/reconstruction_grid.png"]
    grid = Path(client.download_artifacts(run_id, "plots/reconstruction_grid.png", str(in_tmp)))
    assert grid.read_bytes().startswith(b"\x89PNG")
    val = result.dataset.validation
    scores = model.predict(val.frame.to_numpy().reshape(-1, 8, 8))  # the reloaded best model
    assert scores.shape == (len(val),)
    assert roc_auc_score(val.y, scores) == pytest.approx(result.best.value, abs=1e-6)


def test_image_anomaly_data_train_on_normal_images_only() -> None:
    exp, images, labels = digits()
    data = load_dataset(images, labels, task=exp.task, data=exp.data)
    assert data.kind == "image" and data.schema.shape == (8, 8, 1)
    assert (data.train.y == 0).all() and set(np.unique(data.validation.y)) == {0, 1}
    normal = images[labels == 0]
    assert abs(data.schema.mean[0] - normal.mean()) < 0.05 * normal.std()
    assert default_spaces("image", "anomaly_detection") == ("conv_autoencoder",)
    assert default_spaces("image", "classification") == ("cnn", "resnet")


def test_image_anomaly_bad_input_is_a_clear_error() -> None:
    exp, images, labels = digits()
    with pytest.raises(DataError, match="one kind only: every row is normal"):
        load_dataset(images, np.zeros(len(images)), task=exp.task, data=exp.data)
    n = len(images)
    with pytest.raises(DataError, match=f"X has {n} images but y has {n - 1} labels"):
        load_dataset(images, labels[:-1], task=exp.task, data=exp.data)
    with pytest.raises(DataError, match="roc_auc needs labels"):
        load_dataset(images, task=exp.task, data=exp.data)
    holes = images.copy()
    holes[3, 2, 2] = np.nan
    with pytest.raises(DataError, match="NaN or infinite"):
        load_dataset(holes, labels, task=exp.task, data=exp.data)


def test_a_block_that_does_not_reconstruct_the_image_fails_clearly() -> None:
    exp, images, labels = digits()
    data = load_dataset(images, labels, task=exp.task, data=exp.data)
    conv = {
        "conv_stack": {
            "blocks": 1,
            "filters": 4,
            "growth": 1.0,
            "kernel": 3,
            "convs": 1,
            "pooling": "max",
            "batch_norm": False,
            "dropout": 0.0,
            "activation": "relu",
            "global_pool": "avg",
        }
    }
    with pytest.raises(TrialFailed, match=r"outputs shape \(4,\) for images of shape \(8, 8, 1\)"):
        build_model({"model": [conv]}, data.schema, data.target)
    table = load_experiment(task={"type": "anomaly_detection"}).task
    tab = load_dataset(images.reshape(len(images), -1), labels, task=table, data=exp.data)
    with pytest.raises(TrialFailed, match="conv_autoencoder needs images"):
        build_model({"model": [block()]}, tab.schema, tab.target)


@pytest.mark.parametrize(
    "changes",
    [{"downsample": "max", "upsample": "upsampling", "depth": 3}, {"downsample": "avg"}],
)
def test_other_shapes_pad_and_crop_back_to_the_input(changes: dict[str, Any]) -> None:
    rng = np.random.default_rng(0)
    images = rng.random((40, 10, 10, 3)).astype("float32")  # 10 is not a multiple of 8
    labels = np.r_[np.zeros(36), np.ones(4)]
    exp = load_experiment(task={"type": "anomaly_detection"})
    data = load_dataset(images, labels, task=exp.task, data=exp.data)
    model = build_model({"model": [block(**changes)]}, data.schema, data.target)
    assert tuple(model.output.shape) == (None, 1)
    assert model.get_layer("archsmith_anomaly_score").input[1].shape[1:] == (10, 10, 3)


def test_variational_conv_autoencoder_trains_scores_deterministically_and_reloads(
    tmp_path: Path,
) -> None:
    exp, images, labels = digits(epochs=4)
    data = load_dataset(images, labels, task=exp.task, data=exp.data)
    config = {
        "model": [block(variational=True, filters=16)],
        "optimizer": {"name": "adam", "learning_rate": 3e-3},
        "batch_size": 16,
    }
    keras.utils.set_random_seed(0)
    model = build_model(config, data.schema, data.target)
    untrained = all_scores(
        data.validation.y, outputs(model, data.validation.x).reshape(-1), data.target
    )["roc_auc"]
    result = fit(model, data, config, exp.training)
    # measured: 0.41 untrained, 0.96 after 4 epochs
    assert untrained < 0.6 and result.scores["roc_auc"] >= 0.9
    assert model.losses  # the KL term
    first = outputs(model, data.validation.x)  # the code is the mean in inference
    np.testing.assert_array_equal(first, outputs(model, data.validation.x))
    assert result.artifacts["plots/reconstruction_grid.png"].startswith(b"\x89PNG")
    path = tmp_path / "conv_vae.keras"
    model.save(path)
    np.testing.assert_allclose(
        outputs(load_model(path), data.validation.x), first, rtol=1e-4, atol=1e-6
    )


def test_an_image_folder_labels_normal_images_by_its_sub_folder(tmp_path: Path) -> None:
    from test_families_data import write_folder

    root = write_folder(tmp_path / "digits", n=60)  # sub-folders digit0 … digit9
    exp = load_experiment(
        task={"type": "anomaly_detection", "normal": "digit1"},
        data={"train": str(root), "image_size": [8, 8], "color_mode": "grayscale"},
    )
    data = load_dataset(None, task=exp.task, data=exp.data)
    assert data.kind == "image" and data.schema.shape == (8, 8, 1)
    assert data.target.name == "label" and data.target.classes == ("digit1",)
    assert set(data.train.labels) == {"digit1"} and (data.train.y == 0).all()
    with pytest.raises(DataError, match="labels are its sub-folders; do not pass y"):
        load_dataset(root, np.zeros(60), task=exp.task, data=exp.data)
