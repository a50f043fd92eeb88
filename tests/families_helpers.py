"""Helpers shared by the family tests: load an example script as a module."""

from __future__ import annotations

import importlib.util
from typing import Any

from conftest import ROOT


def example(name: str) -> Any:
    """The module ``examples/families/<name>`` (its ``main(argv)`` runs it)."""
    path = ROOT / "examples" / "families" / name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
