"""Catalog entries of the families beyond the MLP (keras-free, so spaces validate fast)."""

from __future__ import annotations

from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

RBF = BlockSpec(
    name="rbf",
    description="radial basis function layer: Gaussian units with trainable centres and "
    "widths, centres initialised from the training features",
    args={
        "units": Arg("int", 32, low=1, high=4096, description="number of centres"),
        "width_scale": Arg(
            "float", 1.0, low=0.01, high=100.0, description="multiplier of the initial widths"
        ),
        "init": Arg("str", "kmeans", values=("kmeans", "sample"), description="how centres start"),
        "normalise": Arg("bool", False, description="divide activations by their sum"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after the layer"),
    },
)

#: the same activations as ``_catalog.ACTIVATIONS`` (that module imports this one)
ACTIVATIONS = ("relu", "leaky_relu", "elu", "selu", "gelu", "swish", "tanh", "sigmoid", "linear")

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

SPIKING = BlockSpec(
    name="spiking",
    description="spiking network: inputs coded as spikes over time steps, leaky "
    "integrate-and-fire layers trained with a surrogate gradient, firing rates out",
    args={
        "layers": Arg("int", 1, low=1, high=8, description="number of LIF layers"),
        "units": Arg("int", 128, low=1, high=65536, description="neurons per layer"),
        "time_steps": Arg("int", 8, low=1, high=256, description="simulation steps"),
        "coding": Arg(
            "str",
            "rate",
            values=("rate", "latency", "current"),
            description="input coding: regular spike trains, first-spike time or current",
        ),
        "decay": Arg("float", 0.9, low=0.0, high=1.0, description="membrane leak per step"),
        "threshold": Arg("float", 1.0, low=0.01, high=100.0, description="firing threshold"),
        "slope": Arg("float", 5.0, low=0.1, high=100.0, description="surrogate steepness"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout on spikes"),
    },
)

DBN = BlockSpec(
    name="dbn",
    description="deep belief network: stacked RBMs pre-trained with contrastive divergence, "
    "then fine-tuned with the task head",
    args={
        "layers": Arg("int", 2, low=1, high=8, description="number of RBMs"),
        "units": Arg("int", 128, low=1, high=65536, description="hidden units per RBM"),
        "cd_steps": Arg("int", 1, low=1, high=20, description="Gibbs steps of CD-k"),
        "pretrain_epochs": Arg(
            "int", 10, low=0, high=1000, description="pre-training passes per RBM (0: none)"
        ),
        "pretrain_learning_rate": Arg(
            "float", 0.05, low=1e-5, high=1.0, description="step size of the CD updates"
        ),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after each RBM"),
    },
)

SOM = BlockSpec(
    name="som",
    description="self-organising map: a grid of prototypes trained by its own neighbourhood "
    "updates; outputs the squared distance of a row to every unit",
    args={
        "rows": Arg("int", 8, low=1, high=256, description="grid rows"),
        "cols": Arg("int", 8, low=1, high=256, description="grid columns"),
        "epochs": Arg("int", 10, low=1, high=1000, description="passes over the data"),
        "learning_rate": Arg("float", 0.5, low=1e-4, high=1.0, description="initial step size"),
        "sigma_end": Arg(
            "float", 0.5, low=0.05, high=10.0, description="final neighbourhood radius"
        ),
        "schedule": Arg(
            "str",
            "exponential",
            values=("exponential", "linear"),
            description="decay of the radius and step size",
        ),
    },
)

CAPSULE = BlockSpec(
    name="capsule",
    description="capsule network: the features read as an image, convolution, primary "
    "capsules, dynamic routing to one capsule per class, margin loss (multiclass)",
    args={
        "height": Arg("int", 0, low=0, high=4096, description="image rows (0: a square image)"),
        "conv_filters": Arg("int", 64, low=1, high=1024, description="first convolution"),
        "kernel_size": Arg("int", 3, low=1, high=15, description="kernel of both convolutions"),
        "primary_capsules": Arg(
            "int", 8, low=1, high=256, description="primary capsule types per position"
        ),
        "primary_dim": Arg("int", 8, low=2, high=64, description="length of primary capsules"),
        "class_dim": Arg("int", 16, low=2, high=64, description="length of class capsules"),
        "routings": Arg("int", 3, low=1, high=10, description="rounds of routing"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="convolution activation"),
    },
)

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

SIAMESE = BlockSpec(
    name="siamese",
    description="Siamese head (task similarity): the blocks before it are the shared encoder "
    "of both examples of a pair; projects to an embedding and compares the two by distance",
    inputs=("tabular", "image", "sequence"),
    args={
        "embedding": Arg(
            "int", 32, low=0, high=4096, description="embedding size (0: the encoder's output)"
        ),
        "distance": Arg(
            "str", "euclidean", values=("euclidean", "cosine"), description="pair distance"
        ),
        "normalise": Arg(
            "bool",
            only_with=("distance", ("euclidean",)),
            description="unit-length embeddings before the Euclidean distance",
        ),
    },
)

_GRAPH_ARGS = {
    "layers": Arg("int", 2, low=1, high=16, description="message-passing layers (depth)"),
    "units": Arg("int", 64, low=1, high=4096, description="features per node in each layer"),
    "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
    "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after each layer"),
    "batch_norm": Arg("bool", False, description="batch normalisation over real nodes"),
    "residual": Arg("bool", False, description="skip connection around each layer"),
    "pooling": Arg(
        "str",
        "mean",
        values=("mean", "sum", "max"),
        description="global pooling over the nodes of a graph (graph level only)",
    ),
}

GCN = BlockSpec(
    name="gcn",
    description="graph convolutional network: symmetric-normalised adjacency with self "
    "loops times node features; global pooling (graphs) or the node's row (nodes)",
    inputs=("graph",),
    args=_GRAPH_ARGS,
)

GIN = BlockSpec(
    name="gin",
    description="graph isomorphism network: an MLP of (1 + eps) times the node plus the sum "
    "of its neighbours, eps trainable; global pooling (graphs) or the node's row (nodes)",
    inputs=("graph",),
    args={
        **_GRAPH_ARGS,
        "mlp_layers": Arg("int", 2, low=1, high=4, description="dense layers of each GIN MLP"),
        "train_eps": Arg("bool", True, description="learn eps (else 0)"),
        "pooling": Arg(
            "str",
            "sum",
            values=("mean", "sum", "max"),
            description="global pooling over the nodes of a graph (graph level only)",
        ),
    },
)

FAMILY_SPECS: tuple[BlockSpec, ...] = (
    RBF,
    AUTOENCODER,
    SPIKING,
    DBN,
    SOM,
    CAPSULE,
    GAN,
    SIAMESE,
    GCN,
    GIN,
)
FAMILY_SPECS += (CONV_AUTOENCODER,)
