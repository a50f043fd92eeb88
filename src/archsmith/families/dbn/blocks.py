"""Deep belief networks: stacked RBMs pre-trained with contrastive divergence, then fine-tuned.

Each ``RBM`` layer is, for the network, a dense sigmoid layer ``sigmoid(v W + b_h)``. Before
backpropagation, training runs every layer's ``initialise_from`` in model order (the hook of
``training/_init.py``): each RBM is pre-trained greedily with CD-k on what it receives, the
output of the RBMs below it, already pre-trained. Fine-tuning is then ordinary training of
the whole network with the task head.

Backends: the CD-k step is eager ``keras.ops`` arithmetic plus ``Variable.assign`` (no
autodiff, no graph), which TensorFlow, JAX and PyTorch all run; only TensorFlow is
installed and tested here. Other backends are refused with a clear error.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

#: backends the contrastive-divergence pre-training is written for
PRETRAIN_BACKENDS = ("tensorflow", "jax", "torch")


@keras.saving.register_keras_serializable(package="archsmith")
class RBM(keras.layers.Layer):
    """A restricted Boltzmann machine with binary hidden units, used as a dense sigmoid layer.

    Args:
        units: hidden units.
        visible: ``gaussian`` (real-valued visible units of unit variance, for standardised
            features) or ``bernoulli`` (values in [0, 1], for the hidden units of an RBM).
        cd_steps: Gibbs steps of contrastive divergence (CD-k).
        pretrain_epochs: passes over the training sample in pre-training (0: none).
        pretrain_learning_rate: step size of the CD updates.
        batch_size: rows per CD update.
        seed: seed of the Gibbs sampling and the row order.
    """

    def __init__(
        self,
        units: int,
        visible: str = "bernoulli",
        cd_steps: int = 1,
        pretrain_epochs: int = 10,
        pretrain_learning_rate: float = 0.05,
        batch_size: int = 64,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if visible not in ("gaussian", "bernoulli"):
            raise ValueError(
                f"visible must be 'gaussian' or 'bernoulli', but got visible={visible!r}"
            )
        self.units = int(units)
        self.visible = visible
        self.cd_steps = int(cd_steps)
        self.pretrain_epochs = int(pretrain_epochs)
        self.pretrain_learning_rate = float(pretrain_learning_rate)
        self.batch_size = int(batch_size)
        self.seed = int(seed)

    def build(self, input_shape: Any) -> None:
        dim = int(input_shape[-1])
        self.kernel = self.add_weight(
            shape=(dim, self.units),
            initializer=keras.initializers.RandomNormal(stddev=0.01, seed=self.seed),
            name="kernel",
        )
        self.hidden_bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        # used only by pre-training (reconstructions); not part of the forward pass
        self.visible_bias = self.add_weight(
            shape=(dim,), initializer="zeros", trainable=False, name="visible_bias"
        )

    def call(self, x: Any) -> Any:
        return ops.sigmoid(
            ops.matmul(ops.cast(x, self.compute_dtype), self.kernel) + self.hidden_bias
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape[:-1], self.units)

    def _hidden(self, v: Any) -> Any:
        return ops.sigmoid(ops.matmul(v, self.kernel) + self.hidden_bias)

    def _visible(self, h: Any) -> Any:
        """Mean of the visible units given the hidden ones."""
        mean = ops.matmul(h, ops.transpose(self.kernel)) + self.visible_bias
        return mean if self.visible == "gaussian" else ops.sigmoid(mean)

    def reconstruction_error(self, v: np.ndarray) -> float:
        """Mean squared difference between ``v`` and its mean-field reconstruction."""
        x = ops.convert_to_tensor(v, "float32")
        return float(ops.convert_to_numpy(ops.mean(ops.square(x - self._visible(self._hidden(x))))))

    def initialise_from(self, inputs: np.ndarray) -> dict[str, float]:
        """Pre-train with CD-k on ``inputs``; report the reconstruction error before and after.

        Bernoulli inputs are clipped to [0, 1]. The visible means are used in the Gibbs
        chain (no visible sampling), the hidden units are sampled. An epoch after which the
        reconstruction error on ``inputs`` is not finite or more than 1.5 times the last
        accepted one is undone and the step halved (logged as ``step_halvings``).
        """
        backend = keras.backend.backend()
        if backend not in PRETRAIN_BACKENDS:
            raise RuntimeError(
                f"RBM pre-training supports the backends {list(PRETRAIN_BACKENDS)}, but Keras "
                f"runs on {backend!r}; set pretrain_epochs to 0 or change KERAS_BACKEND"
            )
        v_all = np.asarray(inputs, dtype="float32")
        if self.visible == "bernoulli":
            v_all = np.clip(v_all, 0.0, 1.0)
        before = self.reconstruction_error(v_all)
        if self.pretrain_epochs == 0:
            return {"reconstruction_error_before": before, "reconstruction_error_after": before}
        # visible biases start at the mean activity: its log-odds for Bernoulli units
        # (Hinton's practical guide, section 8.1), the mean itself for Gaussian ones
        p = v_all.mean(axis=0)
        if self.visible == "bernoulli":
            p = np.clip(p, 1e-3, 1 - 1e-3)
            p = np.log(p / (1 - p))
        self.visible_bias.assign(p.astype("float32"))
        rng = np.random.default_rng(self.seed)
        noise = keras.random.SeedGenerator(self.seed)
        lr = self.pretrain_learning_rate
        last, halvings = before, 0
        for _ in range(self.pretrain_epochs):
            saved = [keras.ops.convert_to_numpy(w) for w in self._pretrained()]
            self._cd_epoch(v_all, rng.permutation(len(v_all)), noise, lr)
            error = self.reconstruction_error(v_all)
            if not np.isfinite(error) or error > 1.5 * last:
                # the step was too large (Gaussian RBMs with many hidden units diverge with
                # steps that suit small ones): undo this epoch and halve the step
                for w, value in zip(self._pretrained(), saved, strict=True):
                    w.assign(value)
                lr, halvings = lr / 2, halvings + 1
                continue
            last = error
        return {
            "reconstruction_error_before": before,
            "reconstruction_error_after": last,
            "step_halvings": float(halvings),
        }

    def _pretrained(self) -> list[Any]:
        return [self.kernel, self.hidden_bias, self.visible_bias]

    def _cd_epoch(self, v_all: np.ndarray, order: np.ndarray, noise: Any, lr: float) -> None:
        """One pass of CD-k updates over ``v_all`` in the given row order."""
        for start in range(0, len(order), self.batch_size):
            v0 = ops.convert_to_tensor(v_all[order[start : start + self.batch_size]])
            h0 = self._hidden(v0)
            h, vk = h0, v0
            for _ in range(self.cd_steps):
                sample = ops.cast(keras.random.uniform(ops.shape(h), seed=noise) < h, "float32")
                vk = self._visible(sample)
                h = self._hidden(vk)
            n = ops.cast(ops.shape(v0)[0], "float32")
            grad_w = (ops.matmul(ops.transpose(v0), h0) - ops.matmul(ops.transpose(vk), h)) / n
            self.kernel.assign(self.kernel + lr * grad_w)
            self.hidden_bias.assign(self.hidden_bias + lr * ops.mean(h0 - h, axis=0))
            self.visible_bias.assign(self.visible_bias + lr * ops.mean(v0 - vk, axis=0))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "visible": self.visible,
            "cd_steps": self.cd_steps,
            "pretrain_epochs": self.pretrain_epochs,
            "pretrain_learning_rate": self.pretrain_learning_rate,
            "batch_size": self.batch_size,
            "seed": self.seed,
        }


def dbn(
    x: Any,
    *,
    layers: int,
    units: int,
    cd_steps: int,
    pretrain_epochs: int,
    pretrain_learning_rate: float,
    dropout: float,
) -> Any:
    """``layers`` RBMs of ``units`` each: the first has Gaussian visible units (it reads the
    standardised features), the others Bernoulli ones (they read hidden probabilities)."""
    h = x
    for i in range(layers):
        h = RBM(
            units,
            visible="gaussian" if i == 0 else "bernoulli",
            cd_steps=cd_steps,
            pretrain_epochs=pretrain_epochs,
            pretrain_learning_rate=pretrain_learning_rate,
            seed=i,
        )(h)
        if dropout > 0:
            h = keras.layers.Dropout(dropout)(h)
    return h
