"""Property-based fuzzing (Hypothesis): archsmith succeeds or raises its own error with a
location, never a raw exception, never a silent wrong answer. Bounded for CI (well under
60 s in all); ``benchmarks/fuzz.py`` runs the same checks for tens of thousands of cases.
"""

from __future__ import annotations

import os

import pandas as pd
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings

from fuzzing import check_declaration
from fuzzing import check_predict_rows
from fuzzing import check_space
from fuzzing import check_table
from fuzzing import declarations
from fuzzing import labelled_tables
from fuzzing import predict_rows
from fuzzing import spaces

EXAMPLES = int(os.environ.get("ARCHSMITH_FUZZ_EXAMPLES", "60"))
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@BOUNDED
@given(declarations())
def test_declarations(text: str) -> None:
    assert check_declaration(text) is None, check_declaration(text)


@BOUNDED
@given(spaces())
def test_search_spaces(text: str) -> None:
    assert check_space(text) is None, check_space(text)


@BOUNDED
@given(labelled_tables())
def test_data_tables(case: tuple[pd.DataFrame, str]) -> None:
    failure = check_table(*case)
    assert failure is None, failure


@BOUNDED
@given(predict_rows())
def test_predict_inputs(frame: pd.DataFrame) -> None:
    failure = check_predict_rows(frame)
    assert failure is None, failure
