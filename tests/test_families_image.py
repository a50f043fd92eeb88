"""Image families: cnn and resnet in one search on sklearn digits, augmentation, transfer."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import yaml
from mlflow.tracking import MlflowClient
from sklearn.datasets import load_digits

from archsmith import AutoModel
from archsmith.builders import build_model
from archsmith.cli import main
from archsmith.datasets import load_dataset
from archsmith.runner import run_search
from archsmith.spec import load_experiment

ROOT = Path(__file__).resolve().parents[1]


def digits(n: int = 900) -> tuple[np.ndarray, np.ndarray]:
    data = load_digits()
    return data.images[:n], data.target[:n]


def children(tracking: Path) -> list:
    client = MlflowClient(tracking_uri=f"sqlite:///{tracking / 'mlflow.db'}")
    exps = client.search_experiments()
    runs = client.search_runs([e.experiment_id for e in exps])
    return [r for r in runs if r.data.tags.get("archsmith.role") == "trial"]


@pytest.mark.long  # make test-long (CI runs it): too long for make test's 15 minutes
def test_automodel_searches_cnn_and_resnet_on_digit_images(tmp_path: Path) -> None:
    x, y = digits()
    model = AutoModel(
        max_trials=4, epochs=4, patience=2, tracking_uri=str(tmp_path / "mlruns"), verbose=0
    )
    model.fit(x[:700], y[:700])  # no space given: the image defaults [cnn, resnet]
    board = model.leaderboard_
    assert set(board["family"]) == {"cnn", "resnet"}
    assert (board["state"] == "COMPLETE").all()
    # a working image model: far above the 10 % of guessing
    assert model.score(x[700:], y[700:]) >= 0.7
    assert model.predict(x[700:705]).shape == (5,)
    assert model.predict_proba(x[700:705]).shape == (5, 10)
    families = {r.data.params["family"] for r in children(tmp_path / "mlruns")}
    assert families == {"cnn", "resnet"}
    # the logged declaration names the spaces that ran, not the tabular default
    run_dir = Path(model.search_.model_path).parents[3] / model.search_.run_id
    logged = yaml.safe_load((run_dir / "artifacts" / "declaration.yaml").read_text())
    assert logged["search"]["space"] == ["cnn", "resnet"]


def test_augmentation_is_active_only_in_training() -> None:
    x, y = digits(60)
    exp = load_experiment(task={"type": "classification"})
    ds = load_dataset(x, y, task=exp.task, data=exp.data)
    config = {
        "model": [
            {
                "augment": {
                    "flip": "horizontal",
                    "rotation": 0.2,
                    "zoom": 0.2,
                    "contrast": 0.3,
                    "translation": 0.2,
                }
            },
            {
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
                    "global_pool": "flatten",
                }
            },
        ]
    }
    model = build_model(config, ds.schema, ds.target)
    batch = ds.train.x
    infer = [keras.ops.convert_to_numpy(model(batch, training=False)) for _ in range(2)]
    np.testing.assert_array_equal(infer[0], infer[1])
    trained = keras.ops.convert_to_numpy(model(batch, training=True))
    assert np.abs(trained - infer[0]).max() > 1e-3


def _tiny_backbone(path: Path) -> int:
    """Pretrain a small conv net on digits for one epoch; save its feature part."""
    x, y = digits(600)
    inputs = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(h)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(h)
    features = keras.Model(inputs, h, name="features")
    head = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(features.output))
    full = keras.Model(inputs, head)
    full.compile("adam", "sparse_categorical_crossentropy")
    full.fit((x[..., None] - 4.9) / 6.0, y, epochs=4, verbose=0)
    features.save(path)
    return sum(1 for layer in features.layers if layer.weights)


def test_transfer_learning_from_a_local_backbone_logs_frozen_layers(tmp_path: Path) -> None:
    weighted = _tiny_backbone(tmp_path / "backbone.keras")
    space = {
        "name": "transfer",
        "for": ["image"],
        "model": [
            {
                "backbone": {
                    "source": str(tmp_path / "backbone.keras"),
                    "fine_tune": {"type": "choice", "values": [0, 2]},
                    "global_pool": "avg",
                }
            }
        ],
        "optimizer": {"name": "adam", "learning_rate": 0.003},
    }
    (tmp_path / "transfer.yaml").write_text(yaml.safe_dump(space))
    x, y = digits()
    result = run_search(
        {
            "task": {"type": "classification"},
            "data": {"test": 0.25},
            "search": {
                "space": str(tmp_path / "transfer.yaml"),
                "max_trials": 3,
                "algorithm": "random",
            },
            "training": {"epochs": 3},
            "tracking": {"uri": str(tmp_path / "mlruns")},
        },
        x,
        y,
    )
    runs = children(tmp_path / "mlruns")
    counts = {
        int(r.data.params["model.0.backbone.fine_tune"]): (
            r.data.metrics["backbone_layers_trainable"],
            r.data.metrics["backbone_layers_frozen"],
        )
        for r in runs
    }
    assert counts[0] == (0.0, float(weighted))
    assert counts[2] == (2.0, float(weighted - 2))
    # pretrained features carry over: well above the 10 % of guessing
    assert result.test_scores["accuracy"] >= 0.4


@pytest.mark.long  # make test-long (CI runs it): too long for make test's 15 minutes
@pytest.mark.parametrize("fine_tune", [1])
def test_keras_applications_backbone_with_local_weights(tmp_path: Path, fine_tune: int) -> None:
    net = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3))
    weights = tmp_path / "mobilenet.weights.h5"
    net.save_weights(weights)
    x, y = digits(300)
    big = np.repeat(np.kron(x, np.ones((4, 4)))[..., None], 3, axis=-1)  # 32x32 RGB
    space = {
        "name": "mobilenet",
        "for": ["image"],
        "model": [
            {"backbone": {"source": "MobileNetV2", "weights": str(weights), "fine_tune": fine_tune}}
        ],
    }
    (tmp_path / "mobilenet.yaml").write_text(yaml.safe_dump(space))
    result = run_search(
        {
            "task": {"type": "classification"},
            "search": {"space": str(tmp_path / "mobilenet.yaml"), "max_trials": 1},
            "training": {"epochs": 1},
            "tracking": {"uri": str(tmp_path / "mlruns")},
        },
        big,
        y,
    )
    (run,) = children(tmp_path / "mlruns")
    assert run.data.metrics["backbone_layers_trainable"] == fine_tune
    assert run.data.metrics["backbone_layers_frozen"] > 50
    assert result.best is not None


def test_image_folder_from_a_yaml_declaration_on_the_cli(tmp_path: Path, capsys) -> None:
    from test_families_data import write_folder

    root = write_folder(tmp_path / "digits", n=120)
    decl = {
        "name": "folder",
        "task": {"type": "classification"},
        "data": {"train": "digits", "image_size": [16, 16], "color_mode": "grayscale"},
        "search": {"space": ["cnn"], "max_trials": 1},
        "training": {"epochs": 2},
        "tracking": {"uri": str(tmp_path / "mlruns")},
    }
    (tmp_path / "folder.yaml").write_text(yaml.safe_dump(decl))
    assert root.is_dir()
    assert main(["search", str(tmp_path / "folder.yaml")]) == 0
    assert "COMPLETE" in capsys.readouterr().out
    (run,) = children(tmp_path / "mlruns")
    assert run.data.params["family"] == "cnn"


@pytest.mark.long  # make test-long (CI runs it): too long for make test's 15 minutes
def test_digits_example_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from scripts import run_script  # in this process, as `python examples/digits_images.py`

    script = ROOT / "examples" / "digits_images.py"
    run_script(script, "--max-trials", "2", "--epochs", "3", cwd=tmp_path, monkeypatch=monkeypatch)
    out = capsys.readouterr().out
    accuracy = float(out.split("test accuracy:")[1].split()[0])
    assert accuracy >= 0.5  # 3 epochs; guessing gives 0.1


TTA_CNN = """\
name: tta_cnn
for: [image]
model:
  - augment: {flip: none, rotation: 0.0, zoom: 0.0, contrast: 0.0, translation: 0.1, tta: 5}
  - conv_stack: {blocks: 1, filters: 4, growth: 1.0, kernel: 3, convs: 1, pooling: max,
                 batch_norm: true, dropout: 0.0, activation: relu, global_pool: avg}
optimizer: {name: adam, learning_rate: 0.01}
batch_size: 32
"""


def test_test_time_augmentation_averages_fixed_views_at_inference_only(tmp_path: Path) -> None:
    from archsmith.builders import load_model

    x, y = digits(96)
    exp = load_experiment(task={"type": "classification"})
    ds = load_dataset(x, y, task=exp.task, data=exp.data)
    config = yaml.safe_load(TTA_CNN)
    model = build_model(config, ds.schema, ds.target)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(ds.train.x, ds.train.y, epochs=1, batch_size=32, verbose=0)  # training: 1 view
    batch = ds.validation.x
    probs = keras.ops.convert_to_numpy(model(batch, training=False))
    assert probs.shape == (len(ds.validation.y), 10)  # averaged back to one row per image
    model.save(tmp_path / "tta.keras")
    reloaded = load_model(tmp_path / "tta.keras")  # safe mode
    again = keras.ops.convert_to_numpy(reloaded(batch, training=False))
    np.testing.assert_allclose(again, probs, atol=1e-6)
    # the same weights without the views predict otherwise: the views are really averaged
    plain = build_model(yaml.safe_load(TTA_CNN.replace("tta: 5", "tta: 1")), ds.schema, ds.target)
    plain.set_weights(model.get_weights())
    assert np.abs(keras.ops.convert_to_numpy(plain(batch, training=False)) - probs).max() > 1e-4
    # views follow the training flips: flips first, then the one-pixel shifts
    flipped = yaml.safe_load(TTA_CNN.replace("flip: none", "flip: horizontal"))
    views = [la for la in build_model(flipped, ds.schema, ds.target).layers if hasattr(la, "views")]
    assert views[0].views == (
        "identity",
        "flip_horizontal",
        "shift_right",
        "shift_left",
        "shift_down",
    )


@pytest.mark.long  # an AutoModel search and the MLflow pyfunc: more than the cheap check above
def test_test_time_augmentation_lives_in_the_exported_model(tmp_path: Path) -> None:
    import mlflow

    from archsmith.builders import load_model

    (tmp_path / "tta_cnn.yaml").write_text(TTA_CNN)
    x, y = digits(240)
    declaration = {
        "name": "tta",
        "task": {"type": "classification"},
        "search": {"space": str(tmp_path / "tta_cnn.yaml"), "max_trials": 1},
        "training": {"epochs": 1},
        "tracking": {"uri": str(tmp_path / "mlruns")},
    }
    model = AutoModel(experiment=declaration, verbose=0).fit(x[:200], y[:200])
    views = [la for la in model.model_.layers if type(la).__name__ == "TTAViews"]
    assert [v.views for v in views] == [
        ("identity", "shift_right", "shift_left", "shift_down", "shift_up")
    ]
    # the .keras file, AutoModel.predict and the MLflow pyfunc give the same answers
    reloaded = load_model(model.export(tmp_path / "tta.keras"))
    raw = model.search_.dataset.schema.raw_inputs(x[200:])
    probs = keras.ops.convert_to_numpy(reloaded(raw, training=False))
    assert probs.shape == (40, 10)  # the views are averaged back to one row per image
    np.testing.assert_allclose(probs, model.predict_proba(x[200:]), atol=1e-6)
    mlflow.set_tracking_uri(model.search_.tracking_uri)
    served = mlflow.pyfunc.load_model(model.search_.model_uri)
    table = model.search_.dataset.schema.as_table(x[200:])  # one column per pixel
    np.testing.assert_array_equal(
        np.asarray(served.predict(table)).ravel(), model.predict(x[200:]).ravel()
    )
    # the same weights without the views predict otherwise: the views are really averaged
    plain_config = yaml.safe_load(TTA_CNN.replace("tta: 5", "tta: 1"))
    plain = build_model(plain_config, model.search_.dataset.schema, model.search_.dataset.target)
    plain.set_weights(reloaded.get_weights())
    assert np.abs(keras.ops.convert_to_numpy(plain(raw, training=False)) - probs).max() > 1e-4
