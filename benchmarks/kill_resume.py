"""Kill a search with SIGKILL at random moments, resume it each time, count what was lost.

Usage: python benchmarks/kill_resume.py [--kills 20] [--seed 0] [--storage URL]

Runs ``archsmith search FILE`` on a small table (first without, then with ``--resume``),
sends SIGKILL at a random moment, and repeats ``--kills`` times (20 by default); then
resumes once more and lets the search finish. Kills 1, 4, 7, … come a random 0.5-8 s
after the process starts (start-up: imports, opening the stores, reconciling); kills 2,
5, 8, … a random 0-12 s after the process has started a new trial (building, training);
kills 3, 6, 9, … a random 0-2 s (``--after-trial``) after a trial has completed in the
engine (the background tracking writes, saving the best model, the next trial's start),
so every phase is hit whatever the machine's speed. After every kill it snapshots the
COMPLETE trials in the engine storage. At the end it prints:

- completed trials lost: trials seen COMPLETE in a snapshot that are not COMPLETE with the
  same value at the end (must be 0);
- trials left RUNNING: in Optuna and in MLflow after the final resume (must be 0);
- Optuna/MLflow mismatches: problems reported by ``archsmith doctor`` (must be 0).

Each worker process is pinned to one thread. Everything lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
ENV = {
    **os.environ,
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
}
SPACE = {
    "name": "small",
    "for": ["tabular"],
    "model": [
        {
            "dense_stack": {
                "layers": {"type": "int", "low": 1, "high": 2},
                "units": {"type": "int", "low": 8, "high": 32},
            }
        }
    ],
    "optimizer": {
        "name": "adam",
        "learning_rate": {"type": "float", "low": 1e-3, "high": 1e-1, "log": True},
    },
    "batch_size": 32,
}


def setup(folder: Path, max_trials: int, storage: str | None) -> Path:
    from conftest import mixed_frame

    mixed_frame(300).to_csv(folder / "data.csv", index=False)
    (folder / "small.yaml").write_text(yaml.safe_dump(SPACE))
    search = {"space": "small.yaml", "max_trials": max_trials, "seed": 0}
    if storage:
        search["storage"] = storage
    decl = {
        "name": "killme",
        "task": {"type": "classification", "target": "y"},
        "data": {"train": "data.csv"},
        "search": search,
        "training": {"epochs": 3, "early_stopping": None},
        "tracking": {"uri": str(folder / "mlruns")},
    }
    path = folder / "killme.yaml"
    path.write_text(yaml.safe_dump(decl, sort_keys=False))
    return path


def snapshot(storage: str) -> tuple[bool, dict[int, float], int, int]:
    """(study exists, COMPLETE {number: value}, RUNNING count, trials) of the study."""
    import optuna

    from archsmith.engines._optuna import open_storage

    store = open_storage(storage, heartbeat=False)
    names = [
        s
        for s in optuna.get_all_study_summaries(store, False)
        if s.study_name.startswith("killme/")
    ]
    if not names:
        return False, {}, 0, 0
    study = optuna.load_study(study_name=names[0].study_name, storage=store)
    trials = study.get_trials(deepcopy=False)
    done = {t.number: float(t.value) for t in trials if t.state.name == "COMPLETE"}
    return True, done, sum(t.state.name == "RUNNING" for t in trials), len(trials)


def state(storage: str) -> tuple[bool, dict[int, float], int, int]:
    if "://" in storage or Path(storage).exists():
        return snapshot(storage)
    return False, {}, 0, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-trials", type=int, default=20)
    parser.add_argument("--min-delay", type=float, default=0.5)
    parser.add_argument("--max-delay", type=float, default=8.0)
    parser.add_argument("--in-trial", type=float, default=12.0)
    parser.add_argument(
        "--after-trial",
        type=float,
        default=2.0,
        help="kills 3, 6, 9, ... come a random 0..this many seconds after a trial completed",
    )
    parser.add_argument("--storage", default=None, help="engine storage (default: journal)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="archsmith-kill-"))
    decl = setup(folder, args.max_trials, args.storage)
    storage = args.storage or str(folder / "mlruns" / "optuna.journal")
    (folder / "mlruns").mkdir(exist_ok=True)
    seen: dict[int, float] = {}
    start = time.time()
    print(
        f"{args.kills} SIGKILLs at random moments (start-up, in a trial, after a trial); "
        f"max_trials={args.max_trials}; folder {folder}",
        flush=True,
    )
    for kill in range(1, args.kills + 1):
        exists, _, _, total = state(storage)
        cmd = [sys.executable, "-m", "archsmith", "search", str(decl), "--quiet"]
        if exists:
            cmd.append("--resume")
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        began = time.monotonic()
        if kill % 3 == 2:  # wait for a new trial, then a random moment inside it
            while time.monotonic() - began < 120 and proc.poll() is None:
                if state(storage)[3] > total:
                    break
                time.sleep(0.2)
            delay = rng.uniform(0.0, args.in_trial)
        elif kill % 3 == 0:  # wait for one more COMPLETE trial, then kill right after it
            complete = len(state(storage)[1])
            while time.monotonic() - began < 180 and proc.poll() is None:
                if len(state(storage)[1]) > complete:
                    break
                time.sleep(0.1)
            delay = rng.uniform(0.0, args.after_trial)
        else:
            delay = rng.uniform(args.min_delay, args.max_delay)
        try:
            proc.wait(timeout=delay)
            status = f"exited {proc.returncode} before the kill"
            if proc.returncode not in (0,):
                err = proc.stderr.read().decode() if proc.stderr else ""
                status += f": {err.strip().splitlines()[-1] if err.strip() else ''}"
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            status = "killed"
        if proc.stderr:
            proc.stderr.close()
        _, done, running, _ = state(storage)
        seen.update(done)
        print(
            f"kill {kill:>2}: at {time.monotonic() - began:5.2f} s {status}; {len(done)} complete, "
            f"{running} running in Optuna",
            flush=True,
        )
    final = subprocess.run(
        [sys.executable, "-m", "archsmith", "search", str(decl), "--quiet", "--resume"],
        env=ENV,
        capture_output=True,
        text=True,
    )
    print(f"final resume: exit {final.returncode}")
    if final.returncode:
        print(final.stderr[-2000:])

    from mlflow.tracking import MlflowClient

    from archsmith import doctor
    from archsmith.tracking import store_uris

    _, done, running, _ = state(storage)
    lost = [n for n, v in seen.items() if done.get(n) != v]
    client = MlflowClient(tracking_uri=store_uris(str(folder / "mlruns"))[0])
    exp = client.get_experiment_by_name("killme")
    runs = client.search_runs([exp.experiment_id], max_results=5000)
    mlflow_running = [r for r in runs if r.info.status == "RUNNING"]
    report = doctor.check("killme", tracking_uri=str(folder / "mlruns"), storage=storage)
    print(
        f"\ntrials in the search: {report.trials} ({len(done)} complete); "
        f"MLflow trial runs: {report.runs}; wall {time.time() - start:.0f} s"
    )
    print(f"completed trials lost:     {len(lost)}  {lost if lost else ''}")
    print(f"trials left RUNNING:       {running} in Optuna, {len(mlflow_running)} in MLflow")
    print(f"Optuna/MLflow mismatches:  {len(report.problems)}")
    closed = [r for r in runs if r.data.tags.get("archsmith.tracking_writes_lost")]
    print(f"runs closed from Optuna's record on resume (end write lost): {len(closed)}")
    for problem in report.problems:
        print(f"  {problem}")
    ok = not lost and not running and not mlflow_running and report.ok
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
