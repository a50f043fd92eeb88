"""The text_bag block: texts -> a bag of n-grams (``TextVectorization`` in the model).
Texts need the TensorFlow backend (string tensors)."""

from __future__ import annotations

from typing import Any

import keras

from archsmith.families._layers import check_text


def text_bag(x: Any, *, schema: Any, max_tokens: int, ngrams: int, mode: str) -> Any:
    """Texts -> a bag of n-grams: one ``multi_hot`` or ``count`` value per vocabulary token."""
    text = check_text(x, schema, "text_bag")
    vocabulary = text.vocabulary_for(ngrams, max_tokens - 1)  # 0: unknown
    bag = keras.layers.TextVectorization(
        vocabulary=vocabulary, ngrams=ngrams if ngrams > 1 else None, output_mode=mode
    )(x)
    # the layer's symbolic shape keeps the (batch, 1) input's axis; its output does not
    return keras.layers.Reshape((len(vocabulary) + 1,))(bag)
