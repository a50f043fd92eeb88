"""Where archsmith meets its ecosystem: a quiet command line (no TensorFlow start-up
lines), MLflow's model-training view and dataset inputs, the leaderboard's column names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TF_STARTUP = ("oneDNN custom operations", "absl::InitializeLog()", "cpu_feature_guard")


@pytest.mark.long  # make test-long (CI runs it): a whole search in a new process
def test_search_prints_no_tensorflow_startup_lines(tmp_path: Path) -> None:
    decl = tmp_path / "wine.yaml"
    decl.write_text(
        (EXAMPLES / "wine.yaml")
        .read_text()
        .replace("data/wine.csv", str(EXAMPLES / "data" / "wine.csv"))
        .replace("epochs: 60", "epochs: 2")
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    proc = subprocess.run(
        [sys.executable, "-m", "archsmith", "search", str(decl), "--max-trials", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "trial 0" in output.lower() or "best" in output.lower(), output
    for line in TF_STARTUP:
        assert line not in output, output


def test_importing_the_estimator_prints_no_tensorflow_startup_lines() -> None:
    """Library use (a script, a notebook) gets the command line's quiet import."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    code = "import archsmith; archsmith.AutoModel; import keras; print('imported', 1)"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "imported" in proc.stdout
    for line in TF_STARTUP:
        assert line not in proc.stdout + proc.stderr, proc.stderr


@pytest.mark.slow
def test_mlflow_shows_a_model_training_experiment_with_its_datasets(tmp_path: Path) -> None:
    import json

    from mlflow.tracking import MlflowClient
    from sklearn.datasets import load_iris

    from archsmith import Classifier

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = Classifier(max_trials=1, epochs=1, verbose=0, tracking_uri=str(tmp_path / "mlruns"))
    model.fit(X, y)
    result = model.search_
    client = MlflowClient(tracking_uri=result.tracking_uri)
    exp = client.get_experiment_by_name(result.experiment.experiment_name)
    assert exp.tags["mlflow.experimentKind"] == "custom_model_development"
    inputs = client.get_run(result.run_id).inputs.dataset_inputs
    contexts = {i.tags[0].value: i.dataset for i in inputs}
    assert set(contexts) == {"training", "validation"}  # no test split declared
    for dataset in contexts.values():
        assert dataset.digest == result.dataset.fingerprint
        columns = json.loads(dataset.schema)["mlflow_colspec"]
        assert [c["name"] for c in columns] == list(X.columns)
        assert {c["type"] for c in columns} == {"double"}
    rows = json.loads(contexts["training"].profile)["num_rows"]
    assert rows == len(result.dataset.train)


def test_leaderboard_names_block_params_readably(capsys) -> None:
    import pandas as pd

    from archsmith.console import print_board
    from archsmith.console import short_names

    names = ["mlp.blocks.0", "optimizer.name", "mlp.blocks.1.units", "mlp.blocks.2.units"]
    assert short_names(names) == ["blocks.0", "name", "blocks.1.units", "blocks.2.units"]
    board = pd.DataFrame(
        {"trial": [0], "state": ["COMPLETE"], "score": [0.9], "mlp.blocks.0": ["dense"]}
    )
    print_board(board)
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header == ["trial", "state", "score", "blocks.0"]


@pytest.mark.slow
def test_savedmodel_export_serves_the_same_predictions(fitted, tmp_path: Path) -> None:
    import numpy as np
    import tensorflow as tf

    from archsmith.exceptions import ArchsmithError

    model, frame, _ = fitted
    folder = model.export(tmp_path / "serving", format="savedmodel")
    rows = frame.drop(columns="y").head(16)
    served = tf.saved_model.load(str(folder))
    inputs = {k: tf.constant(v) for k, v in model.schema_.raw_inputs(rows).items()}
    out = np.asarray(served.serve(inputs))
    # same graph, same weights, inference mode: equal to float32 rounding
    np.testing.assert_allclose(out[:, 0], model.predict_proba(rows)[:, 1], atol=1e-6)
    with pytest.raises(ArchsmithError, match="choose one of keras, savedmodel, tflite, onnx"):
        model.export(tmp_path / "x", format="pmml")


def test_tensorflow_retracing_notices_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    """A search builds new models trial after trial: TensorFlow's retracing notices are
    expected there and dropped; its other warnings pass."""
    import logging

    import archsmith.training._fit  # noqa: F401  (what trains a model installs the filter)

    tf_logger = logging.getLogger("tensorflow")
    tf_logger.addHandler(caplog.handler)  # whether or not it propagates to the root
    try:
        with caplog.at_level(logging.WARNING, logger="tensorflow"):
            tf_logger.warning(
                "5 out of the last 9 calls to <function f> triggered tf.function retracing."
            )
            tf_logger.warning("another TensorFlow warning")
    finally:
        tf_logger.removeHandler(caplog.handler)
    messages = {r.getMessage() for r in caplog.records if r.name == "tensorflow"}
    assert messages == {"another TensorFlow warning"}
