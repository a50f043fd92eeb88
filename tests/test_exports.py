"""Deployment exports read back by their own runtimes (TensorFlow, the LiteRT
interpreter, ONNX Runtime) and compared with the Keras model; clear errors for models a
format cannot express; the MLflow Model Registry on a real SQLite store.

Tolerances: float formats (savedmodel, tflite, onnx) within 1e-5 of the Keras outputs
(probabilities); int8 tflite on labels: at least 90% the same as Keras on the checked rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FLOAT_TOLERANCE = 1e-5
INT8_AGREEMENT = 0.9


@pytest.fixture(scope="module")
def sequences(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A 1-trial conv1d search on digits read as 16 steps of 4 values."""
    from sklearn.datasets import load_digits

    from archsmith import AutoModel

    digits = load_digits()
    x = digits.images[:240].reshape(240, 16, 4).astype("float32")
    model = AutoModel(
        task="classification", max_trials=1, epochs=1, space="conv1d", verbose=0,
        tracking_uri=str(tmp_path_factory.mktemp("seq") / "mlruns"),
    )  # fmt: skip
    return model.fit(x, digits.target[:240]), x


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["savedmodel", "tflite", "onnx"])
def test_table_exports_reload_with_the_keras_predictions(fitted, fmt: str, tmp_path: Path) -> None:
    from archsmith.exports import export_search_model

    model, _, _ = fitted
    report = export_search_model(model.model_, model.search_.dataset, tmp_path / "m", fmt)
    assert report.path.exists() and report.bytes > 0 and report.compressed_bytes > 0
    assert report.rows_checked > 0
    assert report.max_difference <= FLOAT_TOLERANCE
    assert report.agreement == 1.0
    # ONNX has no string tensors: categories are integer codes there
    assert report.categories_as_codes == (fmt == "onnx")


@pytest.mark.slow
def test_int8_tflite_is_smaller_and_keeps_the_labels(sequences, tmp_path: Path) -> None:
    from archsmith.exports import CALIBRATION_ROWS
    from archsmith.exports import export_search_model

    model, _ = sequences
    dataset = model.search_.dataset
    plain = export_search_model(model.model_, dataset, tmp_path / "f", "tflite")
    int8 = export_search_model(model.model_, dataset, tmp_path / "q", "tflite", int8=True)
    assert int8.int8 and int8.calibration_rows == min(CALIBRATION_ROWS, len(dataset.train))
    assert int8.bytes < plain.bytes
    assert int8.agreement >= INT8_AGREEMENT


@pytest.mark.slow
def test_sequence_exports_and_estimator_export(sequences, tmp_path: Path) -> None:
    from archsmith import training

    model, x = sequences
    path = model.export(tmp_path / "seq", format="onnx")
    assert path.suffix == ".onnx"
    expected = model.predict_proba(x[:32])
    out = training.onnx_outputs(path, {"archsmith_sequence": x[:32]})
    np.testing.assert_allclose(out, expected, atol=FLOAT_TOLERANCE)


@pytest.mark.slow
def test_formats_that_cannot_express_a_model_say_why_and_write_nothing(
    fitted, sequences, tmp_path: Path
) -> None:
    from archsmith import AutoModel
    from archsmith.exceptions import ArchsmithError

    model, _ = sequences
    with pytest.raises(ArchsmithError, match="unknown export format 'pmml'"):
        model.export(tmp_path / "x", format="pmml")
    with pytest.raises(ArchsmithError, match="int8 quantisation is a tflite option"):
        model.export(tmp_path / "x", format="onnx", int8=True)
    texts = ["a fine good film", "a bad dull film", "good acting and story", "dull slow bad"] * 12
    text = AutoModel(task="classification", max_trials=1, epochs=1, verbose=0)
    text.fit(texts, ["pos", "neg", "pos", "neg"] * 12)
    with pytest.raises(ArchsmithError, match=r"cannot export to tflite: .*LiteRT has no built-in"):
        text.export(tmp_path / "t", format="tflite")
    with pytest.raises(ArchsmithError, match="cannot export to onnx"):
        text.export(tmp_path / "t", format="onnx")
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_registered_model_predicts_by_models_uri(in_tmp: Path, capsys) -> None:
    import pandas as pd
    from mlflow.tracking import MlflowClient
    from sklearn.datasets import load_iris

    from archsmith import Classifier
    from archsmith.cli import main

    X, y = load_iris(return_X_y=True, as_frame=True)
    store = str(in_tmp / "mlruns")
    model = Classifier(max_trials=1, epochs=1, verbose=0, tracking_uri=store, register="iris")
    model.fit(X, y)
    client = MlflowClient(tracking_uri=model.search_.tracking_uri)
    version = client.get_model_version("iris", "1")
    assert version.run_id == model.search_.run_id
    assert version.tags["archsmith.task"] == "classification"
    assert float(version.tags["archsmith.best_score"]) == pytest.approx(model.best_score_)
    assert client.get_registered_model("iris").tags["archsmith.task"] == "classification"
    X.head(10).to_csv(in_tmp / "rows.csv", index=False)
    expected = [str(v) for v in model.predict(X.head(10))]
    for uri in ("models:/iris/1", "models:/iris/latest"):
        assert main(["predict", uri, "rows.csv", "--tracking-uri", store, "-o", "p.csv"]) == 0
        assert [str(v) for v in pd.read_csv(in_tmp / "p.csv")["prediction"]] == expected
    capsys.readouterr()
    assert main(["predict", "models:/iris/7", "rows.csv", "--tracking-uri", store]) == 2
    assert "no registered model models:/iris/7 (versions of 'iris': 1)" in capsys.readouterr().err
    # and the registered version exports from the command line, checked on the rows
    assert main(["export", "models:/iris/1", "iris", "--format", "onnx", "--tracking-uri",
                 store, "--data", "rows.csv"]) == 0  # fmt: skip
    assert "exported as onnx to iris.onnx" in capsys.readouterr().out


@pytest.mark.slow
def test_pruning_reaches_the_sparsity_and_logs_score_and_size(sequences) -> None:
    from mlflow.tracking import MlflowClient

    model, x = sequences  # runs last in this module: it prunes the shared model
    report = model.prune(0.5, epochs=1)
    assert 0.49 <= report.sparsity <= 0.51
    assert report.compressed_after < report.compressed_before  # zeros compress
    assert report.metric == "accuracy" and 0.0 <= report.score_after <= 1.0
    run = MlflowClient(tracking_uri=model.search_.tracking_uri).get_run(model.search_.run_id)
    assert run.data.metrics["pruned.sparsity"] == pytest.approx(report.sparsity)
    assert run.data.metrics["pruned.compressed_bytes"] == report.compressed_after
    assert "pruned.val.accuracy" in run.data.metrics
    assert model.predict(x[:4]).shape == (4,)
