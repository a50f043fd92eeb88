"""Zero-cost proxies: score an untrained network in one pass, higher is better.

- ``naswot`` (Mellor et al. 2021, "Neural Architecture Search without Training"): the binary
  activation pattern of every activated layer on one batch; the kernel
  ``K[i, j] = units where rows i and j agree``; the score is ``log det (K + I)`` (the
  identity keeps networks with fewer units than rows from all scoring -inf). A network
  whose units tell the rows apart scores high. A forward pass only: any backend.
- ``synflow`` (Tanaka et al. 2020): with every weight replaced by its absolute value and an
  all-ones input, ``R = sum(outputs)``; the score is ``sum |w * dR/dw|``. Data-free.
- ``gradnorm`` (Abdelfattah et al. 2021): the sum over weight tensors of the L2 norm of the
  task loss' gradient on one batch.

The two gradient proxies use TensorFlow's ``GradientTape``; on another backend they raise
:class:`ProxyUnavailable`, which the caller turns into a declaration error.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

#: Layers whose output is an activation even without an ``activation`` argument.
_ACTIVATION_LAYERS = ("ReLU", "LeakyReLU", "ELU", "PReLU", "Activation", "Softmax")


class ProxyUnavailable(RuntimeError):
    """A proxy that cannot run here (a gradient proxy off TensorFlow, no loss to derive)."""


def proxy_score(
    name: str,
    model: keras.Model,
    x: Mapping[str, np.ndarray],
    y: np.ndarray | None = None,
    loss: Callable[..., Any] | None = None,
) -> float:
    """The ``name`` proxy of the untrained ``model`` on the batch ``x`` (and ``y``).

    Returns NaN where the model gives the proxy nothing to measure (no hidden activation,
    no trainable weight). ``loss`` (``loss(y_true, y_pred)``) is needed by ``gradnorm`` only.

    Raises:
        ProxyUnavailable: a gradient proxy off TensorFlow, or ``gradnorm`` without a loss.
    """
    if name == "naswot":
        return naswot(model, x)
    if keras.backend.backend() != "tensorflow":
        raise ProxyUnavailable(
            f"proxy {name} takes gradients with TensorFlow, but the Keras backend is "
            f"{keras.backend.backend()}; use proxy: naswot, or KERAS_BACKEND=tensorflow"
        )
    if name == "synflow":
        return synflow(model, x)
    if name == "gradnorm":
        if loss is None:
            raise ProxyUnavailable(
                "proxy gradnorm needs the task's loss, but this task trains with its own "
                "fit; use proxy: naswot or synflow"
            )
        return gradnorm(model, x, y, loss)
    raise ValueError(f"unknown proxy {name!r}; expected naswot, synflow or gradnorm")


def naswot(model: keras.Model, x: Mapping[str, np.ndarray]) -> float:
    """``log det (K + I)`` of the activation-pattern kernel of ``model`` on the rows of ``x``."""
    tensors = _activations(model)
    if not tensors:
        return float("nan")
    probe = keras.Model(model.input, tensors)
    found = probe(_feed(x), training=False)
    rows = len(next(iter(x.values())))
    codes = np.concatenate(
        [
            (np.asarray(keras.ops.convert_to_numpy(a)).reshape(rows, -1) > 0)
            for a in keras.tree.flatten(found)
        ],
        axis=1,
    ).astype(np.float64)
    kernel = codes @ codes.T + (1.0 - codes) @ (1.0 - codes).T
    # K is a sum of Gram matrices (positive semi-definite) of rank <= units + 1: a network
    # with fewer units than rows would score -inf whatever its patterns; + I ranks them all
    sign, logdet = np.linalg.slogdet(kernel + np.eye(len(kernel)))
    return float(logdet) if sign > 0 else float("-inf")


def _activations(model: keras.Model) -> list[Any]:
    """The outputs of the hidden layers that apply a non-linearity (every hidden float
    output when none does), excluding the model's own outputs."""
    final = {id(t) for t in keras.tree.flatten(model.outputs)}
    hidden: list[tuple[Any, bool]] = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        try:
            out = layer.output  # a layer called more than once has no single output
        except (AttributeError, ValueError):
            continue
        if not isinstance(out, keras.KerasTensor) or id(out) in final:
            continue
        if "float" not in str(out.dtype) or len(out.shape) < 2:
            continue
        hidden.append((out, _activated(layer)))
    activated = [t for t, on in hidden if on]
    return activated or [t for t, _ in hidden]


def _activated(layer: keras.layers.Layer) -> bool:
    if type(layer).__name__ in _ACTIVATION_LAYERS:
        return True
    activation = getattr(layer, "activation", None)
    return callable(activation) and getattr(activation, "__name__", "linear") != "linear"


def synflow(model: keras.Model, x: Mapping[str, np.ndarray]) -> float:
    """``sum |w * dR/dw|`` with ``|w|`` weights and all-ones float inputs (one row)."""
    import tensorflow as tf

    weights = list(model.trainable_weights)
    if not weights:
        return float("nan")
    saved = [np.asarray(keras.ops.convert_to_numpy(w.value)) for w in weights]
    ones = {
        k: np.ones_like(v[:1]) if np.issubdtype(v.dtype, np.floating) else v[:1]
        for k, v in x.items()
    }
    head = model.layers[-1]
    squash = getattr(head, "activation", None)
    try:
        if _activated(head):  # a softmax sums to one whatever the weights: use its logits
            head.activation = keras.activations.linear
        for w, value in zip(weights, saved, strict=True):
            w.assign(np.abs(value))
        with tf.GradientTape() as tape:
            out = model(_feed(ones), training=False)
            total = tf.add_n([tf.reduce_sum(tf.cast(t, "float64")) for t in tf.nest.flatten(out)])
        grads = tape.gradient(total, weights)
    finally:
        if squash is not None:
            head.activation = squash
        for w, value in zip(weights, saved, strict=True):
            w.assign(value)
    score = 0.0
    for value, grad in zip(saved, grads, strict=True):
        if grad is not None:
            g = np.asarray(tf.convert_to_tensor(grad), dtype=np.float64)
            score += float(np.sum(np.abs(np.abs(value).astype(np.float64) * g)))
    return score


def gradnorm(
    model: keras.Model,
    x: Mapping[str, np.ndarray],
    y: np.ndarray | None,
    loss: Callable[..., Any],
) -> float:
    """The sum over weight tensors of ``||d loss / dw||`` on the batch ``x``, ``y``."""
    import tensorflow as tf

    weights = list(model.trainable_weights)
    if not weights:
        return float("nan")
    with tf.GradientTape() as tape:
        out = model(_feed(x), training=False)
        target = y
        if y is not None and y.ndim + 1 == len(out.shape) and out.shape[-1] == 1:
            target = y.reshape(-1, 1)  # as Keras' compiled loss: (n,) against (n, 1)
        value = tf.reduce_mean(tf.cast(loss(target, out), "float32"))
    grads = tape.gradient(value, weights)
    return float(sum(float(tf.norm(tf.convert_to_tensor(g))) for g in grads if g is not None))


def _feed(x: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Model inputs; text (numpy object arrays) as string tensors."""
    return {
        k: keras.ops.convert_to_tensor(v, dtype="string") if v.dtype == object else v
        for k, v in x.items()
    }
