"""Sequence, text, multilabel and forecasting families, from Python, YAML and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from mlflow.tracking import MlflowClient

from archsmith import AutoModel
from archsmith.cli import main
from archsmith.runner import run_search

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def children(tracking: Path) -> list:
    client = MlflowClient(tracking_uri=f"sqlite:///{tracking / 'mlflow.db'}")
    exps = client.search_experiments()
    runs = client.search_runs([e.experiment_id for e in exps])
    return [r for r in runs if r.data.tags.get("archsmith.role") == "trial"]


def bumps(n: int = 400, steps: int = 24, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noise with a 3-step bump at a random place: class 1 if it goes up, 0 if down."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, 1)).astype("float32")
    y = rng.integers(0, 2, n)
    start = rng.integers(0, steps - 3, n)
    for k in range(3):
        x[np.arange(n), start + k, 0] += np.where(y == 1, 3.0, -3.0)
    return x, y


def example(name: str, tmp: Path, **changes: dict) -> Path:
    """A copy of an example declaration with absolute data paths and smaller settings."""
    decl = yaml.safe_load((EXAMPLES / name).read_text())
    decl["data"]["train"] = str(EXAMPLES / decl["data"]["train"])
    for section, values in changes.items():
        decl.setdefault(section, {}).update(values)
    path = tmp / name
    path.write_text(yaml.safe_dump(decl))
    return path


def test_rnn_conv1d_transformer_in_one_search_classify_sequences(tmp_path: Path) -> None:
    x, y = bumps()
    model = AutoModel(
        max_trials=3,
        epochs=4,
        patience=2,
        seed=2,  # its first 3 samples cover the 3 families
        space=["rnn", "conv1d", "transformer"],  # the general sequence spaces (forecasting's)
        tracking_uri=str(tmp_path / "mlruns"),
        verbose=0,
    )
    model.fit(x[:300], y[:300])
    board = model.leaderboard_
    assert set(board["family"]) == {"rnn", "conv1d", "transformer"}
    assert (board["state"] == "COMPLETE").all()
    assert model.score(x[300:], y[300:]) >= 0.8  # guessing gives 0.5
    assert {r.data.params["family"] for r in children(tmp_path / "mlruns")} == set(board["family"])


def test_text_classification_from_the_cli(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    decl = example("reviews.yaml", tmp_path, training={"epochs": 6})
    assert main(["search", str(decl), "--max-trials", "2"]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.split("test accuracy:")[1].split()[0])
    assert accuracy >= 0.85  # generated reviews: guessing gives 0.5
    families = {r.data.params["family"] for r in children(tmp_path / "mlruns")}
    assert families <= {"text_bag", "text_sequence"} and families


def test_multilabel_reports_per_label_metrics(tmp_path: Path) -> None:
    decl = example("review_tags.yaml", tmp_path, training={"epochs": 8})
    result = run_search(
        yaml.safe_load(decl.read_text())
        | {
            "search": {"max_trials": 2, "space": ["text_bag"]},
            "tracking": {"uri": str(tmp_path / "mlruns")},
        },
    )
    assert result.dataset.target.classes == ("acting", "music", "story")
    assert result.test_scores["f1_micro"] >= 0.8
    for label in ("acting", "music", "story"):
        assert {f"precision.{label}", f"recall.{label}", f"f1.{label}"} <= set(result.test_scores)
    best = next(
        r
        for r in children(tmp_path / "mlruns")
        if r.info.run_id == result.best.attrs["mlflow_run_id"]
    )
    assert best.data.metrics["val.f1.music"] > 0.5
    # the logged MLflow model takes raw texts and returns one 0/1 column per label
    import mlflow

    mlflow.set_tracking_uri(result.tracking_uri)
    served = mlflow.pyfunc.load_model(result.model_uri)
    texts = pd.DataFrame(
        {"review": ["The music was great.", "The plot was dull and the cast weak."]}
    )
    np.testing.assert_array_equal(served.predict(texts), [[0, 1, 0], [1, 0, 1]])


def test_multilabel_with_automodel_on_a_label_matrix(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 5))
    y = pd.DataFrame({"a": x[:, 0] > 0, "b": x[:, 1] + x[:, 2] > 0}).astype(int)
    model = AutoModel(
        task="multilabel",
        max_trials=2,
        epochs=15,
        tracking_uri=str(tmp_path / "mlruns"),
        verbose=0,
        task_options={"threshold": 0.5},
    )
    model.fit(x[:240], y[:240])
    assert list(model.classes_) == ["a", "b"]
    pred = model.predict(x[240:])
    assert pred.shape == (60, 2) and set(np.unique(pred)) <= {0, 1}
    scores = model.evaluate(x[240:], y[240:])
    assert scores["hamming_accuracy"] >= 0.8 and "f1.a" in scores


@pytest.mark.long  # make test-long (CI runs it): too long for make test's 15 minutes
def test_forecasting_beats_a_constant_and_shows_the_seasonal_naive_row(tmp_path: Path) -> None:
    decl = example(
        "sales.yaml",
        tmp_path,
        search={"space": ["conv1d"], "max_trials": 2, "algorithm": "random"},
        training={"epochs": 12},
        tracking={"uri": str(tmp_path / "mlruns")},
    )
    result = run_search(decl)
    board = result.leaderboard
    naive = board[board["family"] == "seasonal_naive"]
    assert len(naive) == 1 and int(naive["trial"].iloc[0]) == -1
    # forecasting the mean of the window scores a MASE of about 4 on these weekly series
    assert result.test_scores["mase"] < 1.2
    assert {"mae", "rmse", "mase"} <= set(result.test_scores)
    windows = result.dataset.test.x["archsmith_sequence"] if result.dataset.test else None
    assert windows is not None and windows.shape[1:] == (28, 1)
    # the baseline row is no trial: the consistency check does not count it as one
    from archsmith import doctor

    report = doctor.check(result.experiment.experiment_name, tracking_uri=str(tmp_path / "mlruns"))
    assert report.ok, report.problems


def test_forecasting_with_automodel_predicts_horizon_values(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    t = np.arange(400)
    series = 50 + 5 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.5, 400)
    model = AutoModel(
        task="forecasting",
        space="conv1d",
        max_trials=1,
        epochs=3,
        tracking_uri=str(tmp_path / "mlruns"),
        verbose=0,
        task_options={"horizon": 3, "lookback": 14, "seasonality": 7},
    )
    model.fit(series[:300])
    windows = np.stack([series[i : i + 14] for i in range(300, 380)])
    targets = np.stack([series[i + 14 : i + 17] for i in range(300, 380)])
    forecast = model.predict(windows)
    assert forecast.shape == (80, 3)
    # levels are restored: forecasts sit on the series (about 50), not on standardised units
    assert abs(float(forecast.mean()) - 50) < 2
    assert model.evaluate(windows, targets)["mase"] < 1.5


def test_text_families_with_automodel_on_a_list_of_texts(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLES / "data" / "reviews.csv")
    texts, labels = list(frame["review"]), frame["sentiment"]
    model = AutoModel(
        max_trials=2,
        epochs=1,
        seed=2,
        tracking_uri=str(tmp_path / "mlruns"),
        verbose=0,
    )
    model.fit(texts[:300], labels[:300])  # no space given: the text defaults
    board = model.leaderboard_
    # the first trial is the linear TF-IDF model (text_tfidf's first_trials), then a sample
    assert set(board["family"]) <= {"text_tfidf", "text_bag", "text_sequence"}
    families = {r.data.params["family"] for r in children(tmp_path / "mlruns")}
    assert "text_tfidf" in families and families == set(board["family"])
    assert set(model.predict(texts[300:310])) <= {"pos", "neg"}


def test_forecasting_leaderboard_shows_an_ets_reference_row(tmp_path: Path) -> None:
    pytest.importorskip("statsmodels")
    steps = np.arange(90)
    values = 20 + 0.1 * steps + 5 * np.sin(2 * np.pi * steps / 6)
    decl = {
        "task": {"type": "forecasting", "lookback": 12, "horizon": 3, "seasonality": 6},
        "data": {"validation": 0.2, "test": 0.2},
        "search": {"space": ["conv1d"], "max_trials": 1, "algorithm": "random"},
        "training": {"epochs": 1},
        "tracking": {"uri": str(tmp_path / "mlruns")},
    }
    board = run_search(decl, values).leaderboard
    rows = board[board["trial"] < 0].set_index("family")
    assert sorted(rows.index) == ["ets", "seasonal_naive"]
    assert (int(rows.loc["seasonal_naive", "trial"]), int(rows.loc["ets", "trial"])) == (-1, -3)
    # a trend and a clean season: ETS forecasts them far better than repeating the season
    assert rows.loc["ets", "val.mase"] < rows.loc["seasonal_naive", "val.mase"]
