"""The Siamese family and the similarity task, on scikit-learn's 8x8 digits."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

from archsmith.builders import build_model
from archsmith.builders import load_model
from archsmith.datasets import default_spaces
from archsmith.datasets import load_dataset
from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError
from archsmith.exceptions import TrialFailed
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from archsmith.training import outputs
from archsmith.training import save_model
from families_helpers import example

DENSE = {
    "dense_stack": {
        "layers": 2,
        "units": 128,
        "activation": "relu",
        "dropout": 0.0,
        "batch_norm": False,
        "l2": 0.0,
    }
}


def config(distance: str = "euclidean") -> dict:  # type: ignore[type-arg]
    return {
        "model": [DENSE, {"siamese": {"embedding": 32, "distance": distance, "normalise": True}}],
        "optimizer": {"name": "adam", "learning_rate": 3e-3},
        "batch_size": 64,
        "family": "siamese",
    }


def test_automodel_tells_held_out_digits_apart_and_tracks_the_family(in_tmp: Path) -> None:
    import mlflow

    keras.utils.set_random_seed(0)
    demo = example("siamese_digits.py")
    model = demo.main(["--max-trials", "1", "--epochs", "10"])
    digits = load_digits()
    from sklearn.model_selection import train_test_split

    # the images the example held out of the search (a stratified quarter)
    _, held, _, held_y = train_test_split(
        digits.images, digits.target, test_size=0.25, random_state=0, stratify=digits.target
    )
    pairs, same = demo.held_out_pairs(held, held_y, n=600, seed=7)
    scores = model.evaluate(pairs, same)
    # measured: 0.93 (validation pairs 0.93); chance is 0.5
    assert scores["verification_accuracy"] >= 0.85 and scores["roc_auc"] >= 0.9
    predicted = model.predict(pairs)
    assert set(predicted.tolist()) <= {0, 1}
    distances = model.distance(pairs)
    result = model.search_
    client = mlflow.tracking.MlflowClient(result.tracking_uri)
    run_id = result.best.attrs["mlflow_run_id"]
    run = client.get_run(run_id)
    threshold = run.data.metrics["threshold"]
    np.testing.assert_array_equal(predicted, (distances <= threshold).astype(int))
    assert run.data.params["family"] == "siamese"
    assert run.data.params["model.0"] in ("dense_stack", "conv_stack")  # the searched encoder
    assert {"val.verification_accuracy", "val.roc_auc", "distance_same"} <= set(run.data.metrics)
    assert run.data.metrics["distance_same"] < run.data.metrics["distance_different"]
    assert [a.path for a in client.list_artifacts(run_id, "plots")] == ["plots/distances.png"]
    # the encoder alone: images -> embeddings, saved and reloaded
    encoder = load_model(in_tmp / "mlruns" / "exports" / "siamese_digits_encoder.keras")
    embedded = model.embed(held[:4])
    assert embedded.shape == (4, result.best.params["model.1.siamese.embedding"])
    np.testing.assert_allclose(
        outputs(encoder, {"archsmith_image": held[:4, :, :, None]}), embedded, atol=1e-5
    )
    # the MLflow model takes the flat pair table and answers like predict
    mlflow.set_tracking_uri(result.tracking_uri)
    served = mlflow.pyfunc.load_model(result.model_uri)
    frame = result.dataset.validation.frame.head(20)
    np.testing.assert_array_equal(served.predict(frame), model.predict(frame))


def test_triplets_from_a_yaml_declaration_with_the_cli(in_tmp: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import mlflow

    from archsmith.cli import main

    x, y = load_digits(return_X_y=True, as_frame=True)
    pd.concat([x, y.rename("digit")], axis=1).to_csv(in_tmp / "digits.csv", index=False)
    (in_tmp / "encoder.yaml").write_text(
        "name: siamese_mlp\n"
        "for: [tabular]\n"
        "model:\n"
        "  - dense_stack: {layers: 2, units: {type: int, low: 64, high: 128}, activation: relu}\n"
        "  - siamese: {embedding: 32, distance: cosine}\n"
        "optimizer: {name: adam, learning_rate: 0.003}\n"
        "batch_size: 64\n",
        encoding="utf-8",
    )
    (in_tmp / "pairs.yaml").write_text(
        "name: digit-pairs\n"
        "task: {type: similarity, target: digit, mode: triplets, margin: 0.5}\n"
        "data: {train: digits.csv, test: 0.25}\n"
        "search: {space: encoder.yaml, max_trials: 1}\n"
        "training: {epochs: 12, early_stopping: {patience: 3}}\n",
        encoding="utf-8",
    )
    assert main(["validate", "pairs.yaml"]) == 0
    keras.utils.set_random_seed(0)
    assert main(["search", "pairs.yaml", "--quiet"]) == 0
    assert main(["leaderboard", "digit-pairs", "--csv"]) == 0
    board = capsys.readouterr().out
    assert "val.verification_accuracy" in board and "COMPLETE" in board
    client = mlflow.tracking.MlflowClient(f"sqlite:///{in_tmp / 'mlruns' / 'mlflow.db'}")
    (experiment,) = [e for e in client.search_experiments() if e.name == "digit-pairs"]
    (search,) = client.search_runs(
        [experiment.experiment_id], filter_string="tags.`archsmith.role` = 'search'"
    )
    # test pairs: drawn from a quarter of the digits that no trial saw; measured 0.94
    assert search.data.metrics["test.verification_accuracy"] >= 0.85
    assert search.data.params["metric"] == "verification_accuracy"


def test_explicit_pairs_train_and_the_saved_model_reads_pair_tables(tmp_path: Path) -> None:
    from archsmith.datasets import draw_pairs

    digits = load_digits()
    a, b, same = draw_pairs(digits.target, 1600, np.random.default_rng(0))
    exp = load_experiment(
        task={"type": "similarity", "metric": "roc_auc"},
        training={"epochs": 8, "early_stopping": {"patience": 3}},
    )
    data = load_dataset((digits.images[a], digits.images[b]), same, task=exp.task, data=exp.data)
    assert not data.labelled and data.schema.kind == "image"
    assert data.validation.frame.columns[0] == "a_image_0"
    keras.utils.set_random_seed(0)
    model = build_model(config("cosine"), data.schema, data.target)
    result = fit(model, data, config("cosine"), exp.training)
    # measured: 0.998 AUC, 0.98 accuracy from 1280 fixed pairs
    assert result.scores["roc_auc"] >= 0.85 and result.scores["verification_accuracy"] >= 0.75
    path = save_model(model, tmp_path / "pairs.keras")
    reloaded = load_model(path)
    raw = data.schema.raw_inputs(data.validation.frame)  # the flat a_*/b_* table
    np.testing.assert_allclose(outputs(reloaded, raw), outputs(model, data.validation.x), atol=1e-5)
    threshold = float(keras.ops.convert_to_numpy(reloaded.get_layer("archsmith_same").threshold))
    assert threshold == pytest.approx(result.extra["threshold"])


def test_similarity_bad_input_is_a_clear_error() -> None:
    digits = load_digits()
    x, y = digits.images[:200], digits.target[:200]
    exp = load_experiment(task={"type": "similarity"})
    with pytest.raises(
        DataError, match=r"X_a has shape \(50, 8, 8\) and X_b has shape \(50, 8, 7\)"
    ):
        load_dataset((x[:50], x[:50, :, :7]), np.ones(50), task=exp.task, data=exp.data)
    with pytest.raises(DataError, match=r"X_a has 50 examples but X_b has 40"):
        load_dataset((x[:50], x[:40]), np.ones(50), task=exp.task, data=exp.data)
    with pytest.raises(DataError, match="a single class 3: no different-class pair"):
        load_dataset(x, np.full(200, 3), task=exp.task, data=exp.data)
    with pytest.raises(DataError, match="similarity needs class labels"):
        load_dataset(x, task=exp.task, data=exp.data)
    missing = pd.Series(y, dtype="float64").where(np.arange(200) != 5)
    with pytest.raises(DataError, match=r"1 missing value\(s\) \(first rows: \[5\]\)"):
        load_dataset(x, missing, task=exp.task, data=exp.data)
    with pytest.raises(
        DataError, match=r"must be 1 \(same\) or 0 \(different\).*\['0', '1', '2'\]"
    ):
        load_dataset((x[:50], x[50:100]), np.arange(50) % 3, task=exp.task, data=exp.data)
    with pytest.raises(DataError, match="every pair is marked same"):
        load_dataset((x[:50], x[50:100]), np.ones(50), task=exp.task, data=exp.data)
    texts = [f"word{i % 7} and some more words" for i in range(40)]
    with pytest.raises(DataError, match="texts are not supported"):
        load_dataset(texts, np.arange(40) % 2, task=exp.task, data=exp.data)
    triplets = load_experiment(task={"type": "similarity", "mode": "triplets"})
    with pytest.raises(DataError, match="explicit pairs do not have"):
        load_dataset((x[:50], x[50:100]), np.arange(50) % 2, task=triplets.task, data=exp.data)
    with pytest.raises(SpecError, match=r"task\.loss: loss 'triplet' does not train mode 'pairs'"):
        load_experiment(task={"type": "similarity", "loss": "triplet"})
    # predicting on pairs of mismatched shapes names both
    data = load_dataset(x, y, task=exp.task, data=exp.data)
    with pytest.raises(DataError, match=r"X_a has shape \(3, 8, 8\) and X_b has shape \(3, 64\)"):
        data.schema.model_inputs((x[:3], x[:3].reshape(3, 64)))
    # the siamese block only serves similarity; images default to the siamese space
    cls = load_experiment(task={"type": "classification"})
    table = load_dataset(x.reshape(200, 64), y, task=cls.task, data=cls.data)
    with pytest.raises(TrialFailed, match=r"model\.1\.siamese: cannot build block: the siamese"):
        build_model(config(), table.schema, table.target)
    # any space is an encoder: without a siamese block its output is the embedding
    plain = build_model({"model": [DENSE]}, data.schema, data.target)
    assert plain.output.shape == (None, 2)
    assert plain.get_layer("archsmith_encoder").output.shape == (None, 128)
    assert default_spaces("image", "similarity") == ("siamese",)
    assert exp.direction == "maximize"
    both = load_experiment(
        task={"type": "similarity", "metric": "roc_auc"},
        search={"objectives": [{"metric": "roc_auc"}, {"metric": "params"}]},
    )
    assert both.objectives == (("roc_auc", "maximize"), ("params", "minimize"))
