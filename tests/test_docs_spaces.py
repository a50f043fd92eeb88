"""docs/search-spaces.md lists every shipped space, with its data kinds (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

from archsmith.search_space import shipped_spaces
from archsmith.spec import read_yaml

DOC = Path(__file__).resolve().parents[1] / "docs" / "search-spaces.md"


def test_the_spaces_table_matches_the_package() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("| Space | Data kinds (`for`) |", 1)[1].split("\n\n", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| ([\w, ]+) \|", table, flags=re.MULTILINE))
    spaces = shipped_spaces()
    assert set(rows) == set(spaces)
    assert f"archsmith ships {len(spaces)} spaces" in text
    for name, path in spaces.items():
        kinds = (read_yaml(path).data or {}).get("for", ["tabular"])
        kinds = kinds if isinstance(kinds, list) else [kinds]
        assert rows[name] == ", ".join(kinds), name
    assert "always `tabular`" not in text and "ships two spaces" not in text
