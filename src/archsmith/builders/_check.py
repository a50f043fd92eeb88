"""The build check: every branch of a space built once on the data, before trial 0."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import Literal

import keras

from archsmith.builders._build import build_model
from archsmith.datasets import Dataset
from archsmith.exceptions import SpecError
from archsmith.exceptions import SpecIssue
from archsmith.search_space import Branch
from archsmith.search_space import SearchSpace
from archsmith.search_space import branch_probes

#: Seconds the check may take; the probes left unbuilt after it are skipped with a warning.
BUILD_CHECK_SECONDS = 60.0
_BLOCK = re.compile(r"^model\.(\d+)\.\w+: (?:cannot build block: )?")


def check_space(
    space: SearchSpace,
    dataset: Dataset,
    mode: Literal["error", "prune", "off"] = "error",
    base_dir: Path | None = None,
    *,
    seconds: float = BUILD_CHECK_SECONDS,
) -> SearchSpace:
    """Build every branch of ``space`` once on ``dataset``'s inputs, untrained.

    Returns the space to search (``prune`` may have dropped options). Each option of each
    block choice is built at both ends of the numeric params (see
    ``search_space.branch_probes``). ``mode`` is ``search.build_check``.

    Raises:
        SpecError: ``mode`` is ``error`` and a branch cannot be built (one issue per block,
            naming its dotted path and the Keras message), or ``mode`` is ``prune`` and the
            block at fault belongs to no choice that could drop it.

    Example:
        >>> space = check_space(space, dataset, "prune")  # doctest: +SKIP
    """
    if mode == "off":
        return space
    deadline = time.perf_counter() + seconds
    while True:
        failures = _failures(space, dataset, base_dir, deadline)
        if not failures:
            return space
        if mode == "error":
            raise SpecError(
                [
                    SpecIssue(
                        path,
                        f"{message}; fix the space, or set search.build_check: prune "
                        "to drop what cannot be built",
                    )
                    for path, (_, message) in failures.items()
                ]
            )
        for path, (branch, message) in failures.items():
            space = _prune(space, path, branch, message)


def _failures(
    space: SearchSpace,
    dataset: Dataset,
    base_dir: Path | None,
    deadline: float,
) -> dict[str, tuple[Branch, str]]:
    """Block path -> (branch, message) for every block that failed to build."""
    failures: dict[str, tuple[Branch, str]] = {}
    probes = branch_probes(space)
    for done, (end, params) in enumerate(probes):
        if time.perf_counter() > deadline:
            warnings.warn(
                f"search.build_check: stopped after {done} of {len(probes)} builds of "
                f"space '{space.name}' (time limit); the rest is checked by the trials",
                stacklevel=3,
            )
            break
        keras.backend.clear_session(free_memory=False)
        try:
            build_model(space.resolve(params), dataset.schema, dataset.target, base_dir)
        except Exception as exc:  # every build error is the space's
            path, branch, message = _culprit(space, params, exc)
            failures.setdefault(
                path, (branch, f"cannot be built with params at their {end} ends: {message}")
            )
    keras.backend.clear_session(free_memory=False)
    return failures


def _culprit(
    space: SearchSpace, params: Mapping[str, Any], exc: Exception
) -> tuple[str, Branch, str]:
    """The dotted path and branch of the block that raised, and the error's message."""
    layout = space.layout(params)
    message = str(exc)
    found = _BLOCK.match(message)
    if found and int(found.group(1)) < len(layout):
        path, branch = layout[int(found.group(1))]
        return path, branch, message[found.end() :]
    family = space.template.name if not isinstance(space.template, Mapping) else None
    branch = ((family, params[family]),) if family else ()
    return (
        (f"{params[family]}.model" if family else "model"),
        branch,
        f"{type(exc).__name__}: {message}",
    )


def _prune(space: SearchSpace, path: str, branch: Branch, message: str) -> SearchSpace:
    """``space`` without the innermost option of ``branch`` that can be dropped."""
    for choice, label in reversed(branch):
        if choice not in space or label not in space[choice].domain.values:  # type: ignore[union-attr]
            return space  # already dropped with another failing block
        try:
            pruned = space.without(choice, label)
        except ValueError:
            continue  # its last option: drop the option that holds this choice instead
        warnings.warn(
            f"search.build_check: dropped option '{label}' of {choice}: {path} {message}",
            stacklevel=4,
        )
        return pruned
    raise SpecError(
        f"{message}; no choice holds this block, so it cannot be pruned: fix the space",
        path=path,
    )
