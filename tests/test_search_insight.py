"""What a person sees of a search (issue 16, items 5-8): explanations, the leaderboard's
predict time and model size, the learning curves of the best trials, and the progress
display (one plain line per trial off a terminal or with --quiet; a live line on one).

The read-only tests share the session's ``fitted`` search (conftest); the progress test
runs one 1-trial search and resumes it for one more trial."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from mlflow.tracking import MlflowClient

from archsmith.cli import main
from archsmith.exceptions import DataError

CONTROL = re.compile(r"\x1b\[|\r")  # ANSI escape sequences, carriage returns


def _client(root: Path) -> MlflowClient:
    from archsmith.tracking import store_uris

    return MlflowClient(tracking_uri=store_uris(str(root / "mlruns"))[0])


# -- leaderboard: predict time per row and model size -----------------------------------------
def test_leaderboard_has_predict_time_and_model_size(fitted, capsys) -> None:
    model, _, root = fitted
    board = model.leaderboard_
    done = board[board["state"] == "COMPLETE"]
    assert len(done) and (done["predict_ms_per_row"] > 0).all()
    assert (done["model_bytes"] > 1000).all()  # float32 weights: 4 bytes per parameter
    assert (done["model_bytes"] == 4 * done["params_count"]).all()
    assert main(["leaderboard", "fitted", "--tracking-uri", str(root / "mlruns")]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert "predict_ms_per_row" in header and "model_bytes" in header


# -- learning curves ------------------------------------------------------------------------
def test_learning_curves_of_the_top_trials_are_logged(fitted, tmp_path: Path) -> None:
    model, _, root = fitted
    client = _client(root)
    run_id = model.search_.run_id
    assert {a.path for a in client.list_artifacts(run_id, "curves")} == {
        "curves/learning_curves.csv",
        "curves/learning_curves.png",
    }
    curves = pd.read_csv(
        client.download_artifacts(run_id, "curves/learning_curves.csv", str(tmp_path))
    )
    board = model.leaderboard_
    top = board[board["state"] == "COMPLETE"]["trial"].head(5)
    assert set(curves["trial"]) == set(top)  # one curve per top trial
    for trial, part in curves.groupby("trial"):
        assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(part["metric"])
        epochs = int(board.loc[board["trial"] == trial, "epochs"].iloc[0])
        assert sorted(part[part["metric"] == "val_loss"]["epoch"]) == list(range(1, epochs + 1))


# -- explanations ---------------------------------------------------------------------------
def test_explain_a_table_by_permutation_importance(fitted, tmp_path: Path, capsys) -> None:
    model, frame, root = fitted
    explanation = model.explain(frame)  # the target column y is in the frame
    table = explanation.table
    assert explanation.method == "permutation_importance"
    assert sorted(table["column"]) == ["age", "city", "income", "member"]  # raw columns
    assert list(table.columns) == ["column", "importance", "std", "baseline"]
    assert table["importance"].is_monotonic_decreasing
    client = _client(root)
    logged = {a.path for a in client.list_artifacts(model.search_.run_id, "explain")}
    assert logged == {f"explain/permutation_importance.{e}" for e in ("csv", "json", "png")}
    with pytest.raises(DataError, match="pass y"):
        model.explain(frame.drop(columns="y"))
    # the command line: a CSV with the target column, top features printed
    frame.to_csv(tmp_path / "rows.csv", index=False)
    store = str(root / "mlruns")
    assert (
        main(
            ["explain", "fitted", str(tmp_path / "rows.csv"), "--tracking-uri", store, "--top", "2"]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "permutation importance: the 2 most important columns"
    assert out[1].split() == ["column", "importance", "std", "baseline"]
    assert len(out) == 5 and out[-1].startswith("logged to the search's run: explain/")


def test_integrated_gradients_of_an_image_model(tmp_path: Path) -> None:
    import keras

    from archsmith.datasets import ArraySchema
    from archsmith.explain import Subject
    from archsmith.explain import explain

    inputs = keras.Input((4, 4, 1), name="archsmith_image")
    weights = np.zeros((16, 1), dtype="float32")
    weights[5] = 2.0  # the output depends on pixel (1, 1) only
    dense = keras.layers.Dense(
        1, use_bias=False, kernel_initializer=keras.initializers.Constant(weights)
    )
    out = dense(keras.layers.Flatten()(inputs))
    model = keras.Model({"archsmith_image": inputs}, out)
    schema = ArraySchema("image", (4, 4, 1), (0.0,), (1.0,), name="image")
    subject = Subject(model, schema, None, "rmse", False)  # type: ignore[arg-type]  # y unused
    x = np.random.default_rng(0).random((3, 4, 4, 1)).astype("float32")
    explanation = explain(subject, x)
    assert explanation.method == "integrated_gradients"
    assert explanation.attributions is not None and explanation.attributions.shape == x.shape
    # completeness: the attributions sum to the output's change from the baseline (zeros)
    np.testing.assert_allclose(
        explanation.attributions.sum(axis=(1, 2, 3)), 2 * x[:, 1, 1, 0], rtol=1e-4
    )
    first = explanation.top(1).iloc[0]
    assert (first["row"], first["column"], first["channel"]) == (1, 1, 0)


# -- progress -------------------------------------------------------------------------------
def test_progress_is_a_line_per_trial_off_a_terminal_and_live_on_one(tmp_path: Path) -> None:
    from archsmith.progress import LiveProgress
    from archsmith.progress import Tally
    from archsmith.runner import run_search
    from archsmith.spec import load_experiment

    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 3)), columns=["a", "b", "c"])
    frame["y"] = (frame["a"] > 0).map({True: "up", False: "down"})
    frame.to_csv(tmp_path / "rows.csv", index=False)
    decl = {
        "name": "watched",
        "task": {"type": "classification", "target": "y"},
        "data": {"train": "rows.csv"},
        "search": {"space": ["mlp"], "max_trials": 1, "seed": 0, "build_check": "off"},
        "training": {"epochs": 2},
        "tracking": {"uri": str(tmp_path / "mlruns")},
    }
    path = tmp_path / "watched.yaml"
    path.write_text(yaml.safe_dump(decl))
    runs = (["--max-trials", "1"], ["--max-trials", "2", "--resume", "--quiet"])
    for args in runs:  # stdout is not a terminal here: plain lines, with --quiet too
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["search", str(path), *args]) == 0
        text = out.getvalue()
        assert not CONTROL.search(text), text
        lines = [line for line in text.splitlines() if re.match(r"\[\s*\d+/\d+\] trial", line)]
        assert len(lines) == 1, text  # one line for the one trial of this run
    # on a terminal: the same lines, and a live line with the epoch, best so far and ETA
    screen = io.StringIO()
    live = LiveProgress(3, epochs=2, file=screen, force_terminal=True)
    seen: list[str] = []
    original = live.epoch_ended

    def epoch_ended(number: int, epoch: int, logs) -> None:
        original(number, epoch, logs)
        seen.append(live.status())

    live.epoch_ended = epoch_ended  # type: ignore[method-assign]
    exp = load_experiment(path)
    exp = load_experiment(exp, search={**exp.search.model_dump(), "max_trials": 3})
    with live:
        run_search(exp, resume=True, progress=Tally(live))
    rendered = screen.getvalue()
    assert "\x1b[" in rendered  # rendered for a terminal
    assert re.search(r"\[  3/3\] trial 2 ", rendered)
    assert any(
        re.search(r"trials 2/3 \| best [\d.]+ \(trial \d\) \| trial 2: epoch 1/2 .*loss", s)
        for s in seen
    ), seen
    assert any("ETA" in s for s in seen)
