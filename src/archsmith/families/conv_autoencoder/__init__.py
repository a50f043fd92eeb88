"""The convolutional autoencoder family (anomaly detection on images)."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

CONV_AUTOENCODER = BlockSpec(
    name="conv_autoencoder",
    description="convolutional autoencoder (optionally variational) for images: conv "
    "encoder, dense latent code, conv decoder; outputs the reconstruction of its input image",
    args={
        "depth": Arg("int", 2, low=1, high=6, description="levels on each side (sides halve)"),
        "filters": Arg("int", 16, low=1, high=1024, description="filters of the first level"),
        "kernel": Arg("int", 3, low=1, high=15, description="kernel size of the convolutions"),
        "downsample": Arg(
            "str",
            "strides",
            values=("strides", "max", "avg"),
            description="stride-2 convolutions or 2x2 pooling",
        ),
        "upsample": Arg(
            "str",
            "transpose",
            values=("transpose", "upsampling"),
            description="Conv2DTranspose, or UpSampling2D and a convolution",
        ),
        "latent": Arg("int", 16, low=1, high=4096, description="width of the latent code"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "batch_norm": Arg("bool", False, description="batch normalisation before activation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout before the code"),
        "variational": Arg("bool", False, description="sampled latent code with a KL term"),
        "kl_weight": Arg(
            "float", 1.0e-3, low=0.0, high=10.0, description="weight of the KL term (VAE)"
        ),
    },
)

FAMILY = Family("conv_autoencoder", blocks=(Block(CONV_AUTOENCODER),), task="anomaly_detection")
