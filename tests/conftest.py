"""Shared fixtures: small real data, isolated MLflow/Optuna stores, one fitted AutoModel."""

from __future__ import annotations

import os

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
