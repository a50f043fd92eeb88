"""Hypothesis strategies and checks shared by tests/test_fuzz.py and benchmarks/fuzz.py.

Each ``check_*`` function runs archsmith on one generated input and returns None when
archsmith either succeeded or raised one of its own errors with a location, else a short
description of the failure (a raw exception, an error without location, or a silent wrong
answer). Nothing here trains a model.
"""

from __future__ import annotations

import math
import tempfile
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from hypothesis import strategies as st

from archsmith.builders import CATALOG
from archsmith.datasets import FLOAT32_MAX
from archsmith.datasets import load_dataset
from archsmith.exceptions import ArchsmithError
from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError
from archsmith.search_space import load_space
from archsmith.search_space import shipped_spaces
from archsmith.spec import load_experiment

# -- values ---------------------------------------------------------------------------------
_WORDS = st.sampled_from(
    [
        "",
        "x",
        "y",
        "mlp",
        "auto",
        "classification",
        "regression",
        "optuna",
        "random",
        "accuracy",
        "20m",
        "1e400",
        "nan",
        "inf",
        "-1",
        "2",
        "true",
        "null",
        "é",
        "\u202e",
        "a.b",
        "../x",
        "*",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    _WORDS,
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_WORDS, st.text(max_size=6)), inner, max_size=4),
    ),
    max_leaves=12,
)

_SECTIONS: dict[str, list[str]] = {
    "task": ["type", "target", "metric", "threshold", "horizon", "lookback", "classes"],
    "data": ["train", "validation", "test", "seed", "drop", "kind", "max_categories"],
    "search": [
        "engine",
        "algorithm",
        "space",
        "max_trials",
        "time_budget",
        "seed",
        "storage",
        "pruner",
        "objectives",
        "warm_start",
        "retries",
        "constraints",
    ],
    "training": ["epochs", "batch_size", "early_stopping", "jit_compile"],
    "tracking": ["uri"],
}
_BASE: dict[str, Any] = {
    "name": "fuzz",
    "task": {"type": "classification", "target": "y"},
    "data": {"train": "data.csv"},
    "search": {"max_trials": 2},
    "training": {"epochs": 1},
}


@st.composite
def declarations(draw: st.DrawFn) -> str:
    """YAML text: a valid declaration with random keys set to random values, or noise."""
    if draw(st.integers(0, 9)) == 0:  # raw text now and then
        return draw(st.text(max_size=200))
    data: dict[Any, Any] = yaml.safe_load(yaml.safe_dump(_BASE))
    for _ in range(draw(st.integers(0, 4))):
        section = draw(st.sampled_from([*_SECTIONS, "name", "extra"]))
        if section in _SECTIONS:
            key = draw(st.one_of(st.sampled_from(_SECTIONS[section]), st.text(max_size=6)))
            part = data.setdefault(section, {})
            if isinstance(part, dict):
                part[key] = draw(VALUES)
            else:
                data[section] = draw(VALUES)
        else:
            data[section if section != "extra" else draw(SCALARS)] = draw(VALUES)
    return _dump(data)


def _dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError, TypeError):
        return "name: fuzz\n"


def _shipped_space() -> dict[str, Any]:
    return dict(yaml.safe_load(Path(shipped_spaces()["mlp"]).read_text()))


_SPACE_KEYS = ["type", "low", "high", "log", "values", "step", "when", "default", "repeat"]


@st.composite
def spaces(draw: st.DrawFn) -> str:
    """YAML text: the shipped mlp space with random params, blocks and values changed."""
    data: Any = _shipped_space()
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(["block", "optimizer", "top", "model"]))
        value = draw(VALUES)
        if where == "block":
            model = data.get("model")
            first = model[0] if isinstance(model, list) and model else None
            block = first.get("dense_stack") if isinstance(first, dict) else None
            if not isinstance(block, dict):
                continue
            param = draw(st.sampled_from([*block, "new"]))
            key = draw(st.sampled_from(_SPACE_KEYS))
            if isinstance(block.get(param), dict):
                block[param][key] = value
            else:
                block[param] = value
        elif where == "optimizer":
            opt = data.get("optimizer")
            if not isinstance(opt, dict):
                continue
            param = draw(st.sampled_from([*opt, "new"]))
            if isinstance(opt.get(param), dict):
                opt[param][draw(st.sampled_from(_SPACE_KEYS))] = value
            else:
                opt[param] = value
        elif where == "model":
            data["model"] = draw(
                st.one_of(st.just([{draw(st.text(max_size=8)): value}]), st.just(value))
            )
        else:
            data[draw(st.sampled_from(["name", "for", "batch_size", "description", "x"]))] = value
    return _dump(data)


# -- tables ---------------------------------------------------------------------------------
_NAMES = st.one_of(
    st.sampled_from(["a", "b", "age", "y ", "", "é", "名前", "a", "1", "\t", "x.y", "NaN"]),
    st.text(min_size=0, max_size=5),
)


def _column(kind: str, n: int, draw: st.DrawFn) -> list[Any]:
    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    cells = {
        "float": floats,
        "huge": st.sampled_from([1e300, -1e300, 3.5e38, 1.0, np.nan, 2.0]),
        "int": st.integers(-1000, 1000),
        "bool": st.booleans(),
        "text": st.sampled_from(["a", "b", "c", "N/A", "-", "", "é"]),
        "mixed": st.one_of(floats, st.sampled_from(["a", "N/A", "-"]), st.none()),
        "nested": st.one_of(st.none(), st.lists(st.integers(), max_size=2), st.just({"k": 1})),
        "date": st.sampled_from(["2024-01-01", "2024-02-03", "2023-12-31", None]),
        "none": st.none(),
    }[kind]
    return [draw(cells) for _ in range(n)]


_KINDS = ["float", "huge", "int", "bool", "text", "mixed", "nested", "date", "none"]


@st.composite
def tables(draw: st.DrawFn, min_rows: int = 0) -> pd.DataFrame:
    """A small DataFrame: random dtypes, NaN/inf, duplicate/unicode/empty names, 0-40 rows."""
    n = draw(st.integers(min_rows, 40))
    columns = draw(st.lists(st.tuples(_NAMES, st.sampled_from(_KINDS)), min_size=0, max_size=5))
    data = [_column(kind, n, draw) for _, kind in columns]
    frame = pd.DataFrame(dict(enumerate(data)), index=range(n))
    frame.columns = [name for name, _ in columns]
    return frame


@st.composite
def labelled_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, str]:
    """A table plus a target column ``y`` (classes or numbers, sometimes broken)."""
    frame = draw(tables())
    n = len(frame)
    kind = draw(st.sampled_from(["classes", "numbers", "broken"]))
    if kind == "classes":
        y: list[Any] = [draw(st.sampled_from(["yes", "no", "maybe"])) for _ in range(n)]
    elif kind == "numbers":
        y = [draw(st.floats(-10, 10)) for _ in range(n)]
    else:
        y = _column(draw(st.sampled_from(_KINDS)), n, draw)
    frame = frame.copy()
    frame["y"] = pd.Series(y, index=frame.index, dtype=object)
    return frame, draw(st.sampled_from(["classification", "regression"]))


# -- checks ---------------------------------------------------------------------------------
def _raw(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return f"{type(exc).__name__}: {str(exc)[:300]}\n{''.join(lines[-4:])}"


def check_declaration(text: str) -> str | None:
    """load_experiment on a file: success or a SpecError naming the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "decl.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_experiment(path)
        except SpecError as exc:
            if not exc.issues or any(issue.file != str(path) for issue in exc.issues):
                return f"SpecError without the file as location: {exc}"
        except Exception as exc:
            return _raw(exc)
    return None


def check_space(text: str) -> str | None:
    """load_space on a file: success or a SpecError naming the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "space.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_space(str(path), CATALOG)
        except SpecError as exc:
            if not any(issue.file or issue.path for issue in exc.issues):
                return f"SpecError without location: {exc}"
        except Exception as exc:
            return _raw(exc)
    return None


def _experiment(task: str, drop: tuple[str, ...] = ()) -> Any:
    return load_experiment(task={"type": task, "target": "y"}, data={"drop": list(drop)})


def check_table(frame: pd.DataFrame, task: str) -> str | None:
    """load_dataset on a table: a dataset whose inputs are finite, or a DataError/SpecError."""
    exp = _experiment(task)
    try:
        dataset = load_dataset(frame, task=exp.task, data=exp.data)
    except (DataError, SpecError):
        return None
    except Exception as exc:
        return _raw(exc)
    for split in (dataset.train, dataset.validation):
        for key, arr in dict(split.x).items():
            numbers = np.asarray(arr)
            if numbers.dtype.kind == "f" and (
                np.isinf(numbers).any() or (np.abs(np.nan_to_num(numbers)) > FLOAT32_MAX).any()
            ):
                return f"silent wrong answer: input {key!r} holds inf or an overflow"
    return None


_REFERENCE: dict[str, Any] = {}


def reference_schema() -> Any:
    """The schema of a valid mixed table (numbers, categories, booleans), built once."""
    if "schema" not in _REFERENCE:
        from conftest import mixed_frame

        exp = _experiment("classification")
        _REFERENCE["schema"] = load_dataset(mixed_frame(60), task=exp.task, data=exp.data).schema
    return _REFERENCE["schema"]


def check_predict_rows(frame: pd.DataFrame) -> str | None:
    """A fitted schema turning rows into network inputs: finite arrays or a DataError."""
    schema = reference_schema()
    try:
        arrays = schema.raw_inputs(frame)
    except DataError as exc:
        return None if str(exc) else "empty DataError"
    except ArchsmithError:
        return None
    except Exception as exc:
        return _raw(exc)
    for key, arr in arrays.items():
        if arr.dtype.kind == "f":
            finite = arr[~np.isnan(arr)]
            if not all(math.isfinite(v) and abs(v) <= FLOAT32_MAX for v in finite.ravel()):
                return f"silent wrong answer: column {key!r} passes inf or an overflow"
    return None


@st.composite
def predict_rows(draw: st.DrawFn) -> pd.DataFrame:
    """Rows for the reference schema: its columns, sometimes broken, plus random extras."""
    from conftest import mixed_frame

    n = draw(st.integers(0, 8))
    frame = mixed_frame(max(n, 1)).drop(columns="y").head(n).reset_index(drop=True)
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from([*frame.columns, "extra", "age"]))
        kind = draw(st.sampled_from(_KINDS))
        column = pd.Series(_column(kind, n, draw), index=frame.index, dtype=object)
        if name in frame.columns and draw(st.booleans()):
            frame = pd.concat([frame, column.rename(name)], axis=1)  # a duplicate name
        else:
            frame = pd.concat(
                [frame.drop(columns=[name], errors="ignore"), column.rename(name)], axis=1
            )
    if draw(st.integers(0, 9)) == 0 and len(frame.columns):
        frame = frame.drop(columns=draw(st.sampled_from(list(frame.columns))))
    return frame


__all__ = [
    "check_declaration",
    "check_predict_rows",
    "check_space",
    "check_table",
    "declarations",
    "labelled_tables",
    "predict_rows",
    "spaces",
    "tables",
]
