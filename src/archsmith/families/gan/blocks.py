"""Generative adversarial networks for numeric tables: a generator and its discriminator.

The ``gan`` block turns the (standardised) feature vector of each row into one generated
row: its only use of the input is the batch size; it draws its own Gaussian noise
(``latent`` values per row) and maps it through the generator's dense layers to a row in
standardised units, which the ``generation`` head turns back into data units. So the saved
model has the same raw-row inputs as every archsmith model, and "predicting" N rows yields
N generated rows.

The discriminator is a sub-network of the same layer (``GANGenerator.discriminator``),
built and saved with it but not used in its forward pass; the ``generation`` training step
(``training/_generation.py``) trains both with the non-saturating loss or, with
``loss="wasserstein_gp"``, as a Wasserstein critic with gradient penalty
(``training/_wgan.py``).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="archsmith")
class GANGenerator(keras.layers.Layer):
    """Noise -> generator MLP -> one generated row (standardised units) per input row.

    Args:
        latent: noise values per generated row.
        layers, units, activation: the generator's dense layers.
        disc_layers, disc_units: the discriminator's dense layers (same activation);
            it outputs one logit (real vs generated), or a critic score (Wasserstein).
        loss: ``non_saturating`` or ``wasserstein_gp``; read by the training step.
        gp_weight: weight of the gradient penalty (``wasserstein_gp``).
        critic_steps: critic updates per generator update (``wasserstein_gp``).
        seed: seed of the noise.
    """

    def __init__(
        self,
        latent: int = 8,
        layers: int = 2,
        units: int = 64,
        activation: str = "leaky_relu",
        disc_layers: int = 2,
        disc_units: int = 64,
        seed: int = 0,
        loss: str = "non_saturating",
        gp_weight: float = 10.0,
        critic_steps: int = 5,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.latent = int(latent)
        self.layers_count = int(layers)
        self.units = int(units)
        self.activation = activation
        self.disc_layers = int(disc_layers)
        self.disc_units = int(disc_units)
        self.seed = int(seed)
        self.loss = loss
        self.gp_weight = float(gp_weight)
        self.critic_steps = int(critic_steps)
        self.noise = keras.random.SeedGenerator(self.seed)
        self.generator_layers = [
            keras.layers.Dense(self.units, activation=activation) for _ in range(self.layers_count)
        ]
        self.discriminator = keras.Sequential(
            [keras.layers.Dense(self.disc_units, activation=activation) for _ in range(disc_layers)]
            + [keras.layers.Dense(1)],
            name="discriminator",
        )

    def build(self, input_shape: Any) -> None:
        dim = int(input_shape[-1])
        self.out = keras.layers.Dense(dim)
        shape: tuple[Any, ...] = (None, self.latent)
        for layer in self.generator_layers:
            layer.build(shape)
            shape = (None, self.units)
        self.out.build(shape)
        self.discriminator.build((None, dim))

    def call(self, x: Any) -> Any:
        h = keras.random.normal((ops.shape(x)[0], self.latent), seed=self.noise)
        for layer in self.generator_layers:
            h = layer(h)
        return self.out(h)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "latent": self.latent,
            "layers": self.layers_count,
            "units": self.units,
            "activation": self.activation,
            "disc_layers": self.disc_layers,
            "disc_units": self.disc_units,
            "seed": self.seed,
            "loss": self.loss,
            "gp_weight": self.gp_weight,
            "critic_steps": self.critic_steps,
        }


def gan(
    x: Any,
    *,
    latent: int,
    layers: int,
    units: int,
    activation: str,
    disc_layers: int,
    disc_units: int,
    loss: str = "non_saturating",
    gp_weight: float = 10.0,
    critic_steps: int = 5,
) -> Any:
    """One generated row (standardised units) per input row; the discriminator rides along.

    ``loss``, ``gp_weight`` and ``critic_steps`` are kept on the layer for the training step.
    """
    return GANGenerator(
        latent,
        layers=layers,
        units=units,
        activation=activation,
        disc_layers=disc_layers,
        disc_units=disc_units,
        loss=loss,
        gp_weight=gp_weight,
        critic_steps=critic_steps,
        name="archsmith_gan",
    )(x)
