"""The tracker contract: the runner logs through it, the CLI and ``doctor`` read it back.

``archsmith.testing.trackers`` checks an implementation against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Protocol

import pandas as pd


@dataclass(frozen=True)
class SearchRun:
    """A search's parent run as stored: its name, status, params, tags and the names of its
    top-level artifacts (``model`` once the search logged its model)."""

    run_id: str
    name: str
    status: str
    params: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    artifacts: tuple[str, ...] = ()


class Tracker(Protocol):
    """Records searches (parent runs) and trials (child runs). Run ids are passed explicitly.

    A trial run's state (``COMPLETE``, ``PRUNED``, ``FAILED``; ``RUNNING`` until it ends)
    is read back by :meth:`trial_runs` and :meth:`leaderboard`; its final metrics include
    ``score`` when it has one.
    """

    def start_search(
        self,
        experiment: str,
        name: str,
        *,
        params: Mapping[str, Any],
        tags: Mapping[str, str],
        texts: Mapping[str, str],
        resume_run_id: str | None = None,
    ) -> str:
        """Open (or re-open) the parent run of a search; return its id."""

    def start_trial(self, search_run: str, number: int, params: Mapping[str, Any]) -> str:
        """Open a child run for trial ``number``; return its id."""

    def log_epoch(self, run_id: str, epoch: int, metrics: Mapping[str, float]) -> None:
        """Record one epoch's metrics (may be buffered until ``end_trial``)."""

    def end_trial(
        self, run_id: str, state: str, metrics: Mapping[str, float], tags: Mapping[str, str]
    ) -> None:
        """Close a child run with its final state (COMPLETE, PRUNED, FAILED)."""

    def log_file(self, run_id: str, path: Path, artifact_path: str | None = None) -> None:
        """Attach a file to a run."""

    def log_model(
        self,
        run_id: str,
        keras_file: Path,
        metadata: Mapping[str, Any],
        input_example: pd.DataFrame,
    ) -> str:
        """Log a servable model (signature + input example); return its URI."""

    def fail_running_trials(self, search_run: str, reason: str) -> list[str]:
        """Close child runs left RUNNING by a dead process as FAILED; return their ids."""

    def end_search(
        self, run_id: str, status: str, metrics: Mapping[str, float], leaderboard: pd.DataFrame
    ) -> None:
        """Close the parent run with summary metrics and the leaderboard CSV."""

    def log_plots(
        self, run_id: str, leaderboard: pd.DataFrame, objectives: Sequence[tuple[str, str]]
    ) -> list[str]:
        """Attach the search's plots to its parent run; return their artifact paths."""

    def leaderboard(self, experiment: str, search_run: str | None = None) -> pd.DataFrame:
        """One row per trial of a search (default: the latest search of ``experiment``)."""

    def artifact_path(self, run_id: str, path: str) -> Path:
        """A run's artifact as a local file (in place for a local store)."""

    def trial_runs(self, search_run: str) -> dict[int, list[dict[str, Any]]]:
        """Child runs of a search by trial number: run_id, status, state, score, reason."""

    def fail_run(self, run_id: str, reason: str) -> None:
        """Close one child run as FAILED with ``reason``."""

    def close_run(self, run_id: str) -> None:
        """Terminate a child run whose results were written but not its end."""

    def record_lost_trial(
        self, search_run: str, number: int, params: Mapping[str, Any], reason: str
    ) -> str:
        """Create a FAILED child run for a trial whose worker died before opening one."""

    # -- reading back ----------------------------------------------------------------------
    def latest_search(self, experiment: str) -> str:
        """The parent run of the latest search of ``experiment``.

        Raises:
            ArchsmithError: no search of that name.
        """

    def search_run(self, run_id: str) -> SearchRun:
        """A search's parent run: name, status, params and tags."""

    def orphan_artifacts(self, experiment: str) -> list[str]:
        """Artifact folders of a local store that belong to no run of ``experiment``."""

    def best_model_file(self, experiment: str) -> tuple[Path, int]:
        """The model file of the best trial of the latest search, and the trial's number."""

    def search_model_files(self, experiment: str) -> tuple[Path, Path]:
        """The ``.keras`` file and metadata JSON of the model a finished search logged with
        :meth:`log_model` (read as files: nothing stored with them is executed)."""
