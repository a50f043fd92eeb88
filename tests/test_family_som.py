"""The self-organising map family and the clustering task."""

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
from archsmith.exceptions import DataError
from archsmith.exceptions import TrialFailed
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from archsmith.training import outputs
from families_helpers import example

SOM = {
    "rows": 10,
    "cols": 10,
    "epochs": 10,
    "learning_rate": 0.5,
    "sigma_end": 0.5,
    "schedule": "exponential",
}


def digits(metric: str = "purity"):  # type: ignore[no-untyped-def]
    x, y = load_digits(return_X_y=True)
    exp = load_experiment(task={"type": "clustering", "metric": metric})
    return exp, load_dataset(x, y, task=exp.task, data=exp.data)


def test_map_purity_on_digits_is_far_above_chance(tmp_path: Path) -> None:
    exp, data = digits()
    config = {"model": [{"som": SOM}], "optimizer": {"name": "adam", "learning_rate": 1e-3}}
    keras.utils.set_random_seed(0)
    model = build_model(config, data.schema, data.target)
    result = fit(model, data, config, exp.training)
    scores = result.scores
    # measured: purity 0.83, the same units with shuffled labels 0.34; one cluster is 0.10
    assert scores["purity"] >= 0.7
    assert scores["purity"] - result.extra["purity_shuffled"] >= 0.3
    assert scores["topographic_error"] < 0.2  # neighbouring units hold similar rows
    # rows sit closer to their unit than to the data's centre (a one-unit map)
    feats = (data.validation.x["archsmith_numeric"] - [c.mean for c in data.schema.numeric]) / [
        c.std for c in data.schema.numeric
    ]
    assert scores["quantisation_error"] < 0.85 * np.linalg.norm(feats, axis=1).mean()  # 0.81
    assert result.artifacts["plots/map.png"].startswith(b"\x89PNG")
    path = tmp_path / "som.keras"
    export_model(model, data.schema).save(path)
    raw = data.schema.raw_inputs(data.validation.frame)
    np.testing.assert_allclose(
        outputs(load_model(path), raw), outputs(model, data.validation.x), rtol=1e-4, atol=1e-3
    )


def test_clustering_bad_input_and_non_map_models_are_clear_errors() -> None:
    x, _ = load_digits(return_X_y=True)
    exp = load_experiment(task={"type": "clustering", "metric": "purity"})
    with pytest.raises(DataError, match="purity needs class labels"):
        load_dataset(x, task=exp.task, data=exp.data)
    exp = load_experiment(task={"type": "clustering"})
    data = load_dataset(x, task=exp.task, data=exp.data)
    assert data.target.classes == () and exp.direction == "minimize"
    mlp = {
        "model": [
            {
                "dense_stack": {
                    "layers": 1,
                    "units": 8,
                    "activation": "relu",
                    "dropout": 0.0,
                    "batch_norm": False,
                    "l2": 0.0,
                }
            }
        ],
        "optimizer": {"name": "adam", "learning_rate": 1e-3},
    }
    model = build_model(mlp, data.schema, data.target)
    with pytest.raises(TrialFailed, match="last block is one self-organising map"):
        fit(model, data, mlp, exp.training)
    from archsmith.builders._som import SelfOrganisingMap

    with pytest.raises(ValueError, match="schedule must be one of"):
        SelfOrganisingMap(3, 3, schedule="cosine")


def test_som_example_tracks_family_metrics_and_map(in_tmp: Path) -> None:
    import mlflow

    model = example("som_digits.py").main(["--max-trials", "1"])
    result = model.search_
    client = mlflow.tracking.MlflowClient(result.tracking_uri)
    run_id = result.best.attrs["mlflow_run_id"]
    run = client.get_run(run_id)
    assert run.data.params["family"] == "som"
    assert {"val.purity", "val.quantisation_error", "val.topographic_error", "purity_shuffled"} <= (
        set(run.data.metrics)
    )
    assert [a.path for a in client.list_artifacts(run_id, "plots")] == ["plots/map.png"]
    units = model.predict(result.dataset.validation.frame)
    rows, cols = (result.best.params[f"model.0.som.{k}"] for k in ("rows", "cols"))
    assert units.min() >= 0 and units.max() < rows * cols


def test_clustering_from_a_yaml_declaration_with_the_cli(in_tmp: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from archsmith.cli import main

    x, y = load_digits(return_X_y=True, as_frame=True)
    pd.concat([x, y.rename("digit")], axis=1).to_csv(in_tmp / "digits.csv", index=False)
    (in_tmp / "map.yaml").write_text(
        "name: digits-map\n"
        "task: {type: clustering, target: digit, metric: purity}\n"
        "data: {train: digits.csv}\n"
        "search: {space: som, max_trials: 1}\n",
        encoding="utf-8",
    )
    assert main(["validate", "map.yaml"]) == 0
    assert main(["search", "map.yaml", "--quiet"]) == 0
    assert main(["spaces"]) == 0
    out = capsys.readouterr().out
    assert all(f in out for f in ("rbf", "autoencoder", "spiking", "dbn", "som", "capsule"))
    assert main(["leaderboard", "digits-map", "--csv"]) == 0
    board = capsys.readouterr().out
    assert "val.purity" in board and "COMPLETE" in board
