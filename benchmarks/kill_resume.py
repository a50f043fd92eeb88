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

``--matrix`` runs the crash matrix instead: for each signal (SIGKILL, SIGTERM) and each
phase, ``--kills`` kills (3 by default) on a small search, then a final ``--resume``:

- ``start-up``: 0.5-8 s after the process starts;
- ``in-trial``: 0-``--in-trial`` s after a new trial appeared in the engine storage;
- ``after-trial``: 0-``--after-trial`` s after a trial completed in the engine;
- ``summary``: 0-``--summary`` s after the last trial finished in the engine (the final
  evaluation, leaderboard and model being written); a fresh search per kill;
- ``claim``: three ``archsmith worker`` processes share the search; each kill hits the
  worker that has just asked for a trial (named by the trial's ``archsmith:worker``),
  0-0.3 s after the trial appeared (the worker's claim: ask, the budget check, opening
  the trial's MLflow run); the surviving workers finish the search.

and prints one row per cell: completed trials lost, trials or runs left RUNNING (Optuna /
MLflow, the parent run included), Optuna/MLflow mismatches (``archsmith doctor``) and
trials over ``max_trials`` (target 0 each).
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
from typing import Any

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


def setup(folder: Path, max_trials: int, storage: str | None, epochs: int = 3) -> Path:
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
        "training": {"epochs": epochs, "early_stopping": None},
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


def _study(storage: str) -> Any:
    import optuna

    from archsmith.engines._optuna import open_storage

    store = open_storage(storage, heartbeat=False)
    names = [
        s.study_name
        for s in optuna.get_all_study_summaries(store, False)
        if s.study_name.startswith("killme/")
    ]
    if not names:
        return None
    return optuna.load_study(study_name=sorted(names)[-1], storage=store)


def counted(storage: str) -> list[Any]:
    """The trials of the search that count against max_trials (not the given-back ones)."""
    from archsmith.engines._optuna import GIVEN_BACK

    if "://" not in storage and not Path(storage).exists():
        return []
    study = _study(storage)
    if study is None:
        return []
    return [t for t in study.get_trials(deepcopy=False) if not t.system_attrs.get(GIVEN_BACK)]


def _stop(proc: subprocess.Popen[bytes], sig: int) -> str:
    """Send ``sig``; a SIGTERMed process gets 60 s to stop before a SIGKILL."""
    proc.send_signal(sig)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "did not stop on SIGTERM within 60 s"
    return "killed"


def _wait_for(pred: Any, proc: subprocess.Popen[bytes], timeout: float, step: float = 0.1) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None and not pred():
        time.sleep(step)


def _records(trials: list[Any]) -> list[Any]:
    from archsmith.engines import TrialRecord
    from archsmith.engines._optuna import _STATES

    return [
        TrialRecord(t.number, _STATES[t.state.name], t.value, dict(t.params), dict(t.user_attrs))
        for t in trials
    ]


def _measure(folder: Path, storage: str, seen: dict[int, float], max_trials: int) -> dict[str, int]:
    from mlflow.tracking import MlflowClient

    from archsmith import doctor
    from archsmith.runner._records import finished
    from archsmith.tracking import store_uris

    trials = counted(storage)
    done = {t.number: float(t.value) for t in trials if t.state.name == "COMPLETE"}
    client = MlflowClient(tracking_uri=store_uris(str(folder / "mlruns"))[0])
    exp = client.get_experiment_by_name("killme")
    runs = client.search_runs([exp.experiment_id], max_results=5000) if exp else []
    try:
        problems = len(doctor.check("killme", tracking_uri=str(folder / "mlruns")).problems)
    except Exception as exc:  # no search run at all: that is a problem too
        print(f"  doctor: {type(exc).__name__}: {exc}")
        problems = 1
    return {
        "lost": sum(done.get(n) != v for n, v in seen.items()),
        "running_optuna": sum(t.state.name in ("RUNNING", "WAITING") for t in trials),
        "running_mlflow": sum(r.info.status == "RUNNING" for r in runs),
        "mismatches": problems,
        # what counts against max_trials (a trial cut short by a signal does not: --resume
        # and the other workers run another in its place)
        "over_budget": max(0, finished(_records(trials)) - max_trials),
    }


def _search_cell(sig: int, phase: str, args: argparse.Namespace, rng: random.Random) -> dict:
    """Kills of ``archsmith search`` at one phase, then a final --resume (per folder)."""
    folders: list[tuple[Path, dict[int, float]]] = []
    landed = 0
    for kill in range(args.kills):
        if phase == "summary" or not folders:
            folder = Path(tempfile.mkdtemp(prefix="archsmith-matrix-"))
            (folder / "mlruns").mkdir()
            setup(folder, args.cell_trials, None, epochs=2)
            folders.append((folder, {}))
        folder, seen = folders[-1]
        storage = str(folder / "mlruns" / "optuna.journal")
        before = counted(storage)
        cmd = [sys.executable, "-m", "archsmith", "search", str(folder / "killme.yaml"), "--quiet"]
        if before:
            cmd.append("--resume")
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if phase == "start-up":
            delay = rng.uniform(args.min_delay, args.max_delay)
        elif phase == "in-trial":
            _wait_for(lambda: len(counted(storage)) > len(before), proc, 300)  # noqa: B023
            delay = rng.uniform(0.0, args.in_trial)
        elif phase == "after-trial":
            complete = sum(t.state.name == "COMPLETE" for t in before)
            _wait_for(
                lambda: (
                    sum(t.state.name == "COMPLETE" for t in counted(storage))  # noqa: B023
                    > complete  # noqa: B023
                ),
                proc,
                300,
            )
            delay = rng.uniform(0.0, args.after_trial)
        else:  # summary: every trial finished in the engine

            def all_done() -> bool:
                trials = counted(storage)  # noqa: B023
                return len(trials) >= args.cell_trials and all(
                    t.state.name not in ("RUNNING", "WAITING") for t in trials
                )

            _wait_for(all_done, proc, 600, step=0.05)
            delay = rng.uniform(0.0, args.summary)
        try:
            proc.wait(timeout=delay)
            status = f"exited {proc.returncode} before the signal"
        except subprocess.TimeoutExpired:
            status = _stop(proc, sig)
            landed += 1
        if proc.stderr:
            err = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
            if "Traceback" in err:
                print("  raw traceback:", err.strip().splitlines()[-1])
        seen.update(
            {t.number: float(t.value) for t in counted(storage) if t.state.name == "COMPLETE"}
        )
        print(f"  {phase} kill {kill + 1}: {status}", flush=True)
    totals: dict[str, int] = {}
    for folder, seen in folders:
        command = [sys.executable, "-m", "archsmith", "search", str(folder / "killme.yaml")]
        final = subprocess.run(
            [*command, "--quiet", "--resume"], env=ENV, capture_output=True, text=True
        )
        if final.returncode and "run it without --resume first" in final.stderr:
            # killed before the search existed: nothing to resume; the error says what to do
            print("  nothing to resume (killed before the search began); run it anew")
            final = subprocess.run([*command, "--quiet"], env=ENV, capture_output=True, text=True)
        if final.returncode:
            print(f"  final resume exit {final.returncode}: {final.stderr.strip()[-500:]}")
        storage = str(folder / "mlruns" / "optuna.journal")
        for key, value in _measure(folder, storage, seen, args.cell_trials).items():
            totals[key] = totals.get(key, 0) + value
    return {"landed": landed, **totals}


def _worker_cell(sig: int, args: argparse.Namespace, rng: random.Random) -> dict:
    """Three workers on one search; each kill hits the worker that just asked for a trial."""
    folder = Path(tempfile.mkdtemp(prefix="archsmith-matrix-"))
    (folder / "mlruns").mkdir()
    decl = setup(folder, args.cell_trials + 2, None, epochs=2)
    storage = str(folder / "mlruns" / "optuna.journal")
    cmd = [sys.executable, "-m", "archsmith", "worker", str(decl), "--quiet"]
    procs = {}
    for _ in range(args.kills + 1):
        proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs[proc.pid] = proc
        time.sleep(0.5)
    seen: dict[int, float] = {}
    landed = 0
    known = 0
    end = time.monotonic() + 900
    while landed < args.kills and time.monotonic() < end:
        trials = counted(storage)
        seen.update({t.number: float(t.value) for t in trials if t.state.name == "COMPLETE"})
        if len(trials) > known:
            newest = max(trials, key=lambda t: t.number)
            known = len(trials)
            pid = int(str(newest.system_attrs.get("archsmith:worker", "x:0")).split(":")[1])
            victim = procs.get(pid)
            if victim is not None and victim.poll() is None:
                time.sleep(rng.uniform(0.0, 0.3))
                status = _stop(victim, sig)
                landed += 1
                print(f"  claim kill {landed}: trial {newest.number}, worker {pid}: {status}")
        if all(p.poll() is not None for p in procs.values()):
            break
        time.sleep(0.05)
    for proc in procs.values():
        proc.wait(timeout=900)
    # a trial whose worker died after every other worker had left is settled by the next
    # worker to start (or --resume): the documented recovery, as the search cells' resume
    subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen.update({t.number: float(t.value) for t in counted(storage) if t.state.name == "COMPLETE"})
    return {"landed": landed, **_measure(folder, storage, seen, args.cell_trials + 2)}


def matrix(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    rows = []
    start = time.time()
    for name in args.signals.split(","):
        sig = getattr(signal, name)
        for phase in args.phases.split(","):
            print(f"{name} during {phase}", flush=True)
            cell = (
                _worker_cell(sig, args, rng)
                if phase == "claim"
                else _search_cell(sig, phase, args, rng)
            )
            rows.append((name, phase, cell))
    print(
        f"\ncrash matrix ({args.kills} kills a cell, {args.cell_trials} trials a search; "
        f"wall {time.time() - start:.0f} s)"
    )
    print(
        "| signal | phase | signals landed | completed lost | RUNNING left (Optuna / MLflow) "
        "| Optuna/MLflow mismatches | over max_trials |"
    )
    print("|---|---|---|---|---|---|---|")
    bad = 0
    for name, phase, c in rows:
        print(
            f"| {name} | {phase} | {c['landed']} | {c['lost']} | {c['running_optuna']} / "
            f"{c['running_mlflow']} | {c['mismatches']} | {c['over_budget']} |"
        )
        bad += c["lost"] + c["running_optuna"] + c["running_mlflow"] + c["mismatches"]
        bad += c["over_budget"]
    print("OK" if bad == 0 else "FAILED")
    sys.exit(0 if bad == 0 else 1)


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
    parser.add_argument("--matrix", action="store_true", help="the crash matrix (see above)")
    parser.add_argument("--phases", default="start-up,in-trial,after-trial,summary,claim")
    parser.add_argument("--signals", default="SIGKILL,SIGTERM")
    parser.add_argument("--cell-trials", type=int, default=3, help="max_trials of a matrix search")
    parser.add_argument("--summary", type=float, default=3.0)
    args = parser.parse_args()
    if args.matrix:
        args.kills = args.kills if args.kills != 20 else 3
        matrix(args)
        return
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
