"""Small pieces of the command line kept apart from ``cli.py``: the command base class,
argument types, the read-only commands' store check and the logging set-up. Imports
nothing heavy up front.
"""

from __future__ import annotations

import argparse
import logging
import sys

from archsmith.quiet import import_backend_quietly


class Command:
    """One subcommand: its arguments and what it does."""

    name = ""
    help = ""
    trains = False  # imports Keras: its backend's start-up lines are filtered first

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's arguments."""

    def run(self, args: argparse.Namespace) -> int:
        raise NotImplementedError


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def existing_store(uri: str) -> str:
    """A read-only command's tracking store: a folder must hold one (nothing is created)."""
    from archsmith.exceptions import NotFound
    from archsmith.tracking import store_root

    root = store_root(uri)
    if root is not None and not (root / "mlflow.db").is_file():
        raise NotFound(
            f"no tracking store in {root} (no mlflow.db): run a search there first, or pass "
            "--tracking-uri with the store of the search"
        )
    return uri


class _OneLine(logging.Formatter):
    """``archsmith: warning: message`` on one line, URLs masked."""

    def format(self, record: logging.LogRecord) -> str:
        from archsmith.spec import mask_url

        text = record.getMessage()
        if record.exc_info:
            text += f" ({record.exc_info[0].__name__ if record.exc_info[0] else 'error'}: "
            text += f"{record.exc_info[1]})"
        return f"archsmith: {record.levelname.lower()}: {mask_url(' '.join(text.split()))}"


def configure_logging() -> None:
    """Show the ``archsmith`` logger's warnings on standard error, one line each."""
    log = logging.getLogger("archsmith")
    for handler in [h for h in log.handlers if getattr(h, "archsmith_cli", False)]:
        log.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.archsmith_cli = True  # type: ignore[attr-defined]
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_OneLine())
    log.addHandler(handler)


__all__ = [
    "Command",
    "configure_logging",
    "existing_store",
    "import_backend_quietly",
    "positive_int",
]
