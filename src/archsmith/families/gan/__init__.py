"""The generative adversarial network family (generation of numeric rows)."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

GAN = BlockSpec(
    name="gan",
    description="generative adversarial network: a generator (noise -> row) and its "
    "discriminator, trained with the non-saturating or the Wasserstein-GP loss (task "
    "generation)",
    args={
        "latent": Arg("int", 8, low=1, high=1024, description="noise values per row"),
        "layers": Arg("int", 2, low=1, high=8, description="generator dense layers"),
        "units": Arg("int", 64, low=1, high=4096, description="generator width"),
        "activation": Arg("str", "leaky_relu", values=ACTIVATIONS, description="activation"),
        "disc_layers": Arg("int", 2, low=1, high=8, description="discriminator dense layers"),
        "disc_units": Arg("int", 64, low=1, high=4096, description="discriminator width"),
        "loss": Arg(
            "str",
            "non_saturating",
            values=("non_saturating", "wasserstein_gp"),
            description="GAN loss: non-saturating, or Wasserstein with gradient penalty",
        ),
        "gp_weight": Arg(
            "float", 10.0, low=0.0, high=1000.0, description="gradient penalty (wasserstein_gp)"
        ),
        "critic_steps": Arg(
            "int", 5, low=1, high=20, description="critic updates per generator update (wgan)"
        ),
    },
)

FAMILY = Family("gan", blocks=(Block(GAN),), task="generation")
