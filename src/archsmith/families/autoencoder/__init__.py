"""The dense autoencoder family (anomaly detection on tables)."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

AUTOENCODER = BlockSpec(
    name="autoencoder",
    description="dense autoencoder (optionally variational): encoder, latent code, mirrored "
    "decoder; outputs the reconstruction of its input",
    args={
        "layers": Arg("int", 2, low=1, high=16, description="dense layers on each side"),
        "units": Arg("int", 64, low=1, high=65536, description="width of the first layer"),
        "latent": Arg("int", 8, low=1, high=4096, description="width of the latent code"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after layers"),
        "batch_norm": Arg("bool", False, description="batch normalisation before activation"),
        "variational": Arg("bool", False, description="sampled latent code with a KL term"),
        "kl_weight": Arg(
            "float", 1.0e-3, low=0.0, high=10.0, description="weight of the KL term (VAE)"
        ),
    },
)

FAMILY = Family("autoencoder", blocks=(Block(AUTOENCODER),), task="anomaly_detection")
