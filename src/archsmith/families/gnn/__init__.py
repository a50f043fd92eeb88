"""Graph neural networks: GCN and GIN message passing over graph data."""

from __future__ import annotations

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

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

FAMILY = Family(
    "gnn",
    blocks=(Block(GCN), Block(GIN)),
    inputs={"graph": "graph_inputs"},  # adjacency, node features and mask (or a held graph)
)
