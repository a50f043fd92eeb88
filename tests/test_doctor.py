"""``archsmith doctor`` finds every kind of inconsistency planted between Optuna and MLflow."""

from __future__ import annotations

from pathlib import Path

import optuna
from mlflow.tracking import MlflowClient

from archsmith import doctor
from archsmith.cli import main
from archsmith.engines._optuna import open_storage
from archsmith.runner import run_search
from conftest import mixed_frame


def test_doctor_passes_a_clean_search_and_finds_planted_problems(tmp_path: Path, capsys) -> None:
    store = tmp_path / "mlruns"
    exp = {
        "name": "doc",
        "task": {"type": "classification", "target": "y"},
        "search": {"max_trials": 2},
        "training": {"epochs": 1},
        "tracking": {"uri": str(store)},
    }
    result = run_search(exp, mixed_frame(120))
    clean = doctor.check("doc", tracking_uri=str(store))
    assert clean.ok, clean.problems
    assert (clean.trials, clean.runs) == (2, 2)
    assert main(["doctor", "doc", "--tracking-uri", str(store)]) == 0
    assert "consistent" in capsys.readouterr().out

    client = MlflowClient(tracking_uri=result.tracking_uri)
    parent = client.get_run(result.run_id)
    # 1. a run in MLflow for a trial the engine never had
    ghost = client.create_run(
        parent.info.experiment_id,
        tags={
            "mlflow.parentRunId": result.run_id,
            "archsmith.role": "trial",
            "archsmith.trial": "42",
            "archsmith.state": "COMPLETE",
        },
    ).info.run_id
    client.set_terminated(ghost, "FINISHED")
    # 2. a finished trial's run put back to RUNNING
    first = result.trials[0].attrs["mlflow_run_id"]
    client.update_run(first, status="RUNNING")
    # 3. an artifact folder of no run
    orphan = store / "artifacts" / "doc" / "0123456789abcdef0123456789abcdef"
    (orphan / "artifacts").mkdir(parents=True)
    # 4. a trial in the engine with no run, left RUNNING after the search finished
    storage = open_storage(str(store / "optuna.journal"))
    optuna.load_study(study_name=result.search_id, storage=storage).ask()

    report = doctor.check("doc", tracking_uri=str(store))
    text = "\n".join(report.problems)
    assert not report.ok
    assert f"trial 42: run(s) {ghost} in MLflow, no trial in the engine" in text
    assert f"trial 0 (run {first}): left RUNNING in MLflow; the engine says COMPLETE" in text
    assert f"orphan artifact folder (no run): {orphan}" in text
    assert "trial 2: RUNNING in the engine, no MLflow run" in text
    assert "search run is FINISHED but trials [2] are RUNNING in the engine" in text
    assert len(report.problems) == 5
    assert main(["doctor", "doc", "--tracking-uri", str(store)]) == 1
    out = capsys.readouterr().out
    assert "5 problem(s) found" in out and "trial 42" in out
