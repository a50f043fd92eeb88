"""run_search end to end: MLflow layout, failure states, resume, where files go."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
import yaml
from mlflow.tracking import MlflowClient

from archsmith.engines._optuna import open_storage
from archsmith.exceptions import ArchsmithError
from archsmith.runner import run_search
from conftest import mixed_frame


def declaration(tmp: Path, **search) -> dict:
    return {
        "name": "t",
        "task": {"type": "classification", "target": "y", "metric": "roc_auc"},
        "search": {"max_trials": 3, **search},
        "training": {"epochs": 3, "early_stopping": {"patience": 2}},
        "tracking": {"uri": str(tmp / "mlruns")},
    }


def runs(tmp: Path, experiment: str = "t") -> tuple[list, list]:
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp / 'mlruns' / 'mlflow.db'}")
    exp = client.get_experiment_by_name(experiment)
    all_runs = client.search_runs([exp.experiment_id])
    parents = [r for r in all_runs if r.data.tags.get("archsmith.role") == "search"]
    children = [r for r in all_runs if r.data.tags.get("archsmith.role") == "trial"]
    return parents, children


def studies(tmp: Path) -> list[optuna.study.StudySummary]:
    return optuna.get_all_study_summaries(optuna_storage(tmp))


def optuna_storage(tmp: Path):  # type: ignore[no-untyped-def]
    """The default engine storage of a search tracked in ``tmp/mlruns``."""
    return open_storage(str(tmp / "mlruns" / "optuna.journal"))


def test_three_trials_land_in_mlflow_as_one_parent_and_three_children(tmp_path: Path) -> None:
    result = run_search(declaration(tmp_path), mixed_frame())
    parents, children = runs(tmp_path)
    assert len(parents) == 1 and len(children) == 3
    parent = parents[0]
    assert parent.info.run_id == result.run_id
    assert parent.info.status == "FINISHED"
    assert parent.data.params["engine"] == "optuna"
    assert parent.data.params["dataset_fingerprint"] == result.dataset.fingerprint
    client = MlflowClient(tracking_uri=result.tracking_uri)
    files = {a.path for a in client.list_artifacts(parent.info.run_id)}
    assert {"declaration.yaml", "leaderboard.csv", "spaces", "model"} <= files
    assert (
        yaml.safe_load(
            Path(
                client.download_artifacts(parent.info.run_id, "declaration.yaml", str(tmp_path))
            ).read_text()
        )["task"]["metric"]
        == "roc_auc"
    )
    model_files = {Path(a.path).name for a in client.list_artifacts(parent.info.run_id, "model")}
    assert {"MLmodel", "input_example.json"} <= model_files

    numbers = set()
    for child in children:
        assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert child.data.tags["archsmith.state"] == "COMPLETE"
        assert child.info.status == "FINISHED"
        params = child.data.params
        assert "model.0.dense_stack.units" in params and "optimizer.learning_rate" in params
        assert params["family"] == "mlp"
        metrics = child.data.metrics
        assert 0 <= metrics["score"] <= 1
        assert metrics["params_count"] > 0 and metrics["fit_seconds"] > 0
        assert "val.accuracy" in metrics
        history = client.get_metric_history(child.info.run_id, "val_loss")
        assert [m.step for m in history] == list(range(int(metrics["epochs"])))
        numbers.add(int(child.data.tags["archsmith.trial"]))
    assert numbers == {0, 1, 2}
    # the same dotted names in Optuna
    study = optuna.load_study(study_name=result.search_id, storage=optuna_storage(tmp_path))
    for trial in study.trials:
        assert set(trial.params) <= set(children[0].data.params) | set(
            c for ch in children for c in ch.data.params
        )


def test_failed_trials_are_recorded_and_the_search_goes_on(tmp_path: Path, monkeypatch) -> None:
    from archsmith.builders import _tabular

    calls = {"n": 0}
    real = _tabular.BLOCKS["dense_stack"]

    def every_other(x, **kwargs):
        calls["n"] += 1
        if calls["n"] % 2 == 1:
            raise RuntimeError("injected build failure")
        return real(x, **kwargs)

    monkeypatch.setitem(_tabular.BLOCKS, "dense_stack", every_other)
    # the injected failures are the trials': no build check before trial 0 to count calls
    result = run_search(declaration(tmp_path, max_trials=4, build_check="off"), mixed_frame())
    states = [r.state.value for r in result.trials]
    assert states == ["FAILED", "COMPLETE", "FAILED", "COMPLETE"]
    assert "injected build failure" in result.trials[0].attrs["reason"]
    _, children = runs(tmp_path)
    failed = [c for c in children if c.data.tags["archsmith.state"] == "FAILED"]
    assert len(failed) == 2
    assert all(c.info.status == "FAILED" for c in failed)
    assert all("injected build failure" in c.data.tags["archsmith.reason"] for c in failed)
    study = optuna.load_study(study_name=result.search_id, storage=optuna_storage(tmp_path))
    assert [t.state.name for t in study.trials] == ["FAIL", "COMPLETE", "FAIL", "COMPLETE"]


def test_nan_loss_fails_trials_with_a_reason_and_all_failed_is_reported(tmp_path: Path) -> None:
    space = tmp_path / "explode.yaml"
    space.write_text(
        "name: explode\n"
        "model:\n"
        "  - dense_stack: {layers: 3, units: {type: int, low: 64, high: 128}, activation: linear}\n"
        "optimizer: {name: sgd, learning_rate: 10.0, momentum: 0.99}\n"
    )
    exp = declaration(tmp_path, max_trials=2, space=[str(space)])
    exp["task"] = {"type": "regression", "target": "income"}
    exp["training"]["epochs"] = 8
    with pytest.raises(ArchsmithError, match=r"no trial of search 't' completed.*NaN"):
        run_search(exp, mixed_frame())
    parents, children = runs(tmp_path)
    assert len(parents) == 1 and len(children) == 2
    assert all(c.data.tags["archsmith.state"] == "FAILED" for c in children)
    assert all("NaN" in c.data.tags["archsmith.reason"] for c in children)
    study = studies(tmp_path)[0]
    trials = optuna.load_study(study_name=study.study_name, storage=optuna_storage(tmp_path)).trials
    assert [t.state.name for t in trials] == ["FAIL", "FAIL"]
    assert all("NaN" in t.user_attrs["reason"] for t in trials)


def test_resume_keeps_completed_trials_and_runs_only_the_rest(tmp_path: Path) -> None:
    exp = declaration(tmp_path, max_trials=4)
    seen = []

    def stop_after_two(result, best, done, total):
        seen.append(result)
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_search(exp, mixed_frame(), progress=stop_after_two)
    # a process killed mid-trial leaves a RUNNING trial in Optuna and in MLflow
    from archsmith.builders import CATALOG
    from archsmith.engines import make_engine
    from archsmith.search_space import load_space
    from archsmith.tracking import MlflowTracker

    storage = str(tmp_path / "mlruns" / "optuna.journal")
    engine = make_engine(
        "optuna",
        load_space("mlp", CATALOG),
        name="t",
        direction="maximize",
        algorithm=None,
        storage=storage,
        resume=True,
    )
    stale = engine.ask()
    tracker = MlflowTracker(str(tmp_path / "mlruns"))
    tracker.start_trial(engine.get_metadata()["mlflow_run_id"], stale.number, stale.params)

    before = {t.number: (t.value, t.params) for t in engine.trials() if t.value is not None}
    result = run_search(exp, mixed_frame(), resume=True)
    after = {t.number: (t.value, dict(t.params)) for t in result.trials}
    assert len(before) == 2
    for number, (value, params) in before.items():  # completed trials kept as they were
        assert after[number] == (value, dict(params))
    states = {t.number: t.state.value for t in result.trials}
    assert states[stale.number] == "FAILED"
    assert [s for s in states.values()].count("COMPLETE") == 4
    assert len(result.new_trials) == 2
    assert len(studies(tmp_path)) == 1
    parents, children = runs(tmp_path)
    assert len(parents) == 1 and len(children) == 5
    assert parents[0].info.status == "FINISHED"
    stale_run = next(c for c in children if c.data.tags["archsmith.trial"] == str(stale.number))
    assert stale_run.info.status == "FAILED"
    assert "interrupted" in stale_run.data.tags["archsmith.reason"]


def test_resume_closes_a_trial_run_whose_background_end_write_was_lost(tmp_path: Path) -> None:
    from archsmith.runner import WRITES_LOST_TAG

    exp = declaration(tmp_path, max_trials=2)
    first = run_search(exp, mixed_frame())
    _, children = runs(tmp_path)
    assert len(children) == 2
    assert all(c.info.status == "FINISHED" for c in children)  # every write landed
    # the process stopped after telling the engine, before the trial's end reached MLflow
    trial = first.trials[1]
    run_id = trial.attrs["mlflow_run_id"]
    client = MlflowClient(tracking_uri=first.tracking_uri)
    client.update_run(run_id, status="RUNNING")
    client.set_tag(run_id, "archsmith.state", "RUNNING")

    result = run_search(exp, mixed_frame(), resume=True)
    assert len(result.new_trials) == 0
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.tags["archsmith.state"] == "COMPLETE"
    assert run.data.tags[WRITES_LOST_TAG] == "1"
    assert run.data.metrics["score"] == pytest.approx(trial.value)
    others = [c for c in runs(tmp_path)[1] if c.info.run_id != run_id]
    assert all(WRITES_LOST_TAG not in c.data.tags for c in others)


def test_a_seeded_search_trains_its_trials_the_same_way_again(tmp_path: Path) -> None:
    exp = declaration(tmp_path / "a", max_trials=2, seed=7)
    first = run_search(exp, mixed_frame())
    again = run_search(declaration(tmp_path / "b", max_trials=2, seed=7), mixed_frame())
    assert [t.params for t in first.trials] == [t.params for t in again.trials]
    assert [t.value for t in first.trials] == pytest.approx([t.value for t in again.trials])
    scores = [r.scores["log_loss"] for r in first.new_trials]
    assert scores == pytest.approx([r.scores["log_loss"] for r in again.new_trials], rel=1e-5)


def test_resume_without_an_earlier_search_is_a_clear_error(tmp_path: Path) -> None:
    from archsmith.exceptions import SpecError

    with pytest.raises(SpecError, match="no earlier search named 't' to resume"):
        run_search(declaration(tmp_path), mixed_frame(), resume=True)


def test_nothing_is_written_outside_mlruns(in_tmp: Path) -> None:
    frame = mixed_frame()
    exp = declaration(in_tmp, max_trials=1)
    exp["tracking"] = {"uri": "mlruns"}
    run_search(exp, frame)
    assert sorted(p.name for p in in_tmp.iterdir()) == ["mlruns"]
    # mlflow.db-wal / -shm: SQLite's write-ahead log while the store is open
    names = {p.name for p in (in_tmp / "mlruns").iterdir()} - {"mlflow.db-wal", "mlflow.db-shm"}
    assert names == {"mlflow.db", "optuna.journal", "artifacts"}


def test_tracker_leaves_global_mlflow_state_alone(tmp_path: Path) -> None:
    import mlflow

    before = mlflow.get_tracking_uri()
    run_search(declaration(tmp_path, max_trials=1), mixed_frame())
    assert mlflow.get_tracking_uri() == before
    assert mlflow.active_run() is None


def test_awkward_column_names_and_minimised_metric_order(tmp_path: Path) -> None:
    """Columns named like internal layers or inputs, or with "/", build; rmse is ascending."""
    frame = mixed_frame().rename(columns={"age": "numeric", "income": "od280/od315"})
    frame["archsmith_numeric"] = frame["city"]
    frame["features"] = frame["member"].astype(float)
    exp = declaration(tmp_path, max_trials=3)
    exp["task"] = {"type": "regression", "target": "od280/od315", "metric": "rmse"}
    result = run_search(exp, frame)
    states = [r.state.value for r in result.trials]
    assert states == ["COMPLETE"] * 3, [r.attrs.get("reason") for r in result.trials]
    scores = list(result.leaderboard["score"])
    assert scores == sorted(scores) and scores[0] == result.best.value
    # the best model is read from the store, not from a temporary copy
    assert str(result.model_path).startswith(str(tmp_path / "mlruns" / "artifacts"))


def test_time_budget_stops_the_running_trial_and_starts_no_other(tmp_path: Path) -> None:
    exp = declaration(tmp_path, max_trials=5, time_budget="3s")
    exp["training"] = {"epochs": 500, "early_stopping": None}
    result = run_search(exp, mixed_frame())
    assert len(result.trials) == 1  # no trial starts after the budget
    _, children = runs(tmp_path)
    assert children[0].data.tags["archsmith.stopped_by"] == "time_budget"
    assert 0 < children[0].data.metrics["epochs"] < 500
    assert children[0].data.tags["archsmith.state"] == "COMPLETE"
