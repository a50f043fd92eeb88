"""Text blocks: vectorisation inside the model (``TextVectorization``), then embeddings or a
bag of n-grams. They take the raw string input, so text models need the TensorFlow backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from archsmith.builders._tfidf import TFIDF_BLOCKS
from archsmith.datasets import ArraySchema


def _check_text(x: Any, schema: Any, block: str) -> ArraySchema:
    if not isinstance(schema, ArraySchema) or schema.kind != "text":
        raise ValueError(f"{block} takes texts; use it in a space for: [text]")
    if "string" not in str(x.dtype):
        raise ValueError(f"{block} must be the first block: it takes the raw text input")
    return schema


def text_embedding(
    x: Any,
    *,
    schema: Any,
    max_tokens: int,
    sequence_length: int,
    ngrams: int,
    embed_dim: int,
) -> Any:
    """Texts -> token ids (vocabulary of the training texts) -> ``(batch, length, embed_dim)``.

    ``sequence_length`` 0 takes the 95th percentile of the training texts' word counts.
    """
    text = _check_text(x, schema, "text_embedding")
    vocabulary = text.vocabulary_for(ngrams, max_tokens - 2)  # 0: padding, 1: unknown
    length = sequence_length or max(1, text.length)
    ids = keras.layers.TextVectorization(
        vocabulary=vocabulary,
        ngrams=ngrams if ngrams > 1 else None,
        output_mode="int",
        output_sequence_length=length,
    )(x)
    return keras.layers.Embedding(len(vocabulary) + 2, embed_dim)(ids)


def text_bag(x: Any, *, schema: Any, max_tokens: int, ngrams: int, mode: str) -> Any:
    """Texts -> a bag of n-grams: one ``multi_hot`` or ``count`` value per vocabulary token."""
    text = _check_text(x, schema, "text_bag")
    vocabulary = text.vocabulary_for(ngrams, max_tokens - 1)  # 0: unknown
    bag = keras.layers.TextVectorization(
        vocabulary=vocabulary, ngrams=ngrams if ngrams > 1 else None, output_mode=mode
    )(x)
    # the layer's symbolic shape keeps the (batch, 1) input's axis; its output does not
    return keras.layers.Reshape((len(vocabulary) + 1,))(bag)


TEXT_BLOCKS: dict[str, Callable[..., Any]] = {
    "text_embedding": text_embedding,
    "text_bag": text_bag,
    **TFIDF_BLOCKS,
}
