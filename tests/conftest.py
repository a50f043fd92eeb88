"""Shared fixtures: small real data, isolated MLflow/Optuna stores, one fitted AutoModel."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def mixed_frame(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Numeric (with NaN), categorical strings (with missing), booleans; a learnable target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 12, n),
            "income": rng.lognormal(10, 0.5, n),
            "city": rng.choice(["paris", "lyon", "nice"], n).astype(object),
            "member": rng.random(n) < 0.5,
        }
    )
    signal = (frame["age"] > 40).astype(int) + (frame["city"] == "paris").astype(int)
    frame["y"] = np.where(signal + (rng.random(n) < 0.1) >= 1, "churn", "stay")
    frame.loc[::9, "age"] = np.nan
    frame.loc[3::11, "city"] = None
    return frame


# The longest tests of `make test` (seconds on the 2-core CI machine of 2026-12-06, longest
# first). They run first, so that under pytest-xdist the last tests of each worker are short
# ones and neither worker waits long for the other at the end. A name no longer here does no harm.
LONGEST_FIRST = (
    "test_mlflow_server.py::test_three_workers_through_an_mlflow_server",  # 46 (long)
    "test_workers.py::test_three_workers_share_one_search_on_postgresql",  # 42
    "test_backends.py::test_a_search_runs_exports_and_reloads_on_the_backend",  # 30 (jax)
    "test_ensemble.py::test_ensemble_weights_sum_to_one_and_beat_the_best_trial",  # 29
    "test_ui_browser.py::test_the_ui_shows_the_search_its_trials_dataset_and_model",  # 26
    "test_cli.py::test_search_then_leaderboard_from_a_yaml_example",  # 25
    "test_hardening_cli.py::test_sigterm_stops_a_search_like_ctrl_c_and_resume_finishes_it",
    "test_families_sequence.py::test_rnn_conv1d_transformer_in_one_search_classify_sequences",
    "test_families_cli.py::test_sequence_families_classify_series_from_an_npz",  # 21
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of LONGEST_FIRST first, in its order; the others keep theirs."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    def key(item: pytest.Item) -> int:
        name = item.nodeid.split("[")[0].removeprefix("tests/")
        return rank.get(name, len(rank))

    items.sort(key=key)


@pytest.fixture(autouse=True)
def _mlflow_stores_from_a_template() -> None:
    """Once MLflow is imported, new SQLite stores copy one migrated template (see
    tests/mlflow_template.py): the migrations of each new store cost about 1.2 s."""
    if "mlflow.store.db.utils" in sys.modules:
        from mlflow_template import install

        install()


#: the shipped default spaces of each data kind, before the session's fixture below
SHIPPED_DEFAULT_SPACES: dict[str, tuple[str, ...]] = {}


@pytest.fixture(scope="session", autouse=True)
def small_default_table_space():  # type: ignore[no-untyped-def]
    """Tables without a declared space search the small ``mlp`` space in tests (the shipped
    default, TabM and RealMLP with their first trials, costs about a third more per trial
    and most tests do not test the default); a test of the default itself restores
    :data:`SHIPPED_DEFAULT_SPACES` with ``monkeypatch.setitem``."""
    from archsmith.datasets._spaces import DEFAULT_SPACES

    SHIPPED_DEFAULT_SPACES.update(DEFAULT_SPACES)
    DEFAULT_SPACES["tabular"] = ("mlp",)
    yield
    DEFAULT_SPACES.update(SHIPPED_DEFAULT_SPACES)


@pytest.fixture
def frame() -> pd.DataFrame:
    return mixed_frame()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test with the working directory in a fresh temporary folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def fitted(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One 3-trial AutoModel search on the mixed frame, shared by read-only tests."""
    from archsmith import AutoModel

    root = tmp_path_factory.mktemp("fitted")
    frame = mixed_frame()
    model = AutoModel(
        task="classification",
        max_trials=3,
        epochs=3,
        patience=2,
        tracking_uri=str(root / "mlruns"),
        name="fitted",
        verbose=0,
    )
    model.fit(frame, target="y")
    return model, frame, root


@pytest.fixture(scope="session")
def pg():  # type: ignore[no-untyped-def]
    """A throwaway PostgreSQL server on 127.0.0.1 (installed with apt-get if missing)."""
    from postgres import Cluster
    from postgres import PostgresUnavailable

    try:
        cluster = Cluster()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    yield cluster
    cluster.stop()
