"""``archsmith ui``: run the MLflow UI as a child process group that dies with us.

``mlflow ui`` starts a launcher that starts uvicorn (with its web workers) and, unless told
not to, a GenAI job runner (huey consumers). Killing only the launcher leaves the others
serving, so the UI runs in its own process group and every way ``archsmith ui`` ends
(SIGTERM from a process supervisor, SIGINT/Ctrl-C, SIGHUP, the launcher exiting) ends that
whole group. Only what browsing needs is started: one web worker, no job runner.

The store's URIs go to the server in its environment (``MLFLOW_BACKEND_STORE_URI``,
``MLFLOW_DEFAULT_ARTIFACT_ROOT``, which ``mlflow server`` reads and hands to its workers
the same way), never on a command line: any user of the machine can read every process's
arguments (``ps``), while a process's environment is readable only by its owner.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Environment of the UI: no GenAI job runner (scorers, judges), which browsing never uses.
UI_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true"}
#: Web worker processes (``mlflow ui`` defaults to 4).
UI_WORKERS = 1
#: Seconds the group gets to stop after SIGTERM before it is killed.
GRACE_SECONDS = 10.0

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
#: MLflow 3's UI shows every experiment in one global view, GenAI (traces, an assistant) unless
#: the browser chose "Model training" before or the link asks for it: links carry this.
TRAINING_VIEW = "workflowType=machine_learning"


def experiment_url(base: str, experiment_id: str) -> str:
    """The runs table of an experiment in MLflow's model-training view."""
    return f"{base}/#/experiments/{experiment_id}/runs?{TRAINING_VIEW}"


def experiment_links(store: Path | None, base: str, limit: int = 10) -> list[str]:
    """``name: URL`` of the newest experiments of a folder store (read from its SQLite file,
    read-only, so that the launcher stays small); [] for a server URI or a new store."""
    db = None if store is None else store / "mlflow.db"
    if db is None or not db.is_file():
        return []
    try:
        with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as con:
            rows = con.execute(
                "SELECT experiment_id, name FROM experiments WHERE lifecycle_stage = 'active' "
                "AND name != 'Default' ORDER BY creation_time DESC LIMIT ?",
                (limit,),
            ).fetchall()
    except sqlite3.Error:  # another MLflow schema: the UI lists the experiments itself
        return []
    return [f"{name}: {experiment_url(base, str(eid))}" for eid, name in rows]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(proc: subprocess.Popen[Any], grace: float = GRACE_SECONDS) -> None:
    """SIGTERM the process group of ``proc`` (its own), then SIGKILL what is left after
    ``grace`` seconds; returns when the launcher is reaped and the group is empty."""
    if _group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        proc.poll()
        if proc.returncode is not None and not _group_alive(proc.pid):
            return
        time.sleep(0.1)
    if _group_alive(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def ui_command(
    python: str, host: str, port: int, backend: str, artifacts: str | None
) -> tuple[list[str], dict[str, str]]:
    """The MLflow UI's command line and the environment that carries the store's URIs
    (which may hold a password: kept off the command line, see the module's doc)."""
    command = [python, "-m", "mlflow", "ui", "--host", host, "--port", str(port)]
    command += ["--workers", str(UI_WORKERS)]
    env = {"MLFLOW_BACKEND_STORE_URI": backend}
    if artifacts:
        env["MLFLOW_DEFAULT_ARTIFACT_ROOT"] = artifacts
    return command, env


def run_ui(command: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Run ``command`` (the MLflow UI) in a new process group until it ends or we are told
    to stop; the group is stopped in both cases. Returns 0 when stopped by a signal.
    ``env`` is added to this process's environment for it."""
    proc = subprocess.Popen(
        list(command), env={**os.environ, **UI_ENV, **(env or {})}, start_new_session=True
    )
    stopped: list[int] = []

    def handler(signum: int, frame: Any) -> None:  # no waiting here: wait() below holds a lock
        stopped.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, handler) for sig in _STOP_SIGNALS}
    try:
        code = proc.wait()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        stop_group(proc)
    return 0 if stopped else code


__all__ = [
    "GRACE_SECONDS",
    "TRAINING_VIEW",
    "UI_ENV",
    "UI_WORKERS",
    "experiment_links",
    "experiment_url",
    "run_ui",
    "stop_group",
    "ui_command",
]
