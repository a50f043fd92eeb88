"""Trials per minute for 1, 2 and 4 ``archsmith worker`` processes on one search.

Usage: python benchmarks/scale_out.py [--trials 16] [--workers 1 2 4]

Starts a throwaway PostgreSQL server on 127.0.0.1 (``tests/postgres.py``; installs it with
apt-get when missing and running as root), and for each worker count runs that many
``archsmith worker`` processes on a fresh search (Optuna and MLflow each in a database of
the server), every process pinned to one thread (TF_NUM_INTRAOP_THREADS=1,
TF_NUM_INTEROP_THREADS=1, OMP_NUM_THREADS=1). Throughput is the number of finished trials
divided by the time from the first trial's start to the last trial's end (from Optuna's
timestamps); the wall time including process start-up is printed too.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from kill_resume import ENV  # noqa: E402
from kill_resume import SPACE  # noqa: E402


def run(pg, workers: int, trials: int, folder: Path) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    import optuna

    from archsmith.engines._optuna import open_storage
    from conftest import mixed_frame

    optuna_url = pg.create_db(f"optuna_{workers}")
    mlflow_url = pg.create_db(f"mlflow_{workers}")
    mixed_frame(300).to_csv(folder / "data.csv", index=False)
    (folder / "small.yaml").write_text(yaml.safe_dump(SPACE))
    decl = folder / f"scale{workers}.yaml"
    decl.write_text(
        yaml.safe_dump(
            {
                "name": f"scale{workers}",
                "task": {"type": "classification", "target": "y"},
                "data": {"train": "data.csv"},
                "search": {"space": "small.yaml", "max_trials": trials, "storage": optuna_url},
                "training": {"epochs": 6, "early_stopping": None},
                "tracking": {"uri": mlflow_url},
            }
        )
    )
    cmd = [sys.executable, "-m", "archsmith", "worker", str(decl), "--quiet"]
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            cmd, cwd=folder, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"worker failed: {err.decode()[-2000:]}")
    wall = time.perf_counter() - start
    storage = open_storage(optuna_url, heartbeat=False)
    (summary,) = optuna.get_all_study_summaries(storage, False)
    study = optuna.load_study(study_name=summary.study_name, storage=storage)
    done = [t for t in study.get_trials(deepcopy=False) if t.datetime_complete]
    span = (
        max(t.datetime_complete for t in done) - min(t.datetime_start for t in done)
    ).total_seconds()
    return span, wall, len(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    from postgres import Cluster

    cores = os.cpu_count()
    print(f"{args.trials} trials per search; {cores} CPU cores; one thread per worker")
    print(
        f"{'workers':>7} {'trials':>6} {'span s':>7} {'trials/min':>10} {'wall s':>7} "
        f"{'speed-up':>8}"
    )
    base = None
    with Cluster() as pg:
        for workers in args.workers:
            folder = Path(tempfile.mkdtemp(prefix=f"archsmith-scale{workers}-"))
            span, wall, done = run(pg, workers, args.trials, folder)
            rate = done / span * 60
            base = base or rate
            print(
                f"{workers:>7} {done:>6} {span:>7.1f} {rate:>10.1f} {wall:>7.1f} "
                f"{rate / base:>7.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
