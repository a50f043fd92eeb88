"""Every image, sequence and text family and every task of these kinds from `archsmith search`.

Each test writes a declaration (and its data) into a project folder, runs the CLI from
another working directory, so every relative path must be read against the declaration's
folder, and checks that each declared family trained and is the ``family`` param of its
MLflow run. One epoch on tiny data: these test the wiring; scores are tested elsewhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
import yaml
from mlflow.tracking import MlflowClient
from sklearn.datasets import load_digits

from archsmith.cli import main
from test_families_sequence import bumps

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def trials(tracking: Path) -> list:
    client = MlflowClient(tracking_uri=f"sqlite:///{tracking / 'mlflow.db'}")
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    return [r for r in runs if r.data.tags.get("archsmith.role") == "trial"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The declaration's folder; the working directory is a sibling folder."""
    (tmp_path / "project").mkdir()
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path / "project"


def search(project: Path, decl: dict, capsys: pytest.CaptureFixture[str]) -> tuple[str, list]:
    """Run `archsmith search` on ``decl`` (written into ``project``): output, trial runs."""
    decl = {"training": {"epochs": 1}, "tracking": {"uri": "mlruns"}} | decl
    (project / "decl.yaml").write_text(yaml.safe_dump(decl))
    assert main(["search", str(project / "decl.yaml")]) == 0
    runs = trials(Path.cwd() / "mlruns")
    assert {r.info.status for r in runs} == {"FINISHED"}, [r.data.tags for r in runs]
    return capsys.readouterr().out, runs


def test_sequence_families_classify_series_from_an_npz(project: Path, capsys) -> None:
    x, y = bumps(n=160, steps=16)
    np.savez(project / "bumps.npz", series=x, label=y)  # names declared with x_key / y_key
    decl = {
        "name": "bumps",
        "task": {"type": "classification", "metric": "accuracy"},
        "data": {"train": "bumps.npz", "x_key": "series", "y_key": "label"},
        "search": {
            "space": ["rnn", "conv1d", "transformer"],
            "max_trials": 3,
            "algorithm": "random",
            "seed": 2,  # its first 3 samples cover the 3 families
        },
    }
    out, runs = search(project, decl, capsys)
    assert sorted(r.data.params["family"] for r in runs) == ["conv1d", "rnn", "transformer"]
    assert "test accuracy" not in out  # no test split declared
    assert "best: trial" in out


def test_image_families_and_a_relative_backbone_from_an_npz(project: Path, capsys) -> None:
    digits = load_digits()
    np.savez(project / "digits.npz", x=digits.images[:150], y=digits.target[:150])
    (project / "models").mkdir()
    inputs = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    keras.Model(inputs, keras.layers.Conv2D(4, 3, padding="same")(h)).save(
        project / "models" / "backbone.keras"
    )
    (project / "spaces").mkdir()
    transfer = {
        "name": "transfer",
        "for": ["image"],
        # read against the declaration's folder, not the space file's or the working one
        "model": [{"backbone": {"source": "models/backbone.keras", "fine_tune": 1}}],
    }
    (project / "spaces" / "transfer.yaml").write_text(yaml.safe_dump(transfer))
    decl = {
        "name": "digits",
        "task": {"type": "classification", "metric": "accuracy"},
        "data": {"train": "digits.npz", "test": 0.2},
        "search": {
            "space": ["cnn", "resnet", "spaces/transfer.yaml"],
            "max_trials": 3,
            "algorithm": "random",
            "seed": 4,  # its first 3 samples cover the 3 families
        },
    }
    out, runs = search(project, decl, capsys)
    assert "test accuracy" in out
    by_family = {r.data.params["family"]: r for r in runs}
    assert sorted(by_family) == ["cnn", "resnet", "transfer"]
    metrics = by_family["transfer"].data.metrics
    assert (metrics["backbone_layers_trainable"], metrics["backbone_layers_frozen"]) == (1, 1)


def test_multilabel_text_families_from_the_cli(project: Path, capsys) -> None:
    shutil.copy(EXAMPLES / "data" / "reviews.csv", project / "reviews.csv")
    decl = yaml.safe_load((EXAMPLES / "review_tags.yaml").read_text())
    decl["data"]["train"] = "reviews.csv"
    decl["search"] = {
        "space": ["text_bag", "text_sequence"],
        "max_trials": 2,
        "algorithm": "random",
        "seed": 2,  # its first 2 samples cover the 2 families
    }
    del decl["training"]
    out, runs = search(project, decl, capsys)
    assert sorted(r.data.params["family"] for r in runs) == ["text_bag", "text_sequence"]
    assert "test f1_micro" in out
    for run in runs:  # per-label metrics of each trial
        assert {"val.f1.acting", "val.f1.music", "val.f1.story"} <= set(run.data.metrics)


def test_forecasting_from_the_cli_shows_the_seasonal_naive_row(project: Path, capsys) -> None:
    shutil.copy(EXAMPLES / "data" / "sales.csv", project / "sales.csv")
    decl = yaml.safe_load((EXAMPLES / "sales.yaml").read_text())
    decl["data"]["train"] = "sales.csv"
    decl["search"] = {"space": ["transformer"], "max_trials": 1}
    del decl["training"]
    out, runs = search(project, decl, capsys)
    by_family = {r.data.params["family"]: r for r in runs}
    # the baseline and the classical reference (statsmodels' ETS, where installed) are rows
    assert sorted(by_family) in (
        ["ets", "seasonal_naive", "transformer"],
        ["seasonal_naive", "transformer"],
    )
    assert {"val.mase", "val.mae", "val.rmse"} <= set(by_family["transformer"].data.metrics)
    assert "test mase" in out
    assert main(["leaderboard", "sales", "--csv"]) == 0
    board = capsys.readouterr().out.splitlines()
    assert [row.split(",")[0] for row in board[1:]].count("-1") == 1  # trial -1: seasonal naive
