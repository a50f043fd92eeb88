"""The Wasserstein loss with gradient penalty (WGAN-GP, Gulrajani et al. 2017) for GANs.

The critic (the GAN's discriminator, one unbounded score per row) minimises
``D(fake) - D(real) + gp_weight * (||grad_x D(x_mix)|| - 1) ** 2`` per row, where ``x_mix``
lies at a random point between a real and a generated row; the generator minimises
``-D(G(z))``. Both go through Keras' ``train_on_batch``, so each backend's own compiled
training step runs them.

The penalty needs the gradient of the critic with respect to its *input*, inside a
training step that then differentiates it again with respect to the weights. Keras 3 has
no backend-neutral gradient operation, so :func:`input_gradient` is the one place in the
family written per backend: ``tf.GradientTape`` (TensorFlow), ``jax.grad`` (JAX) and
``torch.autograd.grad(create_graph=True)`` (PyTorch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import ops

#: the Keras backends whose gradient of the critic :func:`input_gradient` knows
WGAN_BACKENDS = ("tensorflow", "jax", "torch")


def input_gradient(fn: Callable[[Any], Any], x: Any) -> Any:
    """The gradient of ``sum(fn(x))`` with respect to ``x``, itself differentiable.

    Raises:
        RuntimeError: Keras runs on a backend other than those of ``WGAN_BACKENDS``.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(fn(x))
        return tape.gradient(total, x)
    if backend == "jax":
        import jax

        return jax.grad(lambda v: ops.sum(fn(v)))(x)
    if backend == "torch":
        import torch

        with torch.enable_grad():  # Keras builds and predicts under no_grad
            leaf = x.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(ops.sum(fn(leaf)), leaf, create_graph=True)
        return grad
    raise RuntimeError(
        f"the Wasserstein-GP loss supports the backends {list(WGAN_BACKENDS)}, but Keras "
        f"runs on {backend!r}; use loss non_saturating or change KERAS_BACKEND"
    )


class CriticLoss(keras.layers.Layer):
    """The critic's WGAN-GP loss per row, from ``[real, fake, mix]``: ``(N, 1)``.

    ``mix`` (``(N, 1)`` in [0, 1]) places each penalised row between its real and its
    generated row. The layer owns the critic, so a model of it trains the critic's weights.

    Args:
        critic: the critic network (rows -> one score each).
        gp_weight: weight of the gradient penalty.
    """

    def __init__(self, critic: keras.Model, gp_weight: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.critic = critic
        self.gp_weight = float(gp_weight)

    def call(self, inputs: Any) -> Any:
        real, fake, mix = inputs
        mixed = mix * real + (1.0 - mix) * fake
        grad = input_gradient(self.critic, mixed)
        norm = ops.sqrt(ops.sum(ops.square(grad), axis=-1, keepdims=True) + 1e-12)
        penalty = self.gp_weight * ops.square(norm - 1.0)
        return self.critic(fake) - self.critic(real) + penalty

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0][0], 1)


def mean_output(y_true: Any, y_pred: Any) -> Any:
    """A loss that is the mean of the model's output (the output is the loss per row)."""
    return ops.mean(y_pred)


def negative_mean_output(y_true: Any, y_pred: Any) -> Any:
    """The generator's Wasserstein loss: ``-mean D(G(z))``."""
    return -ops.mean(y_pred)


class WassersteinStep:
    """One WGAN-GP step per batch: ``critic_steps`` critic updates, then one generator update.

    The first critic update uses the batch's real rows, the others real rows drawn at
    random from the training split; each uses fresh generated rows.

    Args:
        critic: the GAN's discriminator (its output is read as an unbounded score).
        generator: model inputs -> generated rows (standardised).
        chained: model inputs -> critic score of the generated rows.
        real: the standardised training rows.
        make_optimizer: a fresh optimizer of the trial's settings (one per network).
        gp_weight: weight of the gradient penalty.
        critic_steps: critic updates per generator update.
        seed: seed of the interpolation points and extra real rows.
    """

    def __init__(
        self,
        critic: keras.Model,
        generator: keras.Model,
        chained: keras.Model,
        real: np.ndarray,
        make_optimizer: Callable[[], Any],
        *,
        gp_weight: float,
        critic_steps: int,
        seed: int = 0,
    ) -> None:
        dim = real.shape[1]
        rows = [keras.Input((dim,)), keras.Input((dim,)), keras.Input((1,))]
        self.critic = critic
        self.generator = generator
        self.chained = chained
        self.real = real
        self.critic_steps = int(critic_steps)
        self.rng = np.random.default_rng(seed)
        critic.trainable = True
        self.trainer = keras.Model(rows, CriticLoss(critic, gp_weight)(rows))
        self.trainer.compile(optimizer=make_optimizer(), loss=mean_output)
        critic.trainable = False
        chained.compile(optimizer=make_optimizer(), loss=negative_mean_output)

    def __call__(self, ids: np.ndarray, batch: dict[str, np.ndarray]) -> tuple[float, float]:
        """Train on one batch (``ids``: its rows in the training split); the two losses."""
        n = len(ids)
        zeros = np.zeros((n, 1), dtype="float32")
        # the generated rows of every critic update at once (the generator reads only the
        # batch size of its input; a compiled predict is much faster than an eager call)
        tiled = {k: np.concatenate([v] * self.critic_steps) for k, v in batch.items()}
        fakes = np.asarray(self.generator.predict_on_batch(tiled))
        self.critic.trainable = True
        d_losses = []
        for k in range(self.critic_steps):
            rows = ids if k == 0 else self.rng.integers(0, len(self.real), n)
            fake = fakes[k * n : (k + 1) * n]
            mix = self.rng.random((n, 1)).astype("float32")
            loss = self.trainer.train_on_batch([self.real[rows], fake, mix], zeros)
            d_losses.append(float(np.ravel(np.asarray(loss, dtype="float64"))[0]))
        self.critic.trainable = False
        g_loss = self.chained.train_on_batch(batch, zeros)
        return float(np.mean(d_losses)), float(np.ravel(np.asarray(g_loss, dtype="float64"))[0])
