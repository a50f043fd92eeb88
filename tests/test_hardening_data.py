"""Issue 15, items 3-4: no silent wrong answer and no raw traceback on bad tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from archsmith.datasets import as_frame
from archsmith.datasets import load_dataset
from archsmith.exceptions import DataError
from archsmith.spec import load_experiment
from conftest import mixed_frame


def _load(frame: pd.DataFrame, drop: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    exp = load_experiment(task={"type": "classification", "target": "y"}, data={"drop": list(drop)})
    return load_dataset(frame, task=exp.task, data=exp.data)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, 1e300, -5e38])
def test_infinite_or_float32_overflowing_feature_is_a_data_error_naming_column_and_row(
    bad: float,
) -> None:
    frame = mixed_frame(60)
    frame.loc[17, "income"] = bad
    frame.loc[40, "income"] = bad
    with pytest.raises(DataError, match=r"column 'income' .*first at row 17"):
        _load(frame)


def test_missing_values_stay_allowed() -> None:
    frame = mixed_frame(60)
    frame.loc[3, "age"] = np.nan
    assert _load(frame).schema.names


def test_nested_parquet_columns_are_a_data_error_unless_dropped(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = mixed_frame(60)
    frame["meta"] = [{"a": i, "b": str(i)} for i in range(60)]
    frame["tags"] = [[i, i + 1] for i in range(60)]
    path = tmp_path / "nested.parquet"
    frame.to_parquet(path)
    with pytest.raises(DataError, match=r"\['meta', 'tags'\] hold nested values"):
        _load(as_frame(path))
    with pytest.raises(DataError, match=r"\['tags'\] hold nested values"):
        _load(as_frame(path), drop=("meta",))
    dataset = _load(as_frame(path), drop=("meta", "tags"))
    assert "meta" not in dataset.schema.names and dataset.fingerprint


def test_duplicate_column_names_are_a_data_error() -> None:
    frame = pd.DataFrame([[1.0, 2.0, 3.0]], columns=["a", "a", "b"])
    with pytest.raises(DataError, match=r"duplicate column name\(s\) \['a'\]"):
        as_frame(frame)
    with pytest.raises(DataError, match=r"duplicate column name\(s\) \['1'\]"):
        as_frame(pd.DataFrame([[1.0, 2.0]], columns=[1, "1"]))


def test_schema_refuses_infinite_nested_and_duplicate_rows_in_predict() -> None:
    dataset = _load(mixed_frame(60))
    rows = mixed_frame(5).drop(columns="y")
    assert len(dataset.schema.raw_inputs(rows)["age"]) == 5
    rows.loc[2, "age"] = np.inf
    with pytest.raises(DataError, match=r"X column 'age' .*first at row 2"):
        dataset.schema.raw_inputs(rows)
    with pytest.raises(DataError, match=r"X column 'age' .*first at row 2"):
        dataset.schema.model_inputs(rows)
    rows.loc[2, "age"] = 1.0
    rows["city"] = [["paris"]] * 5
    with pytest.raises(DataError, match=r"\['city'\] hold nested"):
        dataset.schema.raw_inputs(rows)


def test_header_only_table_says_it_has_no_rows(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("a,b,y\n")
    with pytest.raises(DataError, match="no rows"):
        _load(as_frame(tmp_path / "h.csv"))


def test_unique_date_strings_get_the_dates_error() -> None:
    frame = mixed_frame(80)
    frame["day"] = [f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(80)]
    with pytest.raises(DataError, match="column 'day' holds dates"):
        _load(frame)


@pytest.mark.parametrize("stray", ["oops", "-", "?"])
@pytest.mark.parametrize("numbers", ["float", "int"])
def test_a_numeric_column_with_a_stray_string_is_named_not_an_identifier(
    stray: str, numbers: str
) -> None:
    frame = mixed_frame(80)
    values = frame["income"] if numbers == "float" else frame["income"].round().astype(int)
    frame["income"] = values.astype(object)
    frame.loc[33, "income"] = stray
    with pytest.raises(
        DataError,
        match=rf"'income' holds numbers except 1 value\(s\) \['{re.escape(stray)}'\] "
        r"\(first at row 33\)",
    ):
        _load(frame)
