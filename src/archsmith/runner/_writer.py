"""The tracker as trial code uses it: writes queued on one background thread.

Trial code holds an opaque :class:`RunHandle` per trial and calls :class:`TrialWriter`
with it; the writer opens the trial's run, resolves its id and orders the writes. In a
single-process search the closing writes of a trial (its end, its artifacts, the best
model's file) run on the background thread while the next trial trains; with
``background=False`` (workers) every write happens at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from typing import TypeVar

from archsmith.tracking import Tracker

_T = TypeVar("_T")
#: Longest wait (s) of a background write for the next trial's training to start.
_WRITE_DELAY_MAX = 10.0
#: What a deferred write logs: ``(file, artifact folder or None)`` pairs.
Files = list[tuple[Path, str | None]]


class RunHandle:
    """A trial's tracking run as trial code holds it (opened now, or soon by the writer)."""

    __slots__ = ("_run",)

    def __init__(self, run: str | Future[str]) -> None:
        self._run = run


class TrialWriter:
    """Writes a search's trials through ``tracker``, in order, on one background thread.

    Args:
        tracker: where the runs are recorded.
        search_run: the search's parent run.
        background: queue the closing writes of a trial (else write at once).
    """

    def __init__(self, tracker: Tracker, search_run: str, *, background: bool) -> None:
        self.tracker = tracker
        self.search_run = search_run
        # one thread, so the writes land in the order they were asked for
        self._thread = ThreadPoolExecutor(1, "archsmith-writes") if background else None
        self._pending: list[Future[Any]] = []
        # open while a model trains: the writes then share the CPU with Keras' fit (which
        # spends most of its time outside Python) rather than with the next trial's build
        self._training = threading.Event()

    def open_trial(
        self, number: int, params: Mapping[str, Any], then: Callable[[str], None]
    ) -> RunHandle:
        """The trial's run; ``then(run_id)`` runs once it is open (e.g. to store the id
        with the engine's trial).

        With background writes the run is opened on the writer thread once the model
        trains: a process killed before that leaves a trial without a run, which
        ``reconcile`` records as lost. Without, it is opened at once.
        """
        if self._thread is None:
            return RunHandle(self._start(number, params, then))
        return RunHandle(
            self._thread.submit(self._when_training, self._start, number, params, then)
        )

    def _start(self, number: int, params: Mapping[str, Any], then: Callable[[str], None]) -> str:
        run_id = self.tracker.start_trial(self.search_run, number, params)
        then(run_id)
        return run_id

    def run_id(self, run: RunHandle) -> str:
        """The run's id, waiting for the writer thread to open it if need be."""
        if isinstance(run._run, str):
            return run._run
        if not run._run.done():
            self._training.set()  # e.g. a trial that failed before training
        return run._run.result()

    def log_epoch(self, run: RunHandle, epoch: int, metrics: Mapping[str, float]) -> None:
        """One epoch's metrics (the tracker buffers them until the trial ends)."""
        self.tracker.log_epoch(self.run_id(run), epoch, metrics)

    def end_trial(
        self,
        run: RunHandle,
        state: str,
        metrics: Mapping[str, float],
        tags: Mapping[str, str],
    ) -> None:
        """Close the trial's run (later, with background writes)."""
        self.later(self._end_trial, self.run_id(run), state, metrics, tags)

    def _end_trial(
        self, run_id: str, state: str, metrics: Mapping[str, float], tags: Mapping[str, str]
    ) -> None:
        self.tracker.end_trial(run_id, state, metrics, tags)

    def log_files(self, run: RunHandle, write: Callable[[], Files]) -> None:
        """Log the files ``write()`` makes (later, with background writes)."""
        self.later(self._log_files, self.run_id(run), write)

    def _log_files(self, run_id: str, write: Callable[[], Files]) -> None:
        for path, folder in write():
            self.tracker.log_file(run_id, path, folder)

    def later(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the background thread (at once without one)."""
        if self._thread is None:
            fn(*args)
            return
        self._pending = [f for f in self._pending if not f.done() or f.exception() is not None]
        self._pending.append(self._thread.submit(self._when_training, fn, *args))

    @contextlib.contextmanager
    def training(self) -> Iterator[None]:
        """While a model trains: the time the queued writes wait for."""
        self._training.set()
        try:
            yield
        finally:
            self._training.clear()

    def _when_training(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run ``fn`` once a model trains (or the search waits for its writes)."""
        self._training.wait(timeout=_WRITE_DELAY_MAX)
        return fn(*args)

    def flush(self) -> None:
        """Wait for every queued write; re-raise the first that failed."""
        self._training.set()  # nothing trains now: the writes need not wait for it
        pending, self._pending = self._pending, []
        errors = [exc for f in pending if (exc := f.exception()) is not None]
        if errors:
            raise errors[0]

    def close(self) -> None:
        """Finish the queued writes and stop their thread."""
        try:
            self.flush()
        finally:
            if self._thread is not None:
                self._thread.shutdown(wait=True)
