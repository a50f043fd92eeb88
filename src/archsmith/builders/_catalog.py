"""The blocks and sections builders understand (keras-free, so spaces validate fast)."""

from __future__ import annotations

from archsmith.builders._family_catalog import FAMILY_SPECS
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

CATALOG = Catalog(
    blocks={b.name: b for b in (DENSE_STACK, RESIDUAL_DENSE, *FAMILY_SPECS)},
    sections={"optimizer": OPTIMIZER},
    scalars={"batch_size": Arg("int", None, low=1, high=1 << 16, description="batch size")},
)
