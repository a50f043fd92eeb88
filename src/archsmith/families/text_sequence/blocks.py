"""The text_embedding block: texts -> token ids (``TextVectorization`` in the model) ->
embeddings, for a sequence block. Texts need the TensorFlow backend (string tensors)."""

from __future__ import annotations

from typing import Any

import keras

from archsmith.families._layers import check_text


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
    text = check_text(x, schema, "text_embedding")
    vocabulary = text.vocabulary_for(ngrams, max_tokens - 2)  # 0: padding, 1: unknown
    length = sequence_length or max(1, text.length)
    ids = keras.layers.TextVectorization(
        vocabulary=vocabulary,
        ngrams=ngrams if ngrams > 1 else None,
        output_mode="int",
        output_sequence_length=length,
    )(x)
    return keras.layers.Embedding(len(vocabulary) + 2, embed_dim)(ids)
