"""Run an example script in the test process, as ``python <script> <args>`` would run it.

A script run this way skips the start of a fresh Python with TensorFlow, MLflow and
archsmith (about 11 CPU seconds each, a large part of an example test); it still runs as
``__main__`` with its own ``sys.argv``, its folder first on ``sys.path`` and the given
working directory, and what it prints is read from pytest's ``capsys``.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest


def run_script(script: Path, *args: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``script`` with ``args`` in ``cwd``; a non-zero ``sys.exit`` fails the test."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", [str(script), *args])
    monkeypatch.syspath_prepend(str(script.parent))
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        assert stop.code in (0, None), f"{script.name} exited with {stop.code}"
