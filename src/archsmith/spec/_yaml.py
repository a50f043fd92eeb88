"""Safe YAML loading that remembers where every value came from.

Only ``yaml.SafeLoader`` constructs values. Duplicate keys, which PyYAML silently
resolves to the last one, are reported as errors with both lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from archsmith.exceptions import SpecError
from archsmith.exceptions import SpecIssue

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Source:
    """A parsed YAML document and the line of every key path in it.

    Attributes:
        data: the plain Python value (dicts, lists, scalars).
        file: the file name used in error messages, or None for in-memory text.
        lines: 1-based line for each path (tuple of keys and list indexes).
    """

    data: Any
    file: str | None = None
    lines: Mapping[Loc, int] = field(default_factory=dict)
    detached: frozenset[str] = frozenset()

    def line_of(self, loc: Loc) -> int | None:
        """Line of ``loc`` or of its nearest ancestor that has one.

        Sections in ``detached`` (given as keyword arguments, not read from the file) have
        no line.
        """
        loc = tuple(loc)
        if loc and loc[0] in self.detached:
            return None
        while True:
            if loc in self.lines:
                return self.lines[loc]
            if not loc:
                return None
            loc = loc[:-1]

    def issue(self, loc: Loc, message: str) -> SpecIssue:
        return SpecIssue(path=dotted(loc), message=message, file=self.file, line=self.line_of(loc))


def dotted(loc: Loc) -> str:
    """A location as the dotted key users read: ``search.space.params.lr``."""
    return ".".join(str(p) for p in loc)


def _walk(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], dupes: list[SpecIssue], file: str | None
) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                dupes.append(
                    SpecIssue(
                        path=dotted((*loc, key)),
                        message=f"duplicate key '{key}' (first defined on line {seen[key]}); "
                        "expected each key once per mapping",
                        file=file,
                        line=line,
                    )
                )
                continue
            seen[key] = line
            child = (*loc, key)
            lines[child] = line
            _walk(value_node, child, lines, dupes, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = (*loc, i)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, dupes, file)


def parse_yaml(text: str, file: str | None = None) -> Source:
    """Parse YAML text safely, keeping the line of every key.

    Raises:
        SpecError: on malformed YAML (with the line and column) or duplicate keys.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "malformed YAML"
        if "\t" in text and ("\t" in problem or "\\t" in problem or "tab" in problem):
            problem += " (YAML does not allow tabs for indentation; use spaces)"
        col = f" (column {mark.column + 1})" if mark else ""
        raise SpecError(
            [SpecIssue("", f"invalid YAML{col}: {problem}", file=file, line=line)]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError([SpecIssue("", f"invalid YAML: {exc}", file=file)]) from None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    dupes: list[SpecIssue] = []
    if node is not None:
        _walk(node, (), lines, dupes, file)
    if dupes:
        raise SpecError(dupes)
    return Source(data=data, file=file, lines=lines)


def read_yaml(path: str | Path) -> Source:
    """Read and parse a YAML file; a missing or unreadable file is a SpecError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([SpecIssue("", f"file not found: {path}", file=str(path))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([SpecIssue("", f"cannot read file: {exc}", file=str(path))]) from None
    return parse_yaml(text, file=str(path))
