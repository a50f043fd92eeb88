"""Which worker runs a trial, and whether it is still alive: worker ids, heartbeats.

A running trial records the worker that asked for it (``host:pid:start``). A worker on
this host is checked directly (is the process there?); one on another host is known only
by its heartbeat: RDB storages keep Optuna's own (one UPDATE per beat), a journal file
keeps ours (a trial system attribute :data:`BEAT_ATTR` with the time of the last beat,
one appended line per beat), so a dead worker on another machine is found on either.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

#: Trial system attribute: the worker (``host:pid:start``) that runs the trial.
WORKER_ATTR = "archsmith:worker"
#: Trial system attribute (journal storages): Unix time of the running trial's last beat.
BEAT_ATTR = "archsmith:beat"


def worker_id() -> str:
    """``host:pid:start`` of this process (start: its start time, so a reused pid differs)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def _process_start(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def worker_alive(worker: str) -> bool | None:
    """Whether the process ``worker`` (see :func:`worker_id`) still runs; None if unknown.

    Only a process on this host can be checked; one on another host is unknown.
    """
    host, _, rest = worker.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return not start or _process_start(pid) in ("", start)


def beat_function(storage: Any, rdb: bool) -> Callable[[int], None]:
    """How one heartbeat of a running trial is recorded in ``storage``."""
    if rdb:
        return storage.record_heartbeat

    def journal_beat(trial_id: int) -> None:
        storage.set_trial_system_attr(trial_id, BEAT_ATTR, time.time())

    return journal_beat


def beat_stale(system_attrs: Any, grace: float, now: float) -> bool | None:
    """Whether a journal trial's last beat is older than ``grace`` s; None: it never beat."""
    last = system_attrs.get(BEAT_ATTR)
    if not isinstance(last, int | float):
        return None
    return now - float(last) > grace


class Heartbeat:
    """Records a heartbeat for one running trial every ``interval`` seconds (daemon thread)."""

    def __init__(self, beat: Callable[[int], None], trial_id: int, interval: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(beat, trial_id, interval), daemon=True
        )
        self._thread.start()

    def _beat(self, beat: Callable[[int], None], trial_id: int, interval: float) -> None:
        while True:
            with contextlib.suppress(Exception):  # a missed beat is retried; never crash
                beat(trial_id)
            if self._stop.wait(interval):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
