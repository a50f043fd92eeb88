"""Issue 15: bounded YAML, masked URLs, numeric sanity, safe predict, signals, logging."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from archsmith.exceptions import SpecError
from archsmith.spec import MAX_YAML_BYTES
from archsmith.spec import load_experiment
from archsmith.spec import mask_url
from archsmith.spec import parse_yaml
from conftest import ROOT


def _alias_bomb(levels: int = 9) -> str:
    lines = ["name: bomb", "task: {type: classification, target: y}", "data: {train: d.csv}"]
    lines.append("a0: &a0 [x, x, x, x, x, x, x, x, x]")
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


_CAPPED = textwrap.dedent(
    """
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024,) * 2)
    from archsmith.exceptions import SpecError
    {call}
    start = time.perf_counter()
    try:
        load(sys.argv[1])
    except SpecError as exc:
        print(f"{{time.perf_counter() - start:.3f}}")
        print(exc)
    """
)


@pytest.mark.parametrize(
    "call",
    [
        "from archsmith.spec import load_experiment as load",
        "from archsmith.builders import CATALOG\n"
        "from archsmith.search_space import load_space\n"
        "def load(path):\n    load_space(path, CATALOG)",
    ],
    ids=["declaration", "space"],
)
def test_alias_bomb_is_a_spec_error_within_two_seconds_under_a_memory_cap(
    tmp_path: Path, call: str
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb(9))
    assert len(bomb.read_bytes()) < 700
    script = tmp_path / "capped.py"
    script.write_text(_CAPPED.format(call=call))
    done = subprocess.run(
        [sys.executable, str(script), str(bomb)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seconds, message = done.stdout.split("\n", 1)
    assert float(seconds) < 2.0
    assert f"{bomb}:" in message and "100000" in message and "aliases" in message


def test_yaml_limits_on_size_nesting_and_loops(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "# padding\n" * (MAX_YAML_BYTES // 10 + 1))
    with pytest.raises(SpecError, match=r"big\.yaml: .*limit is 1048576 bytes"):
        load_experiment(big)
    with pytest.raises(SpecError, match=r"deep\.yaml:1: YAML nested more than 64"):
        parse_yaml("a: " + "[" * 10_000 + "]" * 10_000, "deep.yaml")
    with pytest.raises(SpecError, match=r"loop\.yaml:2: .*contains it"):
        parse_yaml("name: x\na: &a [1, *a]\n", "loop.yaml")
    ok = parse_yaml("base: &b {units: 8}\nx: *b\ny: *b\n", "ok.yaml")
    assert ok.data["y"] == {"units": 8}


def test_number_and_null_keys_are_reported_on_their_lines(tmp_path: Path) -> None:
    decl = tmp_path / "keys.yaml"
    decl.write_text("name: x\ntask: {type: classification, target: y}\n1: a\nnull: b\n")
    with pytest.raises(SpecError) as info:
        load_experiment(decl)
    lines = sorted(issue.line for issue in info.value.issues)
    assert lines == [3, 4]


def test_every_yaml_read_goes_through_the_bounded_loader() -> None:
    offenders = [
        str(p)
        for p in (ROOT / "src").rglob("*.py")
        if p.name not in ("_yaml.py", "_limits.py")
        and ("yaml.safe_load" in p.read_text() or "SafeLoader" in p.read_text())
    ]
    assert offenders == []
