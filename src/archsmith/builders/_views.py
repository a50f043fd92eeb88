"""Test-time augmentation in the built model: views opened by a block, closed after the head.

A block that opens views (the ``augment`` block's ``tta``: a layer with a ``close_views``
method, which stacks fixed views of its input along the batch at inference) leaves the
batch ``views`` times longer; :func:`close_views` ends the model with the mean of its
outputs over the views, so the ``.keras`` file, ``AutoModel.predict`` and the served model
all predict with them.
"""

from __future__ import annotations

import keras

from archsmith.exceptions import TrialFailed


def close_views(model: keras.Model) -> keras.Model:
    """``model`` ending with the mean of its outputs over the views one of its layers
    opened; ``model`` itself when none did.

    Raises:
        TrialFailed: more than one layer opened views.
    """
    opened = [layer for layer in model.layers if hasattr(layer, "close_views")]
    if not opened:
        return model
    if len(opened) > 1:
        raise TrialFailed("test-time augmentation (augment.tta) can be on in one block only")
    return keras.Model(model.inputs, opened[0].close_views(model.output), name=model.name)


__all__ = ["close_views"]
