"""Capsule networks: primary capsules, dynamic routing by agreement, margin loss.

The ``capsule`` block reads the feature vector as an image (``height`` x ``width`` x
channels; 64 columns are an 8 x 8 image), applies a convolution, then a convolutional
layer of primary capsules (vectors squashed to length < 1), and routes them to one class
capsule per class with routing by agreement (Sabour et al., 2017). The network's output
is the length of each class capsule (in [0, 1]: how present the class is), and the model
trains with the margin loss that output layer provides (``CapsuleLength.training_loss``).
"""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from archsmith.datasets import Target
from archsmith.exceptions import TrialFailed


def squash(s: Any, axis: int = -1) -> Any:
    """Scale vectors to length ``|s|^2 / (1 + |s|^2)`` keeping their direction."""
    sq = ops.sum(ops.square(s), axis=axis, keepdims=True)
    return sq / (1.0 + sq) * s / ops.sqrt(sq + 1e-7)


@keras.saving.register_keras_serializable(package="archsmith")
class PrimaryCapsules(keras.layers.Layer):
    """Conv maps ``(N, H, W, capsules * dim)`` -> squashed capsules ``(N, H*W*capsules, dim)``."""

    def __init__(self, dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dim = int(dim)

    def call(self, x: Any) -> Any:
        return squash(ops.reshape(x, (ops.shape(x)[0], -1, self.dim)))

    def compute_output_shape(self, input_shape: Any) -> Any:
        n = math.prod(int(d) for d in input_shape[1:]) // self.dim
        return (input_shape[0], n, self.dim)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dim": self.dim}


@keras.saving.register_keras_serializable(package="archsmith")
class ClassCapsules(keras.layers.Layer):
    """Route input capsules ``(N, I, d_in)`` to ``capsules`` output capsules ``(N, J, dim)``.

    Each input capsule predicts every output capsule through its own matrix
    (``u_hat = W_ij u_i``); ``routings`` rounds of routing by agreement set the coupling
    coefficients (softmax over outputs of logits raised by the agreement ``u_hat . v``).

    Args:
        capsules: output capsules (one per class).
        dim: length of the output vectors.
        routings: rounds of routing by agreement.
        seed: seed of the initial weights.
    """

    def __init__(self, capsules: int, dim: int, routings: int = 3, seed: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self.capsules = int(capsules)
        self.dim = int(dim)
        self.routings = int(routings)
        self.seed = int(seed)

    def build(self, input_shape: Any) -> None:
        n_in, d_in = int(input_shape[1]), int(input_shape[2])
        self.kernel = self.add_weight(
            shape=(n_in, self.capsules, self.dim, d_in),
            initializer=keras.initializers.RandomNormal(stddev=0.05, seed=self.seed),
            name="kernel",
        )

    def call(self, u: Any) -> Any:
        # u_hat[n, i, j, :] = W[i, j] @ u[n, i]
        u_hat = ops.einsum("ijdk,nik->nijd", self.kernel, u)
        logits = ops.zeros_like(u_hat[..., 0])  # (N, I, J)
        for r in range(self.routings):
            c = ops.softmax(logits, axis=-1)
            v = squash(ops.einsum("nij,nijd->njd", c, u_hat))
            if r < self.routings - 1:
                logits = logits + ops.einsum("nijd,njd->nij", u_hat, v)
        return v

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], self.capsules, self.dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "capsules": self.capsules,
            "dim": self.dim,
            "routings": self.routings,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="archsmith", name="margin_loss")
def margin_loss(y_true: Any, y_pred: Any) -> Any:
    """Margin loss on capsule lengths |v| (T = 1 for the true class, 0 otherwise).

    ``T max(0, 0.9 - |v|)^2 + 0.5 (1 - T) max(0, |v| - 0.1)^2``, summed over classes.

    ``y_true`` holds class indices (as for sparse categorical cross-entropy).
    """
    classes = ops.shape(y_pred)[-1]
    target = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), classes)
    present = target * ops.square(ops.relu(0.9 - y_pred))
    absent = 0.5 * (1.0 - target) * ops.square(ops.relu(y_pred - 0.1))
    return ops.sum(present + absent, axis=-1)


@keras.saving.register_keras_serializable(package="archsmith")
class CapsuleLength(keras.layers.Layer):
    """Class capsules ``(N, J, dim)`` -> their lengths ``(N, J)``; supplies the margin loss."""

    def call(self, v: Any) -> Any:
        return ops.sqrt(ops.sum(ops.square(v), axis=-1) + 1e-7)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], input_shape[1])

    def training_loss(self) -> Any:
        """The loss training compiles this output with (instead of the task's default)."""
        return margin_loss


def capsule(
    x: Any,
    *,
    target: Target,
    height: int,
    conv_filters: int,
    kernel_size: int,
    primary_capsules: int,
    primary_dim: int,
    class_dim: int,
    routings: int,
    activation: str,
) -> Any:
    """Image from the feature vector, convolution, primary capsules, one class capsule per
    class, their lengths: the model's output (an output block: no task head follows).

    ``height`` 0 reads the features as a square single-channel image.
    """
    if target.kind != "multiclass":
        raise TrialFailed(
            "the capsule family needs a multiclass target (one capsule per class), but the "
            f"target is {target.kind}"
        )
    width = int(x.shape[-1])
    rows = height or math.isqrt(width)
    if rows < 1 or width % rows or (height == 0 and rows * rows != width):
        raise ValueError(
            f"cannot read {width} features as an image with {rows} rows; set height so "
            "that the features are height x width (64 columns: height 8, or 0 for square)"
        )
    cols = width // rows
    if kernel_size > min(rows, cols) // 2:
        raise ValueError(
            f"kernel_size {kernel_size} is too large for a {rows} x {cols} image (two "
            f"convolutions); at most {min(rows, cols) // 2}"
        )
    h = keras.layers.Reshape((rows, cols, 1))(x)
    h = keras.layers.Conv2D(conv_filters, kernel_size, activation=activation)(h)
    h = keras.layers.Conv2D(primary_capsules * primary_dim, kernel_size)(h)
    u = PrimaryCapsules(primary_dim)(h)
    v = ClassCapsules(len(target.classes), class_dim, routings)(u)
    return CapsuleLength(name="archsmith_capsule_lengths")(v)
