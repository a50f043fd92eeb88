"""``archsmith ui`` under a process supervisor: SIGTERM stops the MLflow server it started
and every process that server started (web workers, job runner), and only what browsing
needs is started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archsmith.ui import run_ui
from conftest import ROOT
from mlflow_server import free_port
from mlflow_server import wait_healthy

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def rss_mb(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _serve(tmp: Path, **more_env: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MLFLOW_DISABLE_TELEMETRY": "true"}
    env.update(more_env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "archsmith", "ui", "--port", str(port)],
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_healthy(proc, port, 120)
    return proc, port


def _secret_store(pg) -> str:  # type: ignore[no-untyped-def]
    """A PostgreSQL store whose URI holds the password ``secret-…``."""
    import psycopg

    secret = "secret-" + os.urandom(4).hex()
    with psycopg.connect(pg.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE ui_reader LOGIN PASSWORD '{secret}'")
        conn.execute("CREATE DATABASE ui_store OWNER ui_reader")
    return pg.url("ui_store").replace(f"archsmith:{pg.password}@", f"ui_reader:{secret}@")


def test_sigterm_stops_the_mlflow_server_and_its_children(pg, tmp_path: Path) -> None:
    # ``ps`` shows every user each process's arguments: the store URI (with its password)
    # goes to the MLflow server in its environment, readable by its owner only; archsmith
    # itself takes it from ARCHSMITH_TRACKING_URI
    proc, _ = _serve(tmp_path, ARCHSMITH_TRACKING_URI=_secret_store(pg))
    try:
        below = descendants(proc.pid)
        for pid in below | {proc.pid}:  # no process started holds the password in its argv
            argv = (Path("/proc") / str(pid) / "cmdline").read_bytes()
            assert b"secret" not in argv, argv.replace(b"\0", b" ")
        # launcher + one uvicorn worker process tree; no huey job runner
        assert below, "no MLflow server process"
        commands = [
            (Path("/proc") / str(p) / "cmdline").read_bytes().replace(b"\0", b" ") for p in below
        ]
        assert not [c for c in commands if b"huey" in c], commands
        print(f"\nui processes: {len(below) + 1}, RSS {rss_mb(below | {proc.pid}):.0f} MB")
        proc.send_signal(signal.SIGTERM)  # the supervisor signals archsmith only
        assert proc.wait(timeout=30) == 0
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(p) for p in below):
            time.sleep(0.2)
        assert not [p for p in below if alive(p)], "MLflow server processes left running"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in descendants(proc.pid):
            os.kill(pid, signal.SIGKILL)


def test_run_ui_stops_the_group_when_the_launcher_ends(tmp_path: Path) -> None:
    # a launcher that leaves a grandchild behind when it exits
    marker = tmp_path / "pid"
    script = (
        "import subprocess, sys; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        f"open({str(marker)!r}, 'w').write(str(p.pid))"
    )
    assert run_ui([sys.executable, "-c", script]) == 0
    orphan = int(marker.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and alive(orphan):
        time.sleep(0.1)
    assert not alive(orphan)
