"""The tracker conformance suite: what every :class:`archsmith.tracking.Tracker` promises.

Subclass :class:`TrackerSuite` in a test module and give it an ``open_store`` fixture: a
function returning a tracker on one store (a new tracker on the same store at each call).
Each check works in an experiment of its own, so the store may be shared by the class;
pytest then runs every check on it::

    import pytest
    from archsmith.testing.trackers import TrackerSuite
    from archsmith.tracking import open_tracker

    class TestMlflowTracker(TrackerSuite):
        @pytest.fixture(scope="class")
        def open_store(self, tmp_path_factory):
            store = tmp_path_factory.mktemp("store")
            return lambda: open_tracker(str(store / "mlruns"))

The checks use only the protocol (never the backend's own client), so what they read back
is what the runner, ``doctor``, ``leaderboard`` and warm starts read back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from archsmith.exceptions import ArchsmithError
from archsmith.tracking import Tracker

SEARCH_PARAMS = {"metric": "accuracy", "direction": "maximize", "objectives": "accuracy:maximize"}


def open_search(tracker: Tracker, experiment: str, name: str = "search-1", **params: Any) -> str:
    """A new search run in ``experiment`` with the params the leaderboard reads."""
    return tracker.start_search(
        experiment,
        name,
        params={**SEARCH_PARAMS, **params},
        tags={"archsmith.search_id": name},
        texts={"declaration.yaml": "name: conformance\n"},
    )


def add_trial(
    tracker: Tracker,
    search: str,
    number: int,
    state: str = "COMPLETE",
    score: float | None = 0.5,
    **tags: str,
) -> str:
    """A closed trial run with one param, two epochs and its final metrics."""
    run = tracker.start_trial(search, number, {"model.units": 8 * (number + 1), "lr": 0.01})
    for epoch in range(2):
        tracker.log_epoch(run, epoch, {"loss": 1.0 / (epoch + 1)})
    metrics = {"val.accuracy": score, "score": score} if score is not None else {}
    tracker.end_trial(run, state, {**metrics, "params_count": 100.0}, tags)
    return run


class TrackerSuite:
    """Checks of the Tracker contract; subclasses provide the ``open_store`` fixture."""

    @pytest.fixture
    def tracker(self, open_store: Callable[[], Tracker]) -> Tracker:
        return open_store()

    @pytest.fixture
    def experiment(self, request: pytest.FixtureRequest) -> str:
        """The test's own experiment name."""
        return re.sub(r"[^A-Za-z0-9_-]", "-", request.node.name)[:200]

    # -- searches --------------------------------------------------------------------------
    def test_a_search_run_is_found_with_its_params_and_tags(
        self, tracker: Tracker, experiment: str
    ) -> None:
        search = open_search(tracker, experiment, engine="optuna")
        assert isinstance(search, str) and search
        run = tracker.search_run(search)
        assert run.run_id == search
        assert run.status == "RUNNING"
        assert run.params["engine"] == "optuna"
        assert run.tags["archsmith.search_id"] == "search-1"
        assert run.name == "search-1"

    def test_the_latest_search_is_the_last_started(self, tracker: Tracker, experiment: str) -> None:
        open_search(tracker, experiment, "first")
        second = open_search(tracker, experiment, "second")
        assert tracker.latest_search(experiment) == second

    def test_an_unknown_search_is_an_archsmith_error(
        self, tracker: Tracker, experiment: str
    ) -> None:
        with pytest.raises(ArchsmithError, match="no-such-search"):
            tracker.latest_search("no-such-search")

    def test_end_search_closes_the_run(self, tracker: Tracker, experiment: str) -> None:
        search = open_search(tracker, experiment)
        board = pd.DataFrame({"trial": [0], "score": [0.5]})
        tracker.end_search(search, "FINISHED", {"best_score": 0.5}, board)
        assert tracker.search_run(search).status == "FINISHED"

    def test_a_resumed_search_keeps_its_run_and_runs_again(
        self, tracker: Tracker, experiment: str
    ) -> None:
        search = open_search(tracker, experiment)
        add_trial(tracker, search, 0)
        tracker.end_search(search, "KILLED", {}, pd.DataFrame())
        again = tracker.start_search(
            experiment, "search-1", params={}, tags={}, texts={}, resume_run_id=search
        )
        assert again == search
        assert tracker.search_run(search).status == "RUNNING"
        add_trial(tracker, search, 1)
        assert sorted(tracker.trial_runs(search)) == [0, 1]

    # -- trials ----------------------------------------------------------------------------
    def test_a_trial_is_running_until_it_ends(self, tracker: Tracker, experiment: str) -> None:
        search = open_search(tracker, experiment)
        run = tracker.start_trial(search, 0, {"lr": 0.1})
        (only,) = tracker.trial_runs(search)[0]
        assert only["run_id"] == run
        assert only["status"] == "RUNNING"
        tracker.end_trial(run, "COMPLETE", {"score": 0.7}, {})
        (only,) = tracker.trial_runs(search)[0]
        assert only["status"] != "RUNNING"
        assert only["state"] == "COMPLETE"
        assert only["score"] == 0.7

    def test_every_end_state_is_read_back(self, tracker: Tracker, experiment: str) -> None:
        search = open_search(tracker, experiment)
        add_trial(tracker, search, 0, "COMPLETE", 0.9)
        add_trial(tracker, search, 1, "PRUNED", None, **{"archsmith.reason": "pruned"})
        add_trial(tracker, search, 2, "FAILED", None, **{"archsmith.reason": "ValueError: x"})
        runs = tracker.trial_runs(search)
        assert {n: r[0]["state"] for n, r in runs.items()} == {
            0: "COMPLETE",
            1: "PRUNED",
            2: "FAILED",
        }
        assert runs[2][0]["reason"] == "ValueError: x"
        assert all(r[0]["status"] != "RUNNING" for r in runs.values())

    def test_the_leaderboard_has_params_metrics_and_the_best_first(
        self, tracker: Tracker, experiment: str
    ) -> None:
        search = open_search(tracker, experiment)
        add_trial(tracker, search, 0, "COMPLETE", 0.6)
        add_trial(tracker, search, 1, "COMPLETE", 0.8)
        add_trial(tracker, search, 2, "FAILED", None, **{"archsmith.reason": "boom"})
        board = tracker.leaderboard(experiment, search)
        assert list(board["trial"]) == [1, 0, 2]
        assert list(board["state"]) == ["COMPLETE", "COMPLETE", "FAILED"]
        assert board.loc[0, "score"] == 0.8
        assert board.loc[0, "val.accuracy"] == 0.8
        assert board.loc[0, "model.units"] == 16  # params come back as numbers
        assert board.loc[2, "reason"] == "boom"
        assert set(board["run_id"]) == {r[0]["run_id"] for r in tracker.trial_runs(search).values()}

    def test_the_leaderboard_defaults_to_the_latest_search(
        self, tracker: Tracker, experiment: str
    ) -> None:
        add_trial(tracker, open_search(tracker, experiment, "first"), 0)
        latest = open_search(tracker, experiment, "second")
        add_trial(tracker, latest, 0)
        add_trial(tracker, latest, 1)
        assert len(tracker.leaderboard(experiment)) == 2

    def test_a_minimised_metric_ranks_the_lowest_first(
        self, tracker: Tracker, experiment: str
    ) -> None:
        search = open_search(tracker, experiment, direction="minimize", objectives="rmse:minimize")
        add_trial(tracker, search, 0, "COMPLETE", 0.6)
        add_trial(tracker, search, 1, "COMPLETE", 0.2)
        assert list(tracker.leaderboard(experiment, search)["trial"]) == [1, 0]

    # -- artifacts -------------------------------------------------------------------------
    def test_a_logged_file_is_read_back(
        self, tracker: Tracker, experiment: str, tmp_path: Path
    ) -> None:
        search = open_search(tracker, experiment)
        run = tracker.start_trial(search, 0, {})
        source = tmp_path / "notes.txt"
        source.write_bytes(b"kept as is")
        tracker.log_file(run, source, "plots")
        assert tracker.artifact_path(run, "plots/notes.txt").read_bytes() == b"kept as is"

    def test_the_best_model_file_is_the_best_trials(
        self, tracker: Tracker, experiment: str, tmp_path: Path
    ) -> None:
        search = open_search(tracker, experiment)
        for number, score in ((0, 0.4), (1, 0.9)):
            run = add_trial(tracker, search, number, "COMPLETE", score)
            model = tmp_path / f"m{number}" / "model.keras"
            model.parent.mkdir()
            model.write_bytes(f"model {number}".encode())
            tracker.log_file(run, model, "model")
        path, number = tracker.best_model_file(experiment)
        assert number == 1
        assert path.read_bytes() == b"model 1"

    def test_plots_are_attached_to_the_search(self, tracker: Tracker, experiment: str) -> None:
        search = open_search(tracker, experiment)
        for number in range(3):
            add_trial(tracker, search, number, "COMPLETE", 0.5 + number / 10)
        board = tracker.leaderboard(experiment, search)
        for path in tracker.log_plots(search, board, [("accuracy", "maximize")]):
            assert tracker.artifact_path(search, path).is_file()

    # -- recovery --------------------------------------------------------------------------
    def test_running_trials_of_a_dead_process_are_failed(
        self, tracker: Tracker, experiment: str
    ) -> None:
        search = open_search(tracker, experiment)
        add_trial(tracker, search, 0)
        left = tracker.start_trial(search, 1, {})
        assert tracker.fail_running_trials(search, "process died") == [left]
        run = tracker.trial_runs(search)[1][0]
        assert (run["status"], run["state"], run["reason"]) == ("FAILED", "FAILED", "process died")

    def test_one_run_is_failed_or_closed(self, tracker: Tracker, experiment: str) -> None:
        search = open_search(tracker, experiment)
        lost = tracker.start_trial(search, 0, {})
        written = tracker.start_trial(search, 1, {})
        tracker.fail_run(lost, "worker lost")
        tracker.close_run(written)
        runs = tracker.trial_runs(search)
        assert (runs[0][0]["state"], runs[0][0]["reason"]) == ("FAILED", "worker lost")
        assert runs[1][0]["status"] != "RUNNING"

    def test_a_lost_trial_gets_a_failed_run(self, tracker: Tracker, experiment: str) -> None:
        search = open_search(tracker, experiment)
        run = tracker.record_lost_trial(search, 3, {"lr": 0.5}, "worker lost")
        (only,) = tracker.trial_runs(search)[3]
        assert only["run_id"] == run
        assert (only["status"], only["state"], only["reason"]) == (
            "FAILED",
            "FAILED",
            "worker lost",
        )

    def test_a_reopened_store_reads_the_same_search(
        self, tracker: Tracker, experiment: str, open_store: Callable[[], Tracker]
    ) -> None:
        search = open_search(tracker, experiment)
        add_trial(tracker, search, 0, "COMPLETE", 0.75)
        again = open_store()
        assert again.latest_search(experiment) == search
        assert again.trial_runs(search)[0][0]["score"] == 0.75
        assert again.search_run(search).params["metric"] == "accuracy"
