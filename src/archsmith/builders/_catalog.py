"""The blocks and sections builders understand (keras-free, so spaces validate fast)."""

from __future__ import annotations

from archsmith.builders._family_catalog import FAMILY_SPECS
from archsmith.builders._tabm_catalog import TABULAR_SPECS
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec
from archsmith.search_space import Catalog

ACTIVATIONS = ("relu", "leaky_relu", "elu", "selu", "gelu", "swish", "tanh", "sigmoid", "linear")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")

DENSE_STACK = BlockSpec(
    name="dense_stack",
    description="a stack of fully connected layers of equal width",
    args={
        "layers": Arg("int", 2, low=1, high=64, description="number of dense layers"),
        "units": Arg("int", 64, low=1, high=65536, description="units per layer"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after each layer"),
        "batch_norm": Arg("bool", False, description="batch normalisation before activation"),
        "l2": Arg("float", 0.0, low=0.0, high=1.0, description="L2 weight penalty"),
    },
)

RESIDUAL_DENSE = BlockSpec(
    name="residual_dense",
    description="residual blocks of two dense layers with a skip connection (ResNet-MLP)",
    args={
        "blocks": Arg("int", 2, low=1, high=32, description="number of residual blocks"),
        "units": Arg("int", 64, low=1, high=65536, description="width of the residual stream"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout inside blocks"),
        "batch_norm": Arg("bool", True, description="batch normalisation inside blocks"),
    },
)

OPTIMIZER = BlockSpec(
    name="optimizer",
    description="the optimizer and its own settings",
    args={
        "name": Arg("str", "adam", values=OPTIMIZERS, description="optimizer"),
        "learning_rate": Arg("float", 1e-3, low=1e-7, high=10.0, description="learning rate"),
        "momentum": Arg(
            "float",
            low=0.0,
            high=0.999,
            only_with=("name", ("sgd", "rmsprop")),
            description="momentum",
        ),
        "nesterov": Arg("bool", only_with=("name", ("sgd",)), description="Nesterov momentum"),
        "beta_1": Arg(
            "float",
            low=0.0,
            high=0.9999,
            only_with=("name", ("adam", "adamw")),
            description="first-moment decay",
        ),
        "beta_2": Arg(
            "float",
            low=0.0,
            high=0.99999,
            only_with=("name", ("adam", "adamw")),
            description="second-moment decay",
        ),
        "weight_decay": Arg(
            "float",
            low=0.0,
            high=1.0,
            only_with=("name", ("adamw",)),
            description="decoupled weight decay",
        ),
        "rho": Arg(
            "float",
            low=0.0,
            high=0.9999,
            only_with=("name", ("rmsprop",)),
            description="discounting factor of the gradient history",
        ),
        "initial_accumulator_value": Arg(
            "float",
            low=0.0,
            high=10.0,
            only_with=("name", ("adagrad",)),
            description="starting accumulator value",
        ),
    },
)

# -- images, sequences, texts (builders/_image.py, _sequence.py, _text.py) ------------------
_POOLS = ("avg", "max", "flatten")

AUGMENT = BlockSpec(
    name="augment",
    description="random flips, rotations, zooms, shifts and contrast, only in training",
    inputs=("image",),
    args={
        "flip": Arg(
            "str",
            "none",
            values=("none", "horizontal", "vertical", "horizontal_and_vertical"),
            description="random flips",
        ),
        "rotation": Arg("float", 0.0, low=0.0, high=0.5, description="rotation (turns)"),
        "zoom": Arg("float", 0.0, low=0.0, high=0.9, description="zoom (fraction)"),
        "contrast": Arg("float", 0.0, low=0.0, high=0.9, description="contrast factor"),
        "translation": Arg("float", 0.0, low=0.0, high=0.5, description="shift (fraction)"),
    },
)

CONV_STACK = BlockSpec(
    name="conv_stack",
    description="CNN: blocks of convolutions, pooling, batch-norm and dropout, globally pooled",
    inputs=("image",),
    args={
        "blocks": Arg("int", 2, low=1, high=8, description="number of conv blocks"),
        "filters": Arg("int", 32, low=1, high=1024, description="filters of the first block"),
        "growth": Arg("float", 2.0, low=1.0, high=4.0, description="filter factor per block"),
        "kernel": Arg("int", 3, low=1, high=11, description="kernel size"),
        "convs": Arg("int", 1, low=1, high=4, description="convolutions per block"),
        "pooling": Arg("str", "max", values=("max", "avg", "none"), description="pooling"),
        "batch_norm": Arg("bool", True, description="batch normalisation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout per block"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "global_pool": Arg("str", "avg", values=_POOLS, description="final pooling"),
    },
)

RESNET_STAGES = BlockSpec(
    name="resnet_stages",
    description="ResNet: a stem convolution and stages of basic residual blocks",
    inputs=("image",),
    args={
        "stages": Arg("int", 2, low=1, high=5, description="stages (each halves the map)"),
        "blocks": Arg("int", 1, low=1, high=8, description="residual blocks per stage"),
        "filters": Arg("int", 16, low=1, high=512, description="filters of the first stage"),
        "kernel": Arg("int", 3, low=1, high=7, description="kernel size"),
        "batch_norm": Arg("bool", True, description="batch normalisation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout per block"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "global_pool": Arg("str", "avg", values=_POOLS, description="final pooling"),
    },
)

BACKBONE = BlockSpec(
    name="backbone",
    description="transfer learning from a local .keras file or keras.applications model",
    inputs=("image",),
    args={
        "source": Arg("str", description="a .keras file, or a keras.applications model name"),
        "weights": Arg("str", "", description="local weights file of a keras.applications model"),
        "fine_tune": Arg(
            "int", 0, low=0, high=100_000, description="last weighted layers trained (0: frozen)"
        ),
        "global_pool": Arg("str", "avg", values=("avg", "max"), description="pooling"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after pooling"),
    },
)

RNN = BlockSpec(
    name="rnn",
    description="stacked recurrent layers (SimpleRNN, LSTM, GRU), optionally bidirectional",
    inputs=("sequence", "text"),
    args={
        "cell": Arg("str", "lstm", values=("simple", "lstm", "gru"), description="cell"),
        "units": Arg("int", 64, low=1, high=4096, description="units per layer"),
        "layers": Arg("int", 1, low=1, high=8, description="stacked layers"),
        "bidirectional": Arg("bool", False, description="read both directions"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="input dropout"),
        "recurrent_dropout": Arg(
            "float", 0.0, low=0.0, high=0.95, description="dropout of the recurrent state"
        ),
    },
)

CONV1D = BlockSpec(
    name="conv1d",
    description="1-D CNN: fully convolutional (fcn) or ResNet-1D (resnet), globally pooled",
    inputs=("sequence", "text"),
    args={
        "style": Arg("str", "fcn", values=("fcn", "resnet"), description="architecture"),
        "filters": Arg("int", 64, low=1, high=1024, description="filters per convolution"),
        "kernel": Arg("int", 8, low=1, high=64, description="kernel size"),
        "blocks": Arg("int", 3, low=1, high=8, description="conv (fcn) or residual blocks"),
        "batch_norm": Arg("bool", True, description="batch normalisation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout per block"),
        "activation": Arg("str", "relu", values=ACTIVATIONS, description="activation"),
        "pooling": Arg(
            "str", "avg", values=("avg", "max", "flatten"), description="pooling over time"
        ),
    },
)

TRANSFORMER = BlockSpec(
    name="transformer",
    description="transformer encoder blocks with positions and a pooled output",
    inputs=("sequence", "text"),
    args={
        "blocks": Arg("int", 2, low=1, high=12, description="encoder blocks (depth)"),
        "heads": Arg("int", 4, low=1, high=32, description="attention heads"),
        "key_dim": Arg("int", 16, low=1, high=256, description="size of each head"),
        "ff_units": Arg("int", 128, low=1, high=8192, description="feed-forward width"),
        "dropout": Arg("float", 0.1, low=0.0, high=0.9, description="dropout"),
        "positional": Arg(
            "str",
            "learned",
            values=("none", "learned", "sinusoidal"),
            description="position embedding",
        ),
        "pooling": Arg(
            "str", "avg", values=("avg", "max", "last", "flatten"), description="pooling"
        ),
    },
)

TEXT_EMBEDDING = BlockSpec(
    name="text_embedding",
    description="text -> token ids (TextVectorization in the model) -> embeddings",
    inputs=("text",),
    args={
        "max_tokens": Arg("int", 20_000, low=3, high=200_000, description="vocabulary size"),
        "sequence_length": Arg(
            "int", 0, low=0, high=100_000, description="tokens per text (0: 95th percentile)"
        ),
        "ngrams": Arg("int", 1, low=1, high=3, description="longest n-gram token"),
        "embed_dim": Arg("int", 64, low=1, high=2048, description="embedding size"),
    },
)

TEXT_BAG = BlockSpec(
    name="text_bag",
    description="text -> bag of n-grams (TextVectorization multi_hot or count)",
    inputs=("text",),
    args={
        "max_tokens": Arg("int", 20_000, low=2, high=200_000, description="vocabulary size"),
        "ngrams": Arg("int", 2, low=1, high=3, description="longest n-gram token"),
        "mode": Arg("str", "multi_hot", values=("multi_hot", "count"), description="encoding"),
    },
)

KIND_BLOCKS = (
    AUGMENT,
    CONV_STACK,
    RESNET_STAGES,
    BACKBONE,
    RNN,
    CONV1D,
    TRANSFORMER,
    TEXT_EMBEDDING,
    TEXT_BAG,
)

CATALOG = Catalog(
    blocks={
        b.name: b
        for b in (DENSE_STACK, RESIDUAL_DENSE, *KIND_BLOCKS, *FAMILY_SPECS, *TABULAR_SPECS)
    },
    sections={"optimizer": OPTIMIZER},
    scalars={"batch_size": Arg("int", None, low=1, high=1 << 16, description="batch size")},
)
