"""Several workers on one search, crash safety (SIGKILL, heartbeats), retries, size limits.

The multi-worker test runs three ``archsmith worker`` processes on a throwaway PostgreSQL
server (Optuna and MLflow each in a database of it); see ``tests/postgres.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import optuna
import pytest
import yaml
from mlflow.tracking import MlflowClient

from archsmith import doctor
from archsmith.builders import CATALOG
from archsmith.engines import Engine
from archsmith.engines import Trial
from archsmith.engines import TrialState
from archsmith.engines import _optuna
from archsmith.engines import make_engine
from archsmith.engines._optuna import open_storage
from archsmith.runner import WORKER_LOST
from archsmith.runner import run_search
from archsmith.runner._loop import claim
from archsmith.runner._recovery import SharedQuota
from archsmith.search_space import load_space
from archsmith.tracking import open_tracker
from conftest import ROOT
from conftest import mixed_frame

TINY_SPACE = {
    "name": "tiny",
    "for": ["tabular"],
    "model": [{"dense_stack": {"layers": 1, "units": {"type": "int", "low": 4, "high": 16}}}],
    "optimizer": {
        "name": "adam",
        "learning_rate": {"type": "float", "low": 1.0e-3, "high": 1.0e-1, "log": True},
    },
    "batch_size": 64,
}

ONE_THREAD = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "PYTHONPATH": str(ROOT / "src"),
}


def write_search(tmp: Path, name: str, epochs: int = 1, **search) -> Path:
    mixed_frame(160).to_csv(tmp / "data.csv", index=False)
    (tmp / "tiny.yaml").write_text(yaml.safe_dump(TINY_SPACE))
    decl = {
        "name": name,
        "task": {"type": "classification", "target": "y", "metric": "accuracy"},
        "data": {"train": "data.csv", "validation": 0.25},
        "search": {"space": "tiny.yaml", "max_trials": 12, "seed": 1, **search},
        "training": {"epochs": epochs, "early_stopping": None},
        "tracking": {"uri": str(tmp / "mlruns")},
    }
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(decl, sort_keys=False))
    return path


def study_of(storage, prefix: str):  # type: ignore[no-untyped-def]
    names = [
        s.study_name
        for s in optuna.get_all_study_summaries(storage, False)
        if s.study_name.startswith(prefix + "/")
    ]
    assert len(names) == 1, names
    return optuna.load_study(study_name=names[0], storage=storage)


def test_three_workers_share_one_search_on_postgresql(pg, tmp_path: Path) -> None:
    optuna_url = pg.create_db("optuna_w3")
    mlflow_url = pg.create_db("mlflow_w3")
    decl = write_search(tmp_path, "shared", storage=optuna_url)
    cmd = [sys.executable, "-m", "archsmith", "worker", str(decl), "--quiet"]
    cmd += ["--tracking-uri", mlflow_url]
    env = {**os.environ, **ONE_THREAD}
    workers = [
        subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outs = [w.communicate(timeout=400) for w in workers]
    for worker, (_, err) in zip(workers, outs, strict=True):
        assert worker.returncode == 0, err.decode()[-3000:]
        assert b"Traceback" not in err
    # exactly one worker (the last to finish) wrote the summary
    assert sum(b"best: trial" in out for out, _ in outs) == 1

    study = study_of(open_storage(optuna_url, heartbeat=False), "shared")
    every = study.get_trials(deepcopy=False)
    trials = [t for t in every if not t.system_attrs.get(_optuna.GIVEN_BACK)]
    numbers = [t.number for t in trials]
    assert len(trials) == 12 and len(set(numbers)) == len(numbers)  # max_trials is exact
    assert not [t for t in every if t.state.name in ("RUNNING", "WAITING")]
    assert sum(t.state.name == "COMPLETE" for t in trials) == 12
    # params were not evaluated twice: each trial has its own candidate
    assert len({tuple(sorted(t.params.items())) for t in trials}) == len(trials)
    ran_by = {t.system_attrs["archsmith:worker"] for t in trials}
    assert len(ran_by) >= 2, ran_by

    client = MlflowClient(tracking_uri=mlflow_url)
    exp = client.get_experiment_by_name("shared")
    runs = client.search_runs([exp.experiment_id], max_results=1000)
    parents = [r for r in runs if r.data.tags.get("archsmith.role") == "search"]
    children = [r for r in runs if r.data.tags.get("archsmith.role") == "trial"]
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    assert parents[0].info.run_name == study.study_name
    assert all(c.data.tags["mlflow.parentRunId"] == parents[0].info.run_id for c in children)
    assert len(children) == len(trials)
    by_number = {int(c.data.tags["archsmith.trial"]): c for c in children}
    assert sorted(by_number) == sorted(numbers)
    for trial in trials:
        run = by_number[trial.number]
        assert trial.user_attrs["mlflow_run_id"] == run.info.run_id
        assert (
            run.data.tags["archsmith.state"]
            == {"COMPLETE": "COMPLETE", "FAIL": "FAILED"}[trial.state.name]
        )
        if trial.value is not None:
            assert run.data.metrics["score"] == pytest.approx(trial.value)
    assert parents[0].data.metrics["trials_complete"] == sum(
        t.state.name == "COMPLETE" for t in trials
    )
    report = doctor.check("shared", tracking_uri=mlflow_url, storage=optuna_url)
    assert report.ok, report.problems
    # the password is in no param, tag or output
    for run in runs:
        assert pg.password not in repr(run.data.params) + repr(run.data.tags)
    assert all(pg.password.encode() not in out + err for out, err in outs)


def _running_trial(journal: Path, prefix: str, timeout: float = 120) -> int:
    """Wait until a trial of the search is RUNNING with its MLflow run open."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if journal.exists():
            storage = open_storage(str(journal))
            for s in optuna.get_all_study_summaries(storage, False):
                if s.study_name.startswith(prefix + "/"):
                    study = optuna.load_study(study_name=s.study_name, storage=storage)
                    for t in study.get_trials(deepcopy=False):
                        if t.state.name == "RUNNING" and "mlflow_run_id" in t.user_attrs:
                            return t.number
        time.sleep(0.3)
    raise AssertionError("no trial started")


def test_sigkilled_search_leaves_its_trial_failed_worker_lost_on_resume(tmp_path: Path) -> None:
    decl = write_search(tmp_path, "killed", epochs=400, max_trials=2)
    env = {**os.environ, **ONE_THREAD}
    proc = subprocess.Popen(
        [sys.executable, "-m", "archsmith", "search", str(decl), "--quiet"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        number = _running_trial(tmp_path / "mlruns" / "optuna.journal", "killed")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    exp = yaml.safe_load(decl.read_text())
    exp["data"]["train"] = str(tmp_path / "data.csv")
    exp["search"]["space"] = str(tmp_path / "tiny.yaml")
    exp["training"]["epochs"] = 1
    result = run_search(exp, resume=True)
    lost = next(t for t in result.trials if t.number == number)
    assert lost.state.value == "FAILED" and lost.attrs["reason"] == WORKER_LOST
    assert not [t for t in result.trials if t.state.value == "RUNNING"]
    assert sum(t.state.value == "COMPLETE" for t in result.trials) == 2
    client = MlflowClient(tracking_uri=result.tracking_uri)
    run = client.get_run(lost.attrs["mlflow_run_id"])
    assert run.info.status == "FAILED"
    assert run.data.tags["archsmith.state"] == "FAILED"
    assert run.data.tags["archsmith.reason"] == WORKER_LOST
    assert doctor.check("killed", tracking_uri=str(tmp_path / "mlruns")).ok


@pytest.mark.parametrize("storage", ["sqlite", "journal"])
def test_stale_heartbeat_marks_a_trial_of_another_host_lost(
    storage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a journal file has no heartbeat in Optuna: archsmith's own beat finds the dead worker
    monkeypatch.setattr(_optuna, "GRACE_PERIOD", 2)
    monkeypatch.setattr(_optuna, "HEARTBEAT_INTERVAL", 1)
    url = f"sqlite:///{tmp_path / 'o.db'}" if storage == "sqlite" else str(tmp_path / "o.journal")
    space = load_space("mlp", CATALOG)

    def engine(**kwargs):  # type: ignore[no-untyped-def]
        return make_engine(
            "optuna", space, name="hb", direction="maximize", algorithm=None, storage=url, **kwargs
        )

    first = engine()
    trial = first.ask()
    # pretend the trial runs on another machine, then that machine dies (no more beats)
    first._study._storage.set_trial_system_attr(
        trial.handle._trial_id, "archsmith:worker", "elsewhere:1:1"
    )
    joined = engine(join=True)
    assert joined.search_id == first.search_id
    assert joined.lost_trials() == []  # heartbeats are fresh: it is alive
    first._beats.pop(trial.number).stop()
    time.sleep(4.5)
    assert [t.number for t in joined.lost_trials()] == [trial.number]


def test_workers_asking_at_once_never_exceed_max_trials(pg, tmp_path: Path) -> None:
    """Four workers see room (two places left) and ask at the same instant: the storage's
    trial numbers decide, two trials run and two are given back unrun (not counted)."""
    url = pg.create_db("optuna_race")
    space = load_space("mlp", CATALOG)
    tracker = open_tracker(str(tmp_path / "mlruns"))
    run_id = tracker.start_search("race", "race/1", params={}, tags={}, texts={})
    total, workers = 2, 4
    engines = [
        make_engine(
            "optuna",
            space,
            name="race",
            direction="maximize",
            algorithm=None,
            storage=url,
            join=True,
        )
        for _ in range(workers)
    ]
    assert len({e.search_id for e in engines}) == 1
    gate = threading.Barrier(workers)
    kept: list[tuple[Engine, Trial]] = []

    def work(engine: Engine) -> None:
        quota = SharedQuota(engine, tracker, run_id)
        assert quota.taken() < total  # every worker sees room for one more
        gate.wait()
        trial = claim(engine, quota, total)  # ... and they all ask at once
        if trial is not None:
            kept.append((engine, trial))

    threads = [threading.Thread(target=work, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(kept) == total, [t.number for _, t in kept]
    for engine, trial in kept:
        engine.tell(trial, TrialState.COMPLETE, 0.5)
    records = engines[0].trials()
    assert [r.state for r in records] == [TrialState.COMPLETE] * total
    assert sorted(r.number for r in records) == sorted(t.number for _, t in kept)
    every = study_of(open_storage(url, heartbeat=False), "race").get_trials(deepcopy=False)
    given_back = [t for t in every if t.system_attrs.get(_optuna.GIVEN_BACK)]
    assert len(every) == workers and len(given_back) == workers - total
    assert all(t.state.name == "FAIL" for t in given_back)
    assert all(t.number > max(r.number for r in records) for t in given_back)


def test_two_workers_starting_at_once_join_one_study(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    space = load_space("mlp", CATALOG)
    open_storage(url)  # tables first, as a database server would have them
    ids: list[str] = []

    def start() -> None:
        e = make_engine(
            "optuna",
            space,
            name="race",
            direction="maximize",
            algorithm=None,
            storage=url,
            join=True,
        )
        ids.append(e.search_id)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 4 and len(set(ids)) == 1


def test_transient_failure_is_retried_and_too_big_model_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archsmith import tasks

    real_fit = tasks.fit
    calls = []

    def flaky_fit(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:  # the first attempt loses its connection
            raise ConnectionResetError("connection reset by peer")
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(tasks, "fit", flaky_fit)
    space = {
        **TINY_SPACE,
        "model": [{"dense_stack": {"layers": 1, "units": {"type": "int", "low": 4, "high": 400}}}],
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(space))
    exp = {
        "name": "flaky",
        "task": {"type": "classification", "target": "y"},
        "search": {
            "space": str(tmp_path / "s.yaml"),
            "max_trials": 4,
            "retries": 1,
            "seed": 3,
            "constraints": {"max_params": 1500},
        },
        "training": {"epochs": 1},
        "tracking": {"uri": str(tmp_path / "mlruns")},
    }
    result = run_search(exp, mixed_frame(120))
    first = result.trials[0]
    reasons = [str(t.attrs.get("reason", "")) for t in result.trials]
    assert first.state.value in ("COMPLETE", "FAILED")
    assert "ConnectionResetError" not in reasons[0]  # retried, not recorded
    too_big = [r for r in reasons if r.startswith("constraint max_params")]
    assert too_big, reasons
    assert "> 1,500" in too_big[0]
    assert "model.0.dense_stack.units=" in too_big[0]
    assert sum(t.state.value == "COMPLETE" for t in result.trials) >= 1


def test_ctrl_c_marks_the_trial_prints_a_summary_and_resumes(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from archsmith import cli
    from archsmith import console

    decl = write_search(in_tmp, "stopme", max_trials=3)
    shown = []

    def stop_on_second(result, best, done, total):  # type: ignore[no-untyped-def]
        shown.append(result.number)
        if len(shown) == 2:
            raise KeyboardInterrupt  # as if Ctrl-C came while recording the second trial

    monkeypatch.setattr(console, "print_progress", stop_on_second)
    assert cli.main(["search", str(decl)]) == 130
    err = capsys.readouterr().err
    assert "interrupted after 2 trial(s) in this run (2 complete); best so far: trial" in err
    assert f"archsmith search {decl} --resume" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    assert cli.main(["search", str(decl), "--resume", "--quiet"]) == 0
    report = doctor.check("stopme", tracking_uri=str(in_tmp / "mlruns"))
    assert report.ok, report.problems
    assert report.trials == 3
