"""Security: safe YAML, Keras safe mode, the UI on 127.0.0.1, passwords never written."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import keras
import pytest
import yaml

from archsmith.builders import load_model
from archsmith.cli import Ui
from archsmith.cli import build_parser
from archsmith.cli import main
from archsmith.exceptions import SpecError
from archsmith.spec import load_experiment
from conftest import ROOT
from conftest import mixed_frame


def test_yaml_tags_that_run_code_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    decl = tmp_path / "x.yaml"
    decl.write_text(f"name: x\ntask: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(SpecError, match=r"x\.yaml:2"):
        load_experiment(decl)
    assert not marker.exists()


def test_source_loads_yaml_only_safely() -> None:
    unsafe = re.compile(r"yaml\.(load|unsafe_load|full_load)\(|Loader=yaml\.(Loader|FullLoader)")
    offenders = [str(p) for p in (ROOT / "src").rglob("*.py") if unsafe.search(p.read_text())]
    assert offenders == []


def test_models_are_loaded_in_safe_mode(tmp_path: Path) -> None:
    inputs = keras.Input((2,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    path = tmp_path / "lambda.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(ValueError, match=r"(?i)safe"):
        load_model(path)
    source = "\n".join(p.read_text() for p in (ROOT / "src").rglob("*.py"))
    loads = re.findall(r"keras\.(?:saving\.|models\.)?load_model\([^)]*\)", source)
    assert loads and all("safe_mode=True" in c for c in loads)


def test_ui_binds_localhost_unless_told() -> None:
    parser = build_parser()
    default, _ = Ui().command(parser.parse_args(["ui"]))
    assert default[default.index("--host") + 1] == "127.0.0.1"
    chosen, _ = Ui().command(parser.parse_args(["ui", "--host", "0.0.0.0"]))
    assert chosen[chosen.index("--host") + 1] == "0.0.0.0"


def test_storage_password_is_nowhere_in_the_store_or_the_logs(pg, in_tmp: Path, capsys) -> None:
    url = pg.create_db("secret_search")
    mixed_frame(120).to_csv(in_tmp / "data.csv", index=False)
    decl = in_tmp / "s.yaml"
    decl.write_text(
        yaml.safe_dump(
            {
                "name": "secret",
                "task": {"type": "classification", "target": "y"},
                "data": {"train": "data.csv"},
                "search": {"max_trials": 2, "storage": url},
                "training": {"epochs": 1},
                "tracking": {"uri": "mlruns"},
            }
        )
    )
    log_file = in_tmp / "archsmith.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        assert main(["search", str(decl)]) == 0
        assert main(["worker", str(decl), "--max-trials", "3"]) == 0
        assert main(["doctor", "secret", "--storage", url]) == 0
        assert main(["leaderboard", "secret", "--csv"]) == 0
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    out = capsys.readouterr()
    secret = pg.password.encode()
    assert secret not in (out.out + out.err).encode()
    assert secret not in log_file.read_bytes()
    assert b"engine storage postgresql://archsmith:***@127.0.0.1" in log_file.read_bytes()
    files = [p for p in (in_tmp / "mlruns").rglob("*") if p.is_file()]
    assert any(p.name == "mlflow.db" for p in files) and len(files) > 10
    assert [p for p in files if secret in p.read_bytes()] == []
    # the masked URL was logged (in the database or its write-ahead log, mlflow.db-wal)
    store = b"".join(p.read_bytes() for p in files if p.name.startswith("mlflow.db"))
    assert b":***@127.0.0.1" in store
