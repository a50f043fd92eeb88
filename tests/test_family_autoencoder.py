"""The autoencoder family and the anomaly_detection task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

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


def anomaly_data(metric: str = "roc_auc", **task: Any) -> Any:
    frame = example("autoencoder_anomalies.py").with_anomalies()
    exp = load_experiment(
        task={"type": "anomaly_detection", "target": "anomaly", "metric": metric, **task},
        data={"validation": 0.3},
        training={"epochs": 3},
    )
    return exp, frame


def test_injected_anomalies_reach_auroc_090_and_are_tracked(in_tmp: Path) -> None:
    import mlflow

    model = example("autoencoder_anomalies.py").main(["--max-trials", "2", "--epochs", "8"])
    result = model.search_
    assert result.best is not None and result.best.value >= 0.9
    client = mlflow.tracking.MlflowClient(result.tracking_uri)
    run_id = result.best.attrs["mlflow_run_id"]
    run = client.get_run(run_id)
    assert run.data.params["family"] == "autoencoder"
    metrics = run.data.metrics
    assert metrics["val.roc_auc"] >= 0.9 and "val.average_precision" in metrics
    assert metrics["threshold"] > 0 and 0 < metrics["f1_at_threshold"] <= 1
    assert [a.path for a in client.list_artifacts(run_id, "plots")] == ["plots/reconstruction.png"]
    # the best model (reloaded in safe mode) gives higher scores to the injected anomalies
    val = result.dataset.validation
    scores = model.predict(val.frame)
    assert scores.shape == (len(val),)
    assert scores[val.y == 1].mean() > 3 * scores[val.y == 0].mean()


def test_training_split_holds_normal_rows_only() -> None:
    exp, frame = anomaly_data()
    data = load_dataset(frame, task=exp.task, data=exp.data)
    assert (data.train.y == 0).all() and len(data.train) > 0
    assert set(np.unique(data.validation.y)) == {0, 1}
    assert data.target.kind == "anomaly" and data.target.classes == (0,)
    # statistics of the in-model standardisation come from normal rows only
    normal = frame[frame["anomaly"] == 0]
    col = data.schema.columns[0]
    assert abs(col.mean - normal[col.name].mean()) < 0.2 * normal[col.name].std()


def test_labels_of_one_kind_are_refused() -> None:
    exp, frame = anomaly_data()
    only_normal = frame[frame["anomaly"] == 0]
    with pytest.raises(DataError, match="one kind only: every row is normal"):
        load_dataset(only_normal, task=exp.task, data=exp.data)
    exp, _ = anomaly_data(normal="ok")
    with pytest.raises(DataError, match=r"every row is anomalous .*task.normal='ok'"):
        load_dataset(frame, task=exp.task, data=exp.data)


def test_unlabelled_data_needs_the_reconstruction_error_metric() -> None:
    _, frame = anomaly_data()
    features = frame.drop(columns="anomaly")
    exp = load_experiment(task={"type": "anomaly_detection"})
    with pytest.raises(DataError, match="roc_auc needs labels"):
        load_dataset(features, task=exp.task, data=exp.data)
    exp = load_experiment(task={"type": "anomaly_detection", "metric": "reconstruction_error"})
    data = load_dataset(features, task=exp.task, data=exp.data)
    assert data.target.classes == () and not data.validation.y.any()
    assert exp.direction == "minimize"


def test_a_model_that_does_not_reconstruct_is_a_clear_trial_failure() -> None:
    exp, frame = anomaly_data()
    data = load_dataset(frame, task=exp.task, data=exp.data)
    config = {
        "model": [
            {
                "dense_stack": {
                    "layers": 1,
                    "units": 4,
                    "activation": "relu",
                    "dropout": 0.0,
                    "batch_norm": False,
                    "l2": 0.0,
                }
            }
        ]
    }
    with pytest.raises(TrialFailed, match="last block outputs 4 values for 30 features"):
        build_model(config, data.schema, data.target)


def test_variational_autoencoder_trains_scores_deterministically_and_reloads(
    tmp_path: Path,
) -> None:
    exp, frame = anomaly_data()
    data = load_dataset(frame, task=exp.task, data=exp.data)
    block = {
        "layers": 1,
        "units": 32,
        "latent": 4,
        "activation": "relu",
        "dropout": 0.0,
        "batch_norm": False,
        "variational": True,
        "kl_weight": 1e-3,
    }
    config = {
        "model": [{"autoencoder": block}],
        "optimizer": {"name": "adam", "learning_rate": 3e-3},
        "batch_size": 32,
    }
    keras.utils.set_random_seed(0)
    model = build_model(config, data.schema, data.target)
    result = fit(model, data, config, exp.training)
    assert result.epochs == 3 and result.scores["roc_auc"] > 0.7
    assert model.losses  # the KL term
    first = outputs(model, data.validation.x)
    np.testing.assert_array_equal(first, outputs(model, data.validation.x))
    path = tmp_path / "vae.keras"
    export_model(model, data.schema).save(path)
    raw = data.schema.raw_inputs(data.validation.frame)
    np.testing.assert_allclose(outputs(load_model(path), raw), first, rtol=1e-4, atol=1e-6)


def test_anomaly_declaration_errors_name_the_field() -> None:
    from archsmith.exceptions import SpecError

    with pytest.raises(SpecError, match=r"task\.metric"):
        load_experiment(task={"type": "anomaly_detection", "metric": "accuracy"})
