"""The archsmith command line: search, resume, leaderboard, schema, ui, errors, start-up."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from archsmith.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def test_help_imports_no_backend() -> None:
    code = (
        "import sys, archsmith.cli as c; c.build_parser().format_help(); "
        "print(sorted(m for m in ('tensorflow', 'keras', 'mlflow', 'optuna', 'pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "archsmith", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("search", "leaderboard", "predict", "export", "ui", "schema", "validate"):
        assert command in out.stdout


def test_search_then_leaderboard_from_a_yaml_example(in_tmp: Path, capsys) -> None:
    assert main(["search", str(EXAMPLES / "wine.yaml"), "--max-trials", "2"]) == 0
    out = capsys.readouterr().out
    assert "[  2/2] trial 1" in out
    assert "best: trial" in out and "test accuracy" in out
    assert "archsmith ui" in out
    assert (in_tmp / "mlruns" / "mlflow.db").is_file()
    assert main(["leaderboard", "wine", "--csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("trial,state,score") and len(rows) == 3
    # the two families of wine.yaml are searched through one `family` param
    assert "family" in rows[0]

    # predict and export with the search's best model, from the command line
    import pandas as pd

    from archsmith import load_model
    from archsmith.served import load_served

    wine = pd.read_csv(EXAMPLES / "data" / "wine.csv")
    assert main(["predict", "wine", str(EXAMPLES / "data" / "wine.csv"), "-o", "p.csv"]) == 0
    written = pd.read_csv(in_tmp / "p.csv")["prediction"]
    assert len(written) == len(wine) and set(written) <= set(wine["cultivar"])
    assert (written == wine["cultivar"]).mean() > 0.5  # a trained model, not a constant
    served = load_served("wine", "mlruns").predict(wine)
    assert list(written) == list(served)
    capsys.readouterr()
    assert main(["export", "wine", "best"]) == 0
    assert "exported to best.keras" in capsys.readouterr().out
    exported = load_model(in_tmp / "best.keras")
    assert {i.name for i in exported.inputs} >= {"alcohol", "magnesium"}
    # a table without a training column: one clear message, exit 2
    wine.drop(columns=["magnesium"]).to_csv(in_tmp / "bad.csv", index=False)
    assert main(["predict", "wine", "bad.csv"]) == 2
    err = capsys.readouterr().err
    assert "magnesium" in err and "Traceback" not in err
    assert main(["predict", "nowine", "bad.csv"]) == 2  # an unknown name is a usage error
    assert "no search named 'nowine'" in capsys.readouterr().err


def test_resume_flag_continues_the_search(in_tmp: Path, capsys) -> None:
    decl = in_tmp / "x.yaml"
    decl.write_text(
        (EXAMPLES / "churn.yaml")
        .read_text()
        .replace("data/churn.csv", str(EXAMPLES / "data" / "churn.csv"))
        .replace("max_trials: 8", "max_trials: 3")
        .replace("epochs: 40", "epochs: 2")
    )
    assert main(["search", str(decl), "--max-trials", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["search", str(decl), "--resume"]) == 0
    out = capsys.readouterr().out
    assert "[  2/3] trial 1" in out and "[  3/3] trial 2" in out
    assert "trial 0 " not in out.split("best:")[0].split("(resumed)")[1].split("\n ")[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: x\ntask: {type: classification, target: y, metrik: auc}\n",
            "x.yaml:2: task.metrik: unknown key 'metrik'",
        ),
        (
            "name: x\ntask: {type: classification, target: y}\nsearch:\n  max_trials: lots\n",
            "x.yaml:4: search.max_trials: input should be a valid integer",
        ),
        (
            "name: x\ntask: {type: classification, target: nope}\ndata: {train: d.csv}\n",
            "target column 'nope' not found; the data has columns ['a', 'y']",
        ),
        (
            "name: x\ntask: {type: classification, target: y}\ndata: {train: d.csv}\n"
            "search: {space: [mlpp]}\n",
            "unknown search space 'mlpp'",
        ),
    ],
)
def test_errors_print_one_message_and_exit_2(in_tmp: Path, text: str, expected: str) -> None:
    (in_tmp / "d.csv").write_text("a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    (in_tmp / "x.yaml").write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "archsmith", "search", "x.yaml"],
        capture_output=True,
        text=True,
        cwd=in_tmp,
    )
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_and_schema_and_spaces(capsys) -> None:
    assert main(["validate", str(EXAMPLES / "churn.yaml")]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"task", "data", "search", "training", "tracking"} <= set(schema["properties"])
    assert main(["spaces"]) == 0
    assert "mlp" in capsys.readouterr().out


def test_usage_error_exits_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "archsmith", "search"], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "usage:" in proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ui_serves_the_store_on_loopback(in_tmp: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "archsmith", "ui", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    status = resp.status
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert status == 200, proc.stdout.read().decode() if proc.poll() is not None else ""
        listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
        addresses = [
            line.split()[3]
            for line in listening.splitlines()
            if line.split()[3].endswith(f":{port}")
        ]
        assert addresses and all(a.startswith("127.0.0.1:") for a in addresses), addresses
        assert (in_tmp / "mlruns" / "mlflow.db").is_file()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
