"""Texts: a column of free text or a list of strings, vectorised inside the model.

A text input is one string per example; its :class:`TextSchema` holds the training
vocabulary (1- to 3-grams) and the typical length that the network's ``TextVectorization``
layers need, so the exported model takes raw strings. A table is a text dataset when its
one input column holds sentences (or ``data.kind: text``); a text column among other
columns is refused, since one dataset has one input.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import MAX_NGRAMS
from archsmith.datasets._arrays import MAX_VOCABULARY
from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._schema import register_schema
from archsmith.exceptions import DataError
from archsmith.spec import DataSpec

# the characters Keras' TextVectorization strips with "lower_and_strip_punctuation"
_PUNCTUATION = re.compile(r"[!\"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~']")


def tokens(text: str) -> list[str]:
    """Words as Keras' ``TextVectorization`` sees them (lower case, no punctuation)."""
    return _PUNCTUATION.sub("", text.lower()).split()


def ngrams(words: Sequence[str], n: int) -> list[str]:
    """The ``n``-grams of ``words``, joined by spaces (as ``TextVectorization`` joins them)."""
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


@dataclass(frozen=True)
class TextSchema(ArraySchema):
    """Schema of a text input: one string per example (see :class:`ArraySchema` for the
    vocabulary fields)."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name or "text",)

    def as_texts(self, data: Any, what: str = "X") -> np.ndarray:
        """Texts (a column, Series, list, 1-D array) -> ``(N, 1)`` array of str."""
        if isinstance(data, pd.DataFrame):
            column = self.name if self.name in data.columns else None
            if column is None and data.shape[1] == 1:
                column = str(data.columns[0])
            if column is None:
                raise DataError(
                    f"{what} has no text column '{self.name}'; got columns {list(data.columns)}"
                )
            data = data[column]
        series = pd.Series(np.asarray(data, dtype=object).reshape(-1))
        check_texts(series, self.name or "text", what)
        return series.to_numpy(dtype=object).reshape(-1, 1)

    def model_inputs(self, data: Any) -> dict[str, np.ndarray]:
        """Arrays for the trained network: the ``(N, 1)`` strings under :attr:`key`."""
        return {self.key: self.as_texts(data)}

    def raw_inputs(self, data: Any, strings: bool = True) -> dict[str, np.ndarray]:
        """Arrays for the exported model (the same as :meth:`model_inputs`).

        Raises:
            DataError: texts on a backend without string tensors (``strings=False``).
        """
        if not strings:
            raise DataError("text models take strings, which only the TensorFlow backend has")
        return self.model_inputs(data)

    def as_table(self, data: Any) -> pd.DataFrame:
        """The flat table form: the text column."""
        return pd.DataFrame({self.names[0]: self.as_texts(data).reshape(-1)})


def check_texts(series: pd.Series, name: str, what: str = "X") -> None:
    """Raise a DataError unless every value of ``series`` is a string."""
    bad = series.map(lambda v: not isinstance(v, str))
    if bad.any():
        rows = [int(i) for i in np.flatnonzero(bad.to_numpy())[:5]]
        first = series.iloc[rows[0]]
        raise DataError(
            f"{what}: text column '{name}' must hold strings, but {int(bad.sum())} value(s) are "
            f"not (first rows: {rows}; row {rows[0]} holds {first!r} of type "
            f"{type(first).__name__}); convert them to str or fill missing texts with ''"
        )


def text_schema(train: pd.Series, name: str) -> TextSchema:
    """Schema of training texts: their 1- to 3-gram vocabulary and typical length."""
    counts: list[Counter[str]] = [Counter() for _ in range(MAX_NGRAMS)]
    lengths = []
    for text in train:
        words = tokens(text)
        lengths.append(len(words))
        for n in range(1, MAX_NGRAMS + 1):
            counts[n - 1].update(ngrams(words, n))
    vocabulary: list[str] = []
    orders: list[int] = []
    for n, counter in enumerate(counts, start=1):
        kept = [t for t, c in counter.most_common(MAX_VOCABULARY) if n == 1 or c > 1]
        vocabulary += kept
        orders += [n] * len(kept)
    length = int(np.percentile(lengths, 95)) if lengths else 1
    return TextSchema(
        "text", (), name=name, vocabulary=tuple(vocabulary), orders=tuple(orders), length=length
    )


def looks_like_text(series: pd.Series) -> bool:
    """A column of sentences: mostly strings, most of several words, mostly distinct."""
    values = series.dropna()
    if len(values) == 0 or pd.api.types.is_numeric_dtype(series):
        return False
    strings = values[values.map(lambda v: isinstance(v, str))]
    if len(strings) < 0.5 * len(values):
        return False
    words = strings.map(lambda v: len(v.split()))
    return bool(words.median() >= 3 and strings.nunique() >= 0.5 * len(strings))


def _declared_text(frame: pd.DataFrame) -> str:
    """The one input column of a table declared text (``data.kind: text``)."""
    if frame.shape[1] != 1:
        raise DataError(
            "data.kind is text, so the table must have exactly one input column besides "
            f"the target, but it has {list(frame.columns)}; list the others under data.drop"
        )
    return str(frame.columns[0])


def _found_text(frame: pd.DataFrame) -> str | None:
    """The input column of a table (``data.kind: auto``) when it is its one column and
    holds sentences."""
    if frame.shape[1] == 1 and looks_like_text(frame.iloc[:, 0]):
        return str(frame.columns[0])
    return None


#: how each declared data kind finds a table's text column (other kinds have none)
_TEXT_COLUMN: dict[str, Callable[[pd.DataFrame], str | None]] = {
    "text": _declared_text,
    "auto": _found_text,
}


def text_column(frame: pd.DataFrame, data: DataSpec) -> str | None:
    """The text column of a table that is a text dataset, else None.

    Raises:
        DataError: a table declared text with more than one input column.
    """
    find = _TEXT_COLUMN.get(data.kind)
    return None if find is None else find(frame)


#: rows of a column looked at to tell free text from categories
_TEXT_SAMPLE = 2000


def refuse_mixed_text(frame: pd.DataFrame) -> None:
    """Raise a DataError when a table of several input columns holds a column of free text.

    One dataset has one input: a text column alone is a text dataset (vectorised inside
    the model), and a table without text is tabular. A column of sentences among others
    would otherwise be read as a category of mostly unique values.
    """
    if frame.shape[1] < 2:
        return
    texts = [
        str(c)
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c])
        and looks_like_text(frame[c].iloc[:_TEXT_SAMPLE])
    ]
    if texts:
        raise DataError(
            f"column(s) {texts} hold free text (sentences), but the table has "
            f"{frame.shape[1]} input columns {[str(c) for c in frame.columns][:10]}; a table "
            "that mixes a text column with other columns is not supported. To classify the "
            "text, keep only its column (list the others under data.drop, or pass that "
            "column alone); to read the text as a category, set data.kind: tabular; to "
            "ignore it, list it under data.drop"
        )


def text_list(x: Any) -> bool:
    """A list, tuple, Series or 1-D array whose first value is a string."""
    if isinstance(x, pd.Series):
        return len(x) > 0 and isinstance(x.iloc[0], str)
    if isinstance(x, np.ndarray):
        return x.ndim == 1 and len(x) > 0 and isinstance(x[0], str)
    return isinstance(x, list | tuple) and len(x) > 0 and isinstance(x[0], str)


def text_inputs(inputs: pd.Series, train: np.ndarray) -> tuple[TextSchema, Any, list[bytes]]:
    """The schema, rows (strings) and fingerprint parts of texts; ``train`` indexes the
    training examples.

    Raises:
        DataError: a value that is not a string.
    """
    name = str(inputs.name or "text")
    check_texts(inputs, name, "X")
    return (
        text_schema(inputs.iloc[train], name),
        inputs.to_numpy(dtype=object),
        ["\x00".join(inputs).encode()],
    )


register_schema("text", TextSchema._read)
