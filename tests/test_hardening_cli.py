"""Issue 15, items 3, 5, 6, 7 from the command line: one small search, then attacks on it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from archsmith.cli import main
from conftest import mixed_frame

pytestmark = pytest.mark.slow


def _declaration(folder: Path, trials: int = 1, epochs: int = 1) -> Path:
    training = {"epochs": epochs, "early_stopping": {"patience": epochs}}
    mixed_frame(80).to_csv(folder / "data.csv", index=False)
    decl = folder / "hard.yaml"
    decl.write_text(
        yaml.safe_dump(
            {
                "name": "hard",
                "task": {"type": "classification", "target": "y"},
                "data": {"train": "data.csv"},
                "search": {"max_trials": trials},
                "training": training,
            }
        )
    )
    return decl


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hard")
    old = Path.cwd()
    os.chdir(folder)
    try:
        assert main(["search", str(_declaration(folder))]) == 0
    finally:
        os.chdir(old)
    return folder


def _predict(folder: Path, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archsmith", "predict", "hard", str(data)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_predict_refuses_infinite_rows_instead_of_a_label(searched: Path) -> None:
    rows = mixed_frame(6).drop(columns="y")
    rows.loc[4, "income"] = float("inf")
    rows.to_csv(searched / "inf.csv", index=False)
    done = _predict(searched, searched / "inf.csv")
    assert done.returncode == 2, done.stderr
    assert "column 'income'" in done.stderr and "row 4" in done.stderr
    assert "Traceback" not in done.stderr and "churn" not in done.stdout
    assert "stay" not in done.stdout


def test_predict_runs_no_code_from_the_artifact_store(searched: Path) -> None:
    stored = list((searched / "mlruns").rglob("serving.py"))
    assert stored
    marker = searched / "pwned"
    for path in stored:
        with path.open("a") as f:
            f.write(f"\nopen({str(marker)!r}, 'w').write('ran')\n")
    mixed_frame(6).drop(columns="y").to_csv(searched / "rows.csv", index=False)
    done = _predict(searched, searched / "rows.csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "prediction" and len(done.stdout.splitlines()) == 7
    assert not marker.exists()


def test_doctor_reports_a_parent_left_running_and_a_missing_model(
    searched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from archsmith.tracking import MlflowTracker

    store = str(searched / "mlruns")
    tracker = MlflowTracker(store)
    run_id = tracker.latest_search("hard")
    assert main(["doctor", "hard", "--tracking-uri", store]) == 0
    model = tracker.artifact_path(run_id, "model")
    backup = searched / "model-backup"
    shutil.copytree(model, backup)
    shutil.rmtree(model)
    try:
        assert main(["doctor", "hard", "--tracking-uri", store]) == 1
        assert "FINISHED but logged no model" in capsys.readouterr().out
        tracker.client.update_run(run_id, status="RUNNING")
        assert main(["doctor", "hard", "--tracking-uri", store]) == 1
        assert "left RUNNING with no trial running" in capsys.readouterr().out
    finally:
        tracker.client.set_terminated(run_id, status="FINISHED")
        shutil.copytree(backup, model)


def _text(path: Path) -> str:
    return path.read_text(errors="replace") if path.is_file() else ""


def test_sigterm_stops_a_search_like_ctrl_c_and_resume_finishes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    decl = _declaration(tmp_path, trials=3, epochs=200)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "archsmith", "search", str(decl)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("search 'hard'")
    journal = tmp_path / "mlruns" / "optuna.journal"
    end = time.monotonic() + 180
    while time.monotonic() < end and '"op_code":4' not in _text(journal):
        time.sleep(0.5)  # until the first trial is created, then inside its training
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted after" in err and "--resume" in err
    from archsmith.engines import TrialState
    from archsmith.engines import read_trials
    from archsmith.tracking import MlflowTracker

    tracker = MlflowTracker(str(tmp_path / "mlruns"))
    parent = tracker.client.get_run(tracker.latest_search("hard"))
    assert parent.info.status == "KILLED"
    search_id = parent.data.tags["archsmith.search_id"]
    trials = read_trials(str(tmp_path / "mlruns" / "optuna.journal"), search_id)
    assert trials and all(t.state is not TrialState.RUNNING for t in trials)
    assert any(t.attrs.get("reason") == "interrupted by the user" for t in trials)
    runs = tracker.trial_runs(parent.info.run_id)
    assert all(r["status"] != "RUNNING" for rs in runs.values() for r in rs)
    # --resume finishes the search (one short trial left once the declaration allows it)
    _declaration(tmp_path, trials=3, epochs=1)
    monkeypatch.chdir(tmp_path)  # in this process: the command, not its start, is tested
    capsys.readouterr()
    assert main(["search", str(decl), "--resume", "--quiet"]) == 0
    assert "best: trial" in capsys.readouterr().out
