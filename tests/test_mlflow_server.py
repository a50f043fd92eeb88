"""Several machines on one search through a real MLflow tracking server.

PostgreSQL holds Optuna's study and MLflow's runs (one database each); a real
``mlflow server`` process serves the runs and proxies the artifacts into a local folder.
Three ``archsmith worker`` processes, each in its own empty working directory (as on three
machines), share a 6-trial search over HTTP; the best model is then read back through the
server by ``archsmith predict`` and ``archsmith export``, and ``archsmith doctor`` finds
the two stores consistent (these three in the test process, from a fourth empty folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mlflow.tracking import MlflowClient

from archsmith.cli import main
from conftest import ROOT
from conftest import mixed_frame
from mlflow_server import MlflowServer

TRIALS = 6

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

ENV = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "PYTHONPATH": str(ROOT / "src"),
}


@pytest.mark.long  # make test-long (CI runs it): the PostgreSQL worker test stays in make test
def test_three_workers_through_an_mlflow_server(
    pg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    optuna_url = pg.create_db("optuna_srv")
    with MlflowServer(pg.create_db("mlflow_srv"), tmp_path / "served") as server:
        project = tmp_path / "project"  # the declaration and its data, shared read-only
        project.mkdir()
        mixed_frame(120).to_csv(project / "data.csv", index=False)
        (project / "tiny.yaml").write_text(yaml.safe_dump(TINY_SPACE))
        decl = project / "served.yaml"
        decl.write_text(
            yaml.safe_dump(
                {
                    "name": "served",
                    "task": {"type": "classification", "target": "y", "metric": "accuracy"},
                    "data": {"train": "data.csv", "validation": 0.25},
                    "search": {"space": "tiny.yaml", "max_trials": TRIALS, "seed": 3},
                    "training": {"epochs": 2, "early_stopping": None},
                },
                sort_keys=False,
            )
        )
        homes = [tmp_path / f"machine{i}" for i in range(3)]
        cmd = [sys.executable, "-m", "archsmith", "worker", str(decl), "--quiet"]
        cmd += ["--storage", optuna_url, "--tracking-uri", server.uri]
        workers = []
        for home in homes:
            home.mkdir()
            workers.append(
                subprocess.Popen(
                    cmd,
                    cwd=home,
                    env={**os.environ, **ENV},
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
        outs = [w.communicate(timeout=300) for w in workers]
        for worker, (_, err) in zip(workers, outs, strict=True):
            assert worker.returncode == 0, err.decode()[-3000:] + server.log_text()[-2000:]
            assert b"Traceback" not in err
        assert sum(b"best: trial" in out for out, _ in outs) == 1
        # nothing in the workers' working directories: runs and files went to the server
        for home in homes:
            assert list(home.iterdir()) == [], list(home.iterdir())

        client = MlflowClient(tracking_uri=server.uri)
        experiment = client.get_experiment_by_name("served")
        runs = client.search_runs([experiment.experiment_id], max_results=100)
        parents = [r for r in runs if r.data.tags.get("archsmith.role") == "search"]
        children = [r for r in runs if r.data.tags.get("archsmith.role") == "trial"]
        assert len(parents) == 1 and parents[0].info.status == "FINISHED"
        parent = parents[0].info.run_id
        assert all(c.data.tags["mlflow.parentRunId"] == parent for c in children)
        numbers = sorted(int(c.data.tags["archsmith.trial"]) for c in children)
        assert numbers == list(range(TRIALS))
        assert parents[0].info.artifact_uri.startswith("mlflow-artifacts:")
        assert any((tmp_path / "served").rglob("*.keras"))  # proxied into the served folder

        client_dir = tmp_path / "client"  # a fourth machine reads the best model back
        client_dir.mkdir()
        rows = client_dir / "rows.csv"
        mixed_frame(10, seed=5).drop(columns="y").to_csv(rows, index=False)
        monkeypatch.chdir(client_dir)
        capsys.readouterr()
        assert main(["predict", "served", str(rows), "--tracking-uri", server.uri]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert lines[0] == "prediction" and len(lines) == 11
        assert set(lines[1:]) <= {"churn", "stay"}
        best = str(client_dir / "best.keras")
        assert main(["export", "served", best, "--tracking-uri", server.uri]) == 0
        assert (client_dir / "best.keras").stat().st_size > 0
        capsys.readouterr()
        doctor = ["doctor", "served", "--storage", optuna_url, "--tracking-uri", server.uri]
        assert main(doctor) == 0, capsys.readouterr()
        assert "consistent" in capsys.readouterr().out
        assert sorted(p.name for p in client_dir.iterdir()) == ["best.keras", "rows.csv"]
        assert pg.password not in server.uri


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
