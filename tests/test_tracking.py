"""The MLflow tracker's own store: fast, crash-safe SQLite settings; nothing else touched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archsmith.tracking import MlflowTracker


def _journal_mode(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def test_own_folder_store_uses_write_ahead_logging(tmp_path: Path) -> None:
    tracker = MlflowTracker(str(tmp_path / "mlruns"))
    parent = tracker.start_search("exp", "search", params={"a": 1}, tags={}, texts={})
    run = tracker.start_trial(parent, 0, {"x": 1})
    tracker.log_epoch(run, 0, {"loss": 0.5})
    tracker.end_trial(run, "COMPLETE", {"score": 0.9}, {})
    assert _journal_mode(tmp_path / "mlruns" / "mlflow.db") == "wal"
    # a second tracker on the same store (a resumed search, a second worker) reads it all
    again = MlflowTracker(str(tmp_path / "mlruns"))
    board = again.leaderboard("exp", parent)
    assert board["score"].tolist() == [0.9]
    assert again.client.get_metric_history(run, "loss")[0].value == 0.5


def test_a_store_uri_given_by_the_user_keeps_its_settings(tmp_path: Path) -> None:
    db = tmp_path / "user.db"
    tracker = MlflowTracker(f"sqlite:///{db}")
    tracker.start_search("exp", "search", params={}, tags={}, texts={})
    assert _journal_mode(db) == "delete"
