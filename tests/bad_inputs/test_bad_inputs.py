"""Every case of the bad-input catalogue (``cases.py``) fails the same clear way.

In Python: the expected exception type, with a message naming the file and line or the
field path. From the command line: exit status 2, the message on stderr, no traceback.
Predict-time cases check a fitted ``AutoModel`` (there is no ``predict`` command yet).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cases import ALL
from cases import Case

from archsmith.cli import main
from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError

WRONG = "not-the-password"


def write_case(case: Case, tmp: Path, pg: Any) -> Path:
    decl = case.decl
    if case.needs == "pg":
        decl = decl.replace("{pg_wrong}", pg.url("postgres", WRONG))
        decl = decl.replace("{pg_nodb}", pg.url("no_such_db"))
    path = tmp / "x.yaml"
    path.write_text(decl)
    for name, content in case.files.items():
        target = tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return path


def call(command: str, path: Path) -> None:
    """What the CLI command does, through the Python API."""
    from archsmith.builders import CATALOG
    from archsmith.runner import run_search
    from archsmith.search_space import load_space
    from archsmith.spec import load_experiment

    if command == "validate":
        exp = load_experiment(path)
        load_space(exp.search.space, CATALOG, exp.base_dir)
    else:
        run_search(path)


def test_the_catalogue_has_at_least_60_cases() -> None:
    assert len(ALL) + len(PREDICT) >= 60
    assert len({c.id for c in ALL}) == len(ALL)


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_bad_input(case: Case, in_tmp: Path, request: pytest.FixtureRequest, capsys) -> None:
    pg = request.getfixturevalue("pg") if case.needs == "pg" else None
    path = write_case(case, in_tmp, pg)
    with pytest.raises(case.error) as info:
        call(case.command, path)
    message = str(info.value)
    for where in case.where:
        assert where in message, f"{where!r} not in: {message}"
    if pg is not None:
        assert pg.password not in message and WRONG not in message
    assert "hunter2" not in message
    capsys.readouterr()
    status = main([case.command, str(path)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    assert case.where[0] in err
    if isinstance(info.value, SpecError) and info.value.line:
        assert info.value.file and Path(info.value.file).name in message


def _frame(fitted: Any) -> pd.DataFrame:
    return fitted[1].drop(columns=["y"]).head(5).copy()


PREDICT = [
    ("missing-column", lambda f: f.drop(columns=["age"]), ("age",)),
    ("all-columns-missing", lambda f: f[[]], ("missing column",)),
    ("renamed-column", lambda f: f.rename(columns={"city": "town"}), ("city",)),
    ("text-in-numeric-column", lambda f: f.assign(age="old"), ("'age'", "numeric")),
    ("list-in-numeric-column", lambda f: f.assign(income=[[1]] * len(f)), ("'income'",)),
    ("array-too-few-features", lambda f: f.to_numpy()[:, :2], ("2 features", "expecting 4")),
    ("array-too-many-features", lambda f: np.ones((3, 9)), ("9 features", "expecting 4")),
    ("array-3d", lambda f: np.ones((2, 2, 2)), ("shape (2, 2, 2)",)),
]


@pytest.mark.parametrize(("build", "where"), [p[1:] for p in PREDICT], ids=[p[0] for p in PREDICT])
def test_bad_predict_input(fitted: Any, build: Any, where: tuple[str, ...]) -> None:
    model = fitted[0]
    with pytest.raises(DataError) as info:
        model.predict(build(_frame(fitted)))
    for text in where:
        assert text in str(info.value)
