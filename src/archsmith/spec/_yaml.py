"""Safe YAML loading that remembers where every value came from.

Only ``yaml.SafeLoader`` constructs values, within the bounds of ``_limits`` (file size,
nesting, alias expansion). Duplicate keys, which PyYAML silently resolves to the last one,
are reported as errors with both lines.
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
from archsmith.spec._limits import BoundedLoader
from archsmith.spec._limits import check_expansion
from archsmith.spec._limits import check_size
from archsmith.spec._limits import read_text

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
        # a key such as ``null:`` or ``1:`` may come back from validation as a string
        spelled = {tuple(str(p) for p in k): v for k, v in self.lines.items()}
        while True:
            if loc in self.lines:
                return self.lines[loc]
            if tuple(str(p) for p in loc) in spelled:
                return spelled[tuple(str(p) for p in loc)]
            if not loc:
                return None
            loc = loc[:-1]

    def issue(self, loc: Loc, message: str) -> SpecIssue:
        return SpecIssue(path=dotted(loc), message=message, file=self.file, line=self.line_of(loc))


def dotted(loc: Loc) -> str:
    """A location as the dotted key users read: ``search.space.params.lr``."""
    return ".".join(str(p) for p in loc)


def _key(key_node: yaml.Node) -> Any:
    """The key as the loader builds it (``1:`` is the int 1, ``null:`` is None)."""
    if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:str":
        try:
            return yaml.SafeLoader("").construct_object(key_node)
        except yaml.YAMLError:
            return key_node.value
    return key_node.value


def _walk(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], dupes: list[SpecIssue], file: str | None
) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
            if isinstance(key, list | dict):
                continue  # the constructor has refused unhashable keys already
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
        SpecError: on malformed YAML (with the line and column), duplicate keys, or a text
            over the limits of ``archsmith.spec._limits`` (size, nesting, alias expansion).
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), file)
    loader = None
    try:
        loader = BoundedLoader(text, file)  # its reader refuses control characters
        node = loader.get_single_node()
        if node is not None:
            check_expansion(node, file)
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
        if loader is not None:
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
    return parse_yaml(read_text(path), file=str(path))
