"""Searches on the GPU against the same searches on the CPU, on every installed backend.

Two searches: a CNN image search (scikit-learn's 8x8 digits, space ``cnn``) and a tabular
search (``examples/data/churn.csv``, space ``mlp``). Each runs in a fresh process per
(backend, device): on the GPU, and on the CPU with ``CUDA_VISIBLE_DEVICES=""``. While a
GPU search runs, ``nvidia-smi`` is sampled every 0.5 s. One row per run: trials per hour,
mean fit seconds per trial, mean GPU utilisation (%), peak GPU memory (MiB), and what the
backend trained on (``archsmith.devices``).

Usage:
    python benchmarks/gpu.py [--trials 6] [--epochs 10] [--backends tensorflow,jax,torch]
                             [--searches cnn,tabular] [--no-cpu] [--json out.json]

Without an NVIDIA GPU only the CPU rows run. Target: at least 70 % mean GPU utilisation
during the CNN search on an H100-class card.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def _child(search: str, trials: int, epochs: int) -> None:
    """Run one search in this process and print its figures as one JSON line."""
    import numpy as np
    import pandas as pd

    from archsmith.devices import environment
    from archsmith.runner import run_search

    env = environment()
    store = tempfile.mkdtemp(prefix="archsmith-gpu-")
    decl: dict[str, Any] = {
        "name": f"gpu-{search}",
        "search": {"max_trials": trials, "engine": "random", "seed": 0},
        "training": {"epochs": epochs, "early_stopping": None, "batch_size": 64},
        "tracking": {"uri": store},
    }
    if search == "cnn":
        from sklearn.datasets import load_digits

        digits = load_digits()
        x: Any = np.repeat(digits.images[..., None], 4, axis=0).astype("float32")  # 7188 images
        y: Any = np.repeat(digits.target, 4)
        decl["task"] = {"type": "classification", "metric": "accuracy"}
        decl["search"]["space"] = ["cnn"]
    else:
        frame = pd.read_csv(ROOT / "examples" / "data" / "churn.csv")
        x, y = frame.drop(columns="churned"), frame["churned"]
        decl["task"] = {"type": "classification", "metric": "roc_auc"}
        decl["search"]["space"] = ["mlp"]
    start = time.perf_counter()
    result = run_search(decl, x, y)
    wall = time.perf_counter() - start
    fits = [float(v) for v in result.leaderboard["fit_seconds"].dropna()]
    shutil.rmtree(store, ignore_errors=True)
    print(
        json.dumps(
            {
                "trials": len(result.trials),
                "wall_s": wall,
                "fit_s_mean": sum(fits) / max(len(fits), 1),
                "best": result.best.value if result.best is not None else None,
                "trained_on": env.summary(),
            }
        )
    )


class _Sampler:
    """``nvidia-smi`` every ``interval`` s: GPU utilisation (%) and memory used (MiB)."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.util: list[float] = []
        self.memory: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        query = ["nvidia-smi", "--query-gpu=utilization.gpu,memory.used"]
        while not self._stop.is_set():
            try:
                out = subprocess.run(
                    [*query, "--format=csv,noheader,nounits"],
                    capture_output=True,
                    text=True,
                    timeout=5,
                ).stdout.splitlines()
                util, memory = (float(v) for v in out[0].split(","))  # the first GPU
                self.util.append(util)
                self.memory.append(memory)
            except (OSError, subprocess.SubprocessError, ValueError, IndexError):
                pass
            self._stop.wait(self.interval)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _run(search: str, backend: str, gpu: bool, args: argparse.Namespace) -> dict[str, Any]:
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": str(ROOT / "src"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    if not gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    cmd = [sys.executable, __file__, "--child", search]
    cmd += ["--trials", str(args.trials), "--epochs", str(args.epochs)]
    sampling = gpu and shutil.which("nvidia-smi") is not None
    sampler = _Sampler()
    if sampling:
        sampler.__enter__()
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.timeout)
    finally:
        if sampling:
            sampler.__exit__()
    row: dict[str, Any] = {"search": search, "backend": backend, "device": "GPU" if gpu else "CPU"}
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        row["error"] = (out.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return row
    row.update(json.loads(lines[-1]))
    row["trials_per_hour"] = row["trials"] / row["wall_s"] * 3600
    if sampler.util:
        row["gpu_util_mean"] = sum(sampler.util) / len(sampler.util)
        row["gpu_mem_peak_mib"] = max(sampler.memory)
    return row


def _table(rows: list[dict[str, Any]]) -> str:
    head = "| search | backend | device | trials/hour | fit s/trial | GPU util % | peak MiB | on |"
    out = [head, "|" + "---|" * 8]
    for r in rows:
        if "error" in r:
            out.append(f"| {r['search']} | {r['backend']} | {r['device']} | {r['error']} |||||")
            continue
        util = f"{r['gpu_util_mean']:.0f}" if "gpu_util_mean" in r else "-"
        peak = f"{r['gpu_mem_peak_mib']:.0f}" if "gpu_mem_peak_mib" in r else "-"
        out.append(
            f"| {r['search']} | {r['backend']} | {r['device']} | {r['trials_per_hour']:.0f} | "
            f"{r['fit_s_mean']:.1f} | {util} | {peak} | {r['trained_on']} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--backends", default=",".join(BACKEND_MODULES))
    parser.add_argument("--searches", default="cnn,tabular")
    parser.add_argument("--no-cpu", action="store_true", help="GPU rows only")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per search")
    parser.add_argument("--json", default=None, help="also write the rows to this file")
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.trials, args.epochs)
        return
    backends = [
        b
        for b in args.backends.split(",")
        if importlib.util.find_spec(BACKEND_MODULES.get(b, b)) is not None
    ]
    has_gpu = shutil.which("nvidia-smi") is not None
    rows = []
    for search in args.searches.split(","):
        for backend in backends:
            for gpu in [True, False] if has_gpu else [False]:
                if gpu or not args.no_cpu or not has_gpu:
                    rows.append(_run(search, backend, gpu, args))
                    print(_table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(_table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
