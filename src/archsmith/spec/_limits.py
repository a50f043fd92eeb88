"""Bounds on every YAML file archsmith reads (declarations and search spaces).

A YAML file is small text, but aliases let a few hundred bytes stand for billions of
values (nine nested levels of ``&a [*b, *b, ...]``), and deep nesting exhausts the
parser's stack. Every YAML text goes through :class:`BoundedLoader` and
:func:`check_expansion` before a single Python value is built:

- ``MAX_YAML_BYTES``: the size of the file (1 MiB; a declaration is a few hundred bytes,
  the largest shipped space a few KiB);
- ``MAX_YAML_DEPTH``: the nesting of mappings and lists, aliases included;
- ``MAX_YAML_NODES``: the number of values once every alias is expanded; an alias that
  contains itself is refused.

Each breach is a :class:`~archsmith.exceptions.SpecError` with the file, the line and the
limit.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from archsmith.exceptions import SpecError
from archsmith.exceptions import SpecIssue

MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 100_000


def _error(message: str, file: str | None, line: int | None = None) -> SpecError:
    return SpecError([SpecIssue("", message, file=file, line=line)])


def check_size(size: int, file: str | None) -> None:
    """Refuse a YAML text over ``MAX_YAML_BYTES``."""
    if size > MAX_YAML_BYTES:
        raise _error(
            f"the YAML file is {size} bytes; the limit is {MAX_YAML_BYTES} bytes (1 MiB)", file
        )


def read_text(path: str | Path) -> str:
    """Read a YAML file as UTF-8 text, refusing it (before reading) when over the limit.

    Raises:
        SpecError: missing, unreadable, not UTF-8, or larger than ``MAX_YAML_BYTES``.
    """
    path = Path(path)
    try:
        check_size(path.stat().st_size, str(path))
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(f"file not found: {path}", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(f"cannot read file: {exc}", str(path)) from None


class BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses nesting deeper than ``MAX_YAML_DEPTH`` while it composes."""

    def __init__(self, stream: str, file: str | None = None) -> None:
        super().__init__(stream)
        self._file = file
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise _error(
                    f"YAML nested more than {MAX_YAML_DEPTH} levels deep; "
                    f"the limit is {MAX_YAML_DEPTH}",
                    self._file,
                    line,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_expansion(root: yaml.Node, file: str | None) -> None:
    """Refuse a document whose aliases expand past the node or depth limit, or loop.

    Counts each node once per place it appears (what walking the built values would
    visit), in time linear in the number of distinct nodes.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            on_path.discard(key)
            line = node.start_mark.line + 1
            if size[key] > MAX_YAML_NODES:
                raise _error(
                    f"YAML holds more than {MAX_YAML_NODES} values once aliases are "
                    f"expanded (from the value on this line); the limit is {MAX_YAML_NODES}",
                    file,
                    line,
                )
            if depth[key] > MAX_YAML_DEPTH:
                raise _error(
                    f"YAML aliases nest more than {MAX_YAML_DEPTH} levels deep; "
                    f"the limit is {MAX_YAML_DEPTH}",
                    file,
                    line,
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise _error(
                "a YAML alias refers to a value that contains it (a loop); expected "
                "aliases of complete values only",
                file,
                node.start_mark.line + 1,
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in size)


__all__ = [
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "BoundedLoader",
    "check_expansion",
    "check_size",
    "read_text",
]
