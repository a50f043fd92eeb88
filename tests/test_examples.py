"""Every example runs (with fewer trials and epochs than a user would use)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scripts import run_script

ROOT = Path(__file__).resolve().parents[1]


def run(script: str, cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> str:
    """The script's output, run in this process (tests/scripts.py)."""
    capsys.readouterr()
    args = ("--max-trials", "2", "--epochs", "3")
    run_script(ROOT / "examples" / script, *args, cwd=cwd, monkeypatch=monkeypatch)
    return capsys.readouterr().out


def test_breast_cancer_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    out = run("breast_cancer.py", tmp_path, monkeypatch, capsys)
    assert "validation roc_auc" in out and "reloaded model has" in out
    assert (tmp_path / "mlruns" / "exports" / "breast_cancer.keras").is_file()


def test_diabetes_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    out = run("diabetes_regression.py", tmp_path, monkeypatch, capsys)
    assert "validation mae" in out and "test scores" in out


def test_example_data_is_what_make_data_writes(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_data.py"), str(tmp_path)], check=True
    )
    for name in ("churn.csv", "wine.csv"):
        fresh = pd.read_csv(tmp_path / name)
        committed = pd.read_csv(ROOT / "examples" / "data" / name)
        pd.testing.assert_frame_equal(fresh, committed)
    churn = pd.read_csv(ROOT / "examples" / "data" / "churn.csv")
    assert churn.isna().any().any()  # the demo exercises missing values
    assert pd.api.types.is_string_dtype(churn["contract"]) and churn["churned"].nunique() == 2
