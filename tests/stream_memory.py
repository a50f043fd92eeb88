"""Peak memory of a search on a table file, streamed or read whole (for tests/test_stream.py
and benchmarks/stream_memory.py).

A child process runs a small search of the same shape first (Keras, TensorFlow and MLflow
allocate what they keep on their first use), resets the kernel's peak-RSS mark
(``/proc/self/clear_refs``), notes its resident memory, runs one search on the file and
reports the new peak (``VmHWM``): the growth is what the search on that file cost.
``RLIMIT_AS`` cannot bound this: TensorFlow reserves tens of GiB of address space it never
touches, so a limit low enough to matter stops its import. Linux only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SPACE = {
    "name": "tiny",
    "for": ["tabular"],
    "model": [{"dense_stack": {"layers": 1, "units": 8}}],
    "optimizer": {"name": "adam", "learning_rate": 0.01},
    "batch_size": 4096,
}

CHILD = """
import json, sys
from archsmith.runner import run_search

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024

warm, big = json.loads(sys.argv[1]), json.loads(sys.argv[2])
run_search(warm)
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
base = status("VmRSS")
result = run_search(big)
print(json.dumps({"base": base, "peak": status("VmHWM"), "rows": result.dataset.describe()}))
"""


def write_table(path: Path, megabytes: float, seed: int = 0) -> int:
    """A CSV of about ``megabytes`` MiB (a block of rows written again and again); its rows."""
    from conftest import mixed_frame

    block = mixed_frame(5000, seed=seed).to_csv(index=False, float_format="%.6g")
    header, body = block.split("\n", 1)
    times = max(1, round(megabytes * 2**20 / len(body)))
    with open(path, "w") as out:
        out.write(header + "\n")
        for _ in range(times):
            out.write(body)
    return 5000 * times


def declaration(folder: Path, train: str, stream: bool, name: str) -> dict:
    (folder / "tiny.yaml").write_text(yaml.safe_dump(SPACE))
    return {
        "name": name,
        "task": {"type": "classification", "target": "y"},
        "data": {"train": str(folder / train), "stream": stream, "stream_sample": 2000},
        "search": {"space": str(folder / "tiny.yaml"), "max_trials": 1, "seed": 0},
        "training": {"epochs": 1, "early_stopping": None},
        "tracking": {"uri": str(folder / "mlruns")},
    }


def peak_growth(folder: Path, table: str, stream: bool) -> dict:
    """Run the child on ``folder/table``; its base RSS, peak RSS and rows (bytes)."""
    small = folder / "warm.csv"
    if not small.exists():
        write_table(small, 0.5, seed=1)
    warm = declaration(folder, "warm.csv", stream, "warm")
    big = declaration(folder, table, stream, "big")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(warm), json.dumps(big)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))
