"""Public exceptions. Each also subclasses the built-in error a caller would catch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class ArchsmithError(Exception):
    """Base class of every error archsmith raises on purpose."""


@dataclass(frozen=True)
class SpecIssue:
    """One problem found in a declaration or a search-space file.

    Attributes:
        path: dotted path of the offending field (``search.max_trials``); "" for the root.
        message: what is wrong and what would be valid.
        file: the file the value came from, if it came from a file.
        line: 1-based line of the value in ``file``, if known.
    """

    path: str
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        elif self.line:
            where = f"line {self.line}: "
        path = f"{self.path}: " if self.path else ""
        return f"{where}{path}{self.message}"


class SpecError(ArchsmithError, ValueError):
    """A declaration or search space is invalid.

    The message lists every problem as ``FILE:LINE: dotted.path: what is wrong; expected …``.
    ``issues`` keeps them as structured records; ``path``, ``line`` and ``file`` are those
    of the first one.
    """

    def __init__(self, issues: Sequence[SpecIssue] | str, *, path: str = "") -> None:
        if isinstance(issues, str):
            issues = [SpecIssue(path=path, message=issues)]
        self.issues: tuple[SpecIssue, ...] = tuple(issues)
        first = self.issues[0] if self.issues else SpecIssue("", "invalid declaration")
        self.path = first.path
        self.line = first.line
        self.file = first.file
        super().__init__("\n".join(str(i) for i in self.issues))


class DataError(ArchsmithError, ValueError):
    """The data does not fit the declared task (missing column, one class, bad shape …)."""


class NotFound(ArchsmithError, LookupError):
    """A named search or tracking store does not exist (a usage error on the command line)."""


class TrialFailed(ArchsmithError, RuntimeError):
    """One trial could not be built or trained; the search records it and goes on."""


def _not_fitted_error() -> type[Exception]:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    class NotFittedError(ArchsmithError, SklearnNotFittedError):
        """An estimator method that needs a fitted model was called before ``fit``.

        A subclass of scikit-learn's ``NotFittedError`` (itself a ``ValueError`` and an
        ``AttributeError``), so code written for scikit-learn estimators catches it.
        """

    NotFittedError.__module__ = __name__
    NotFittedError.__qualname__ = "NotFittedError"  # pickles by its public name
    return NotFittedError


def __getattr__(name: str) -> Any:
    """``NotFittedError`` is made on first use: it subclasses scikit-learn's, and importing
    scikit-learn (with SciPy and pandas) would make ``import archsmith`` slow."""
    if name == "NotFittedError":
        cls = _not_fitted_error()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ArchsmithError",
    "DataError",
    "NotFittedError",  # noqa: F822 (made on first use by __getattr__)
    "NotFound",
    "SpecError",
    "SpecIssue",
    "TrialFailed",
]
