"""The tracker conformance suite (``archsmith.testing.trackers``) on the MLflow tracker."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from archsmith.testing.trackers import TrackerSuite
from archsmith.tracking import Tracker
from archsmith.tracking import open_tracker


class TestMlflowFolderStore(TrackerSuite):
    """archsmith's own store: a folder with a SQLite database and an artifacts folder
    (one store for the class: each check has an experiment of its own)."""

    @pytest.fixture(scope="class")
    def open_store(self, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Tracker]:
        store = tmp_path_factory.mktemp("store") / "mlruns"
        return lambda: open_tracker(str(store))
