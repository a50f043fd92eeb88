"""TF-IDF bag of word n-grams, vectorised inside the model (raw strings in, weights out).

``TextVectorization`` counts the n-grams of the training vocabulary (``output_mode="count"``;
its ``tf_idf`` mode needs the IDF weights at build time, which the schema does not hold);
:class:`IdfWeighting` multiplies the counts by inverse document frequencies that it learns
from the training texts before training (``initialise_from``, the data-driven initialisation
hook), and L2-normalises each row. With ``norm: l2`` and ``sublinear: false`` the features
are those of scikit-learn's ``TfidfVectorizer(smooth_idf=True, norm="l2")`` given the same
tokens and vocabulary (``idf = ln((1 + n) / (1 + df)) + 1``).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from archsmith.datasets import ArraySchema


@keras.saving.register_keras_serializable(package="archsmith")
class IdfWeighting(keras.layers.Layer):
    """Counts ``(batch, tokens)`` -> TF-IDF ``(batch, tokens)``, optionally L2-normalised.

    Args:
        sublinear: use ``1 + ln(tf)`` instead of ``tf`` (``tf > 0``).
        norm: ``l2`` (each row scaled to unit length) or ``none``.
    """

    def __init__(self, sublinear: bool = False, norm: str = "l2", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sublinear = bool(sublinear)
        self.norm = norm

    def build(self, input_shape: Any) -> None:
        self.idf = self.add_weight(
            shape=(int(input_shape[-1]),), initializer="ones", trainable=False, name="idf"
        )

    def initialise_from(self, inputs: np.ndarray) -> dict[str, float]:
        """Learn the smoothed IDF of every token from the training rows' counts."""
        n = len(inputs)
        df = (np.asarray(inputs) > 0).sum(axis=0)
        self.idf.assign(np.log((1.0 + n) / (1.0 + df)) + 1.0)
        return {}

    def call(self, counts: Any) -> Any:
        tf = ops.cast(counts, self.compute_dtype)
        if self.sublinear:
            tf = ops.where(tf > 0, 1.0 + ops.log(ops.maximum(tf, 1.0)), 0.0)
        x = tf * ops.cast(self.idf, tf.dtype)
        if self.norm == "l2":
            x = x / ops.maximum(ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True)), 1e-12)
        return x

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "sublinear": self.sublinear, "norm": self.norm}


@keras.saving.register_keras_serializable(package="archsmith")
class CharNgramCounts(keras.layers.TextVectorization):
    """Counts of character n-grams (lower case, spaces kept) whose vocabulary, the
    ``max_tokens - 1`` most frequent n-grams of the training texts, is learnt before training
    (``initialise_from``: the schema holds word vocabularies only)."""

    def initialise_from(self, inputs: np.ndarray) -> dict[str, float]:
        self.adapt(np.asarray(inputs, dtype=object).reshape(-1))
        return {}


def text_tfidf(
    x: Any,
    *,
    schema: Any,
    max_tokens: int,
    sublinear: bool,
    norm: str,
    dropout: float,
    ngrams: int = 2,
    analyzer: str = "word",
    char_ngrams: int = 4,
) -> Any:
    """Texts -> TF-IDF of the ``max_tokens`` most frequent word 1- to ``ngrams``-grams
    (``analyzer: word``) or character 2- to ``char_ngrams``-grams (``analyzer: char``).

    Followed directly by the task head it is a linear model (logistic regression on TF-IDF).
    """
    if not isinstance(schema, ArraySchema) or schema.kind != "text":
        raise ValueError("text_tfidf takes texts; use it in a space for: [text]")
    if "string" not in str(x.dtype):
        raise ValueError("text_tfidf must be the first block: it takes the raw text input")
    if analyzer == "char":
        width = max_tokens  # the out-of-vocabulary column and max_tokens - 1 n-grams
        counts = CharNgramCounts(
            max_tokens=width,
            standardize="lower",
            split="character",
            ngrams=tuple(range(2, char_ngrams + 1)),
            output_mode="count",
            pad_to_max_tokens=True,
            name="archsmith_char_ngrams",
        )(x)
    else:
        vocabulary = schema.vocabulary_for(ngrams, max_tokens)
        width = len(vocabulary) + 1
        counts = keras.layers.TextVectorization(
            vocabulary=vocabulary, ngrams=ngrams if ngrams > 1 else None, output_mode="count"
        )(x)
    # drop the out-of-vocabulary column (index 0), as TfidfVectorizer ignores unknown tokens;
    # the reshape also drops the (batch, 1) input's axis that the symbolic shape keeps
    counts = keras.layers.Reshape((width,))(counts)
    counts = DropFirst()(counts)  # a layer, not a Lambda: it reloads in safe mode
    out = IdfWeighting(sublinear=sublinear, norm=norm, name="archsmith_tfidf")(counts)
    return keras.layers.Dropout(dropout)(out) if dropout > 0 else out


@keras.saving.register_keras_serializable(package="archsmith")
class DropFirst(keras.layers.Layer):
    """``(batch, n)`` -> ``(batch, n - 1)``: drops the first column."""

    def call(self, x: Any) -> Any:
        return x[:, 1:]

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], None if input_shape[-1] is None else input_shape[-1] - 1)
