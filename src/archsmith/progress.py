"""What a person watches while a search runs.

On a terminal, :class:`LiveProgress` keeps a live status line (rich) under the finished
trials' lines: the running trial's epoch and latest metrics, trials done / total, the best
so far and an ETA (from the time budget or the trials left, whichever ends first). When
the output is not a terminal (CI logs, files, pipes) or with ``--quiet``, it prints one
plain line per trial (:func:`archsmith.console.print_progress`) and nothing else: no
control codes.

The search calls its ``progress`` callable after every trial; the hooks
``trial_started(number, done, best)`` and ``epoch_ended(number, epoch, logs)`` are called
too when the callable has them (see ``archsmith.runner.optimize``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any
from typing import TextIO

from archsmith import console


class LineProgress:
    """One plain line per finished trial."""

    def __call__(self, result: Any, best: Any, done: int, total: int) -> None:
        console.print_progress(result, best, done, total)  # looked up now (tests patch it)

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class LiveProgress:
    """The finished trials' lines, with a live status line under them (rich).

    Args:
        total: ``search.max_trials``.
        epochs: ``training.epochs`` (the most a trial trains).
        time_budget: ``search.time_budget`` in seconds, or None.
        file: the terminal (default: standard output); a ``StringIO`` with
            ``force_terminal=True`` renders as a terminal would (tests).
        force_terminal: render control codes even when ``file`` is not a terminal.
    """

    def __init__(
        self,
        total: int,
        epochs: int | None = None,
        time_budget: float | None = None,
        file: TextIO | None = None,
        force_terminal: bool | None = None,
    ) -> None:
        from rich.console import Console
        from rich.live import Live

        self.total = total
        self.epochs = epochs
        self.time_budget = time_budget
        self.console = Console(file=file or sys.stdout, force_terminal=force_terminal)
        self.live = Live(
            "", console=self.console, refresh_per_second=4, transient=True, auto_refresh=True
        )
        self.start = self.trial_start = time.monotonic()
        self.done = 0
        self.trial_seconds: list[float] = []
        self.best: Any = None
        self.running: int | None = None
        self.epoch = 0
        self.logs: Mapping[str, float] = {}

    def __enter__(self) -> LiveProgress:
        self.start = time.monotonic()
        self.live.start()
        self._refresh()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()

    # -- hooks of the search -------------------------------------------------------------
    def trial_started(self, number: int, done: int = 0, best: Any = None) -> None:
        """Trial ``number`` starts, ``done`` trials finished (earlier processes' too)."""
        self.running, self.epoch, self.logs = number, 0, {}
        self.trial_start = time.monotonic()
        self.done = max(self.done, done)
        self.best = best if best is not None else self.best
        self._refresh()

    def epoch_ended(self, number: int, epoch: int, logs: Mapping[str, float]) -> None:
        self.running, self.epoch, self.logs = number, epoch + 1, dict(logs)
        self._refresh()

    def __call__(self, result: Any, best: Any, done: int, total: int) -> None:
        self.done, self.total, self.best, self.running = done, total, best, None
        self.trial_seconds.append(float(result.seconds))
        self.console.print(trial_line(result, best, done, total), highlight=False, markup=False)
        self._refresh()

    # -- the status line -----------------------------------------------------------------
    def eta_seconds(self) -> float | None:
        """Seconds left: the time budget's rest or the trials left at the mean trial time,
        whichever is smaller; None before the first trial without a budget."""
        elapsed = time.monotonic() - self.start
        options = []
        if self.time_budget:
            options.append(max(self.time_budget - elapsed, 0.0))
        left = max(self.total - self.done, 0)
        if self.trial_seconds:
            mean = sum(self.trial_seconds) / len(self.trial_seconds)
            options.append(mean * left)
        elif self.running is not None and self.epoch and self.epochs:
            # no trial finished in this process yet: the running trial's pace per epoch
            so_far = time.monotonic() - self.trial_start
            trial = so_far / self.epoch * self.epochs
            options.append(max(trial - so_far, 0.0) + trial * max(left - 1, 0))
        return min(options) if options else None

    def status(self) -> str:
        """The live line: trials, best so far, running trial's epoch and metrics, ETA."""
        parts = [f"trials {self.done}/{self.total}"]
        if self.best is not None and getattr(self.best, "value", None) is not None:
            parts.append(f"best {self.best.value:.4f} (trial {self.best.number})")
        if self.running is not None:
            of = f"/{self.epochs}" if self.epochs else ""
            shown = "  ".join(f"{k} {v:.4g}" for k, v in list(self.logs.items())[:4])
            parts.append(f"trial {self.running}: epoch {self.epoch}{of}  {shown}".rstrip())
        eta = self.eta_seconds()
        parts.append(f"elapsed {_clock(time.monotonic() - self.start)}")
        if eta is not None:
            parts.append(f"ETA {_clock(eta)}")
        return " | ".join(parts)

    def _refresh(self) -> None:
        from rich.text import Text

        self.live.update(Text(self.status(), style="bold"), refresh=True)


def trial_line(result: Any, best: Any, done: int, total: int) -> str:
    """The line :func:`archsmith.console.print_progress` prints, as a string."""
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        console.print_progress(result, best, done, total)
    return buffer.getvalue().rstrip("\n")


def _clock(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def watch(
    exp: Any, *, quiet: bool = False, file: TextIO | None = None
) -> LineProgress | LiveProgress:
    """The progress display for a search of ``exp``: live on a terminal, else (or
    ``quiet``) one line per trial. Use it as a context manager around the search."""
    out = file or sys.stdout
    if quiet or not _is_terminal(out):
        return LineProgress()
    return LiveProgress(
        exp.search.max_trials, exp.training.epochs, exp.search.time_budget, file=out
    )


def _is_terminal(file: TextIO) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):
        return False


class Tally:
    """Progress callback that also keeps what a summary after Ctrl-C needs; passes the
    search's hooks on to ``show``."""

    def __init__(self, show: Any) -> None:
        self.show = show
        self.states: list[str] = []
        self.best: Any = None

    def trial_started(self, number: int, done: int = 0, best: Any = None) -> None:
        hook = getattr(self.show, "trial_started", None)
        if hook is not None:
            hook(number, done, best)

    def epoch_ended(self, number: int, epoch: int, logs: Mapping[str, float]) -> None:
        hook = getattr(self.show, "epoch_ended", None)
        if hook is not None:
            hook(number, epoch, logs)

    def __call__(self, result: Any, best: Any, done: int, total: int) -> None:
        self.states.append(result.state.value)
        self.best = best
        if self.show is not None:
            self.show(result, best, done, total)

    def interrupted(self, again: str) -> None:
        counts = ", ".join(f"{self.states.count(s)} {s.lower()}" for s in sorted(set(self.states)))
        best = ""
        if self.best is not None and self.best.value is not None:
            best = f"; best so far: trial {self.best.number}, score {self.best.value:.4f}"
        print(
            f"\ninterrupted after {len(self.states)} trial(s) in this run"
            f"{f' ({counts})' if counts else ''}{best}. The trial that was running is "
            f"recorded FAILED (interrupted by the user); completed trials are kept. "
            f"Continue with:\n  {again}",
            file=sys.stderr,
        )


__all__ = ["LineProgress", "LiveProgress", "Tally", "trial_line", "watch"]
