"""A throwaway PostgreSQL server for tests and benchmarks.

Finds the server binaries (``/usr/lib/postgresql/*/bin``, then ``PATH``); on a fresh
Debian/Ubuntu machine without them, running as root, installs them with
``apt-get install -y postgresql``. The cluster lives in a temporary folder, listens on a
free port of 127.0.0.1 only, requires a password, and runs as a non-root user (``initdb``
refuses root): ``postgres`` when it exists, else a system user created for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing and cannot be installed here."""


def server_bin(install: bool = True) -> Path:
    """Folder holding ``initdb`` and ``pg_ctl``, installing PostgreSQL when allowed."""
    for _ in range(2):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
        if found:
            return Path(found[0]).parent
        which = shutil.which("initdb")
        if which:
            return Path(which).parent
        if not install or os.geteuid() != 0 or not shutil.which("apt-get"):
            break
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        # test processes (pytest-xdist) may get here together: one installs, others wait
        with open(os.path.join(tempfile.gettempdir(), "archsmith-pg-install.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
                subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
                subprocess.run(
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
                    check=True,
                    env=env,
                )
        install = False
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install the 'postgresql' "
        "package (done automatically when running as root on Debian/Ubuntu)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as(user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--"] if user else []


def _user() -> str | None:
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(subprocess.CalledProcessError):
        subprocess.run(["id", "postgres"], check=True, capture_output=True)
        return "postgres"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "archsmith-pg"], check=True, capture_output=True
    )
    return "archsmith-pg"


class Cluster:
    """A running PostgreSQL cluster; ``url(db)`` gives a database URL with the password.

    Example:
        >>> with Cluster() as pg:  # doctest: +SKIP
        ...     url = pg.create_db("optuna")
    """

    def __init__(self) -> None:
        self.bin = server_bin()
        self.user = _user()
        self.password = "pw-" + secrets.token_hex(8)
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="archsmith-pg-"))
        self.dir.chmod(0o755)
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password + "\n")
        if self.user:
            shutil.chown(self.dir, self.user)
            shutil.chown(pwfile, self.user)
        as_user = _run_as(self.user)
        subprocess.run(
            [
                *as_user,
                str(self.bin / "initdb"),
                "-D",
                str(self.dir / "data"),
                "-U",
                "archsmith",
                "--pwfile",
                str(pwfile),
                "--auth",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            [
                *as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-l",
                str(self.dir / "log"),
                "-o",
                options,
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def url(self, db: str, password: str | None = None) -> str:
        password = self.password if password is None else password
        return f"postgresql://archsmith:{password}@127.0.0.1:{self.port}/{db}"

    def create_db(self, name: str) -> str:
        """Create database ``name``; return its URL."""
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

    def log_text(self) -> str:
        path = self.dir / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        subprocess.run(
            [
                *_run_as(self.user),
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
