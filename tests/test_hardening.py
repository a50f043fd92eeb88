"""Issue 15: bounded YAML, masked URLs, numeric sanity, safe predict, signals, logging."""

from __future__ import annotations

import subprocess
import sys
import textwrap
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


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://user:secret@127.0.0.1:1/x", "postgresql://user:***@127.0.0.1:1/x"),
        ("postgresql://u:p@ss:secret@h/db", "postgresql://u:***@h/db"),
        ("sqlite:///m.db?password=secret&mode=ro", "sqlite:///m.db?password=***&mode=ro"),
        ("http://h:5000/?pwd=secret;token=secret", "http://h:5000/?pwd=***;token=***"),
        ("postgresql://h/db?sslpassword=secret&api_key=secret", None),
        ("mlruns", "mlruns"),
    ],
)
def test_mask_url_masks_userinfo_and_secret_query_params(url: str, shown: str | None) -> None:
    masked = mask_url(url)
    assert "secret" not in masked
    if shown is not None:
        assert masked == shown


def _tiny_declaration(folder: Path, tracking: str, storage: str | None = None) -> Path:
    import yaml

    from conftest import mixed_frame

    mixed_frame(60).to_csv(folder / "data.csv", index=False)
    search: dict[str, object] = {"max_trials": 1}
    if storage:
        search["storage"] = storage
    decl = folder / ("tiny.yaml" if storage is None else "tiny_storage.yaml")
    decl.write_text(
        yaml.safe_dump(
            {
                "name": "tiny",
                "task": {"type": "classification", "target": "y"},
                "data": {"train": "data.csv"},
                "search": search,
                "training": {"epochs": 1},
                "tracking": {"uri": tracking},
            }
        )
    )
    return decl


@pytest.mark.slow
def test_no_secret_of_any_url_in_stdout_stderr_or_the_store(in_tmp: Path, capsys) -> None:
    from archsmith.cli import main

    store = in_tmp / "store"
    store.mkdir()
    tracking = f"sqlite:///{store / 'mlflow.db'}?password=HUNTER2"
    assert main(["search", str(_tiny_declaration(in_tmp, tracking))]) == 0
    assert "browse: archsmith ui --tracking-uri sqlite:///" in capsys.readouterr().out
    bad = "postgresql://user:HUNTER2@127.0.0.1:1/x"
    assert main(["search", str(_tiny_declaration(in_tmp, tracking, storage=bad))]) == 2
    for uri in (bad, tracking, "postgresql://127.0.0.1:1/x?password=HUNTER2"):
        for argv in (
            ["leaderboard", "nope"],
            ["export", "nope", "m.keras"],
            ["predict", "nope", "data.csv"],
            ["doctor", "nope"],
            ["doctor", "tiny", "--storage", bad],
        ):
            assert main([*argv, "--tracking-uri", uri]) != 0
    out = capsys.readouterr()
    assert "user:***@127.0.0.1" in out.err and "password=***" in out.err
    text = out.out + out.err
    assert "HUNTER2" not in text, [line for line in text.splitlines() if "HUNTER2" in line]
    written = [p for p in in_tmp.rglob("*") if p.is_file() and p.suffix != ".yaml"]
    assert len(written) > 10
    assert [p for p in written if b"HUNTER2" in p.read_bytes()] == []


def test_cli_shows_archsmith_warnings_on_stderr_one_line_each(in_tmp: Path, capsys) -> None:
    import pandas as pd

    from archsmith.cli import main

    pd.DataFrame({"x": [1.0, 2.0, 3.0], "empty": [None] * 3, "y": ["a", "b", "a"]}).to_csv(
        "few.csv", index=False
    )
    decl = in_tmp / "few.yaml"
    decl.write_text("name: few\ntask: {type: classification, target: y}\ndata: {train: few.csv}\n")
    assert main(["search", str(decl)]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("archsmith: warning:")]
    assert lines == ["archsmith: warning: dropping column(s) with no values: ['empty']"]


def test_cli_usage_errors_exit_2_and_read_only_commands_create_no_store(
    in_tmp: Path, capsys
) -> None:
    from archsmith.cli import main

    for rows in ("0", "-1", "x"):
        with pytest.raises(SystemExit) as info:
            main(["leaderboard", "any", "--rows", rows])
        assert info.value.code == 2
    for argv in (
        ["leaderboard", "nope"],
        ["doctor", "nope"],
        ["export", "nope", "m.keras"],
        ["predict", "nope", "rows.csv"],
    ):
        assert main(argv) == 2
        assert "no tracking store" in capsys.readouterr().err
    assert list(in_tmp.iterdir()) == []


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("search: {max_trials: true}", "search.max_trials: input should be a valid integer"),
        ("training: {epochs: '2'}", "training.epochs: input should be a valid integer"),
        ("training: {jit_compile: 1}", "training.jit_compile: input should be a valid boolean"),
        ("data: {validation: '0.2'}", "data.validation: input should be a valid number"),
        ("search: {warm_start: 5}", "search.warm_start: got 5; expected points evaluated"),
    ],
)
def test_loose_declaration_types_are_refused_at_the_users_path(
    tmp_path: Path, section: str, message: str
) -> None:
    decl = tmp_path / "loose.yaml"
    decl.write_text(f"name: x\ntask: {{type: classification, target: y}}\n{section}\n")
    with pytest.raises(SpecError) as info:
        load_experiment(decl)
    assert str(info.value) == f"{decl}:3: {message}" or str(info.value).startswith(
        f"{decl}:3: {message}"
    )
    assert "tuple[" not in str(info.value) and "WarmStartSearch" not in str(info.value)
    assert len(info.value.issues) == 1


def test_durations_and_plain_numbers_still_load() -> None:
    exp = load_experiment(
        task={"type": "classification", "target": "y"},
        search={"time_budget": "20m", "max_trials": 3, "seed": None},
        data={"validation": 0.25},
    )
    assert exp.search.max_trials == 3 and exp.search.time_budget == 1200
