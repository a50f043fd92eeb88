"""Where archsmith meets its ecosystem: a quiet command line (no TensorFlow start-up
lines), MLflow's model-training view and dataset inputs, the leaderboard's column names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TF_STARTUP = ("oneDNN custom operations", "absl::InitializeLog()", "cpu_feature_guard")


@pytest.mark.slow
def test_search_prints_no_tensorflow_startup_lines(tmp_path: Path) -> None:
    decl = tmp_path / "wine.yaml"
    decl.write_text(
        (EXAMPLES / "wine.yaml")
        .read_text()
        .replace("data/wine.csv", str(EXAMPLES / "data" / "wine.csv"))
        .replace("epochs: 60", "epochs: 2")
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    proc = subprocess.run(
        [sys.executable, "-m", "archsmith", "search", str(decl), "--max-trials", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "trial 0" in output.lower() or "best" in output.lower(), output
    for line in TF_STARTUP:
        assert line not in output, output
