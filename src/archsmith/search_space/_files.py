"""Where search-space files are: the shipped spaces of every family, or a user's path."""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from archsmith.exceptions import SpecError


def shipped_spaces() -> dict[str, Path]:
    """Names and files of the spaces shipped with archsmith.

    Each family folder holds its spaces (``archsmith/families/<family>/<space>.yaml``);
    they are read as package files, so finding them imports no family code.
    """
    root = resources.files("archsmith") / "families"
    return {
        Path(str(p)).stem: Path(str(p))
        for folder in root.iterdir()
        if folder.is_dir()
        for p in folder.iterdir()
        if str(p).endswith((".yaml", ".yml"))
    }


def find_space(ref: str, base_dir: Path | None = None) -> Path:
    """A shipped space name or a YAML path (relative to ``base_dir``) -> the file."""
    if ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref:
        path = Path(ref)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise SpecError(f"search space file not found: {path}", path="search.space")
        return path
    shipped = shipped_spaces()
    if ref not in shipped:
        close = difflib.get_close_matches(ref, shipped, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise SpecError(
            f"unknown search space '{ref}'; expected a shipped space "
            f"({', '.join(sorted(shipped))}) or a .yaml path{hint}",
            path="search.space",
        )
    return shipped[ref]
