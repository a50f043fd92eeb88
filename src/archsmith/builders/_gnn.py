"""Graph neural networks: message passing written with ``keras.ops`` (every Keras backend).

Graph-level models take a padded batch of graphs, ``archsmith_adjacency`` ``(B, n, n)``,
``archsmith_node_features`` ``(B, n, F)`` and ``archsmith_node_mask`` ``(B, n)`` (1 for a
real node, 0 for padding; ``n`` may differ between batches), and end in a masked global
pooling. Node-level models hold their graph (:class:`GraphConstant`), take node indices
``archsmith_node`` ``(B, 1)``, run message passing over the whole graph and gather the rows
of the requested nodes. The ``gcn`` and ``gin`` blocks build the message passing and its
read-out; dense blocks may follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from keras import ops

from archsmith.datasets import ADJACENCY_KEY
from archsmith.datasets import FEATURES_KEY
from archsmith.datasets import MASK_KEY
from archsmith.datasets import NODE_KEY
from archsmith.datasets import GraphSchema

POOLINGS = ("mean", "sum", "max")


@dataclass(frozen=True)
class GraphTensors:
    """What graph blocks receive: node features, adjacency, node mask and, at node level,
    the requested node indices (None at graph level)."""

    features: Any
    adjacency: Any
    mask: Any
    nodes: Any = None


def _masked(h: Any, mask: Any) -> Any:
    return h * ops.expand_dims(ops.cast(mask, h.dtype), -1)


@keras.saving.register_keras_serializable(package="archsmith")
class NodeMask(keras.layers.Layer):
    """Zero the rows of padding nodes: ``h * mask[..., None]``.

    It ends the Keras mask a masked batch normalisation attaches (the node mask is an
    explicit input of every graph layer instead).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def call(self, inputs: Any) -> Any:
        h, mask = inputs
        return _masked(h, mask)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape[0]


@keras.saving.register_keras_serializable(package="archsmith")
class GCNConv(keras.layers.Layer):
    """Graph convolution (Kipf & Welling): ``D^-1/2 (A + I) D^-1/2 H W + b``.

    ``A + I`` adds a self loop to every real node; ``D`` is its row sum. Padding rows are
    zero in the output.

    Args:
        units: output features per node.
        use_bias: add a bias.
    """

    def __init__(self, units: int, use_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = int(units)
        self.use_bias = bool(use_bias)

    def build(self, input_shape: Any) -> None:
        width = input_shape[0][-1]
        self.kernel = self.add_weight(
            shape=(width, self.units), initializer="glorot_uniform", name="kernel"
        )
        self.bias = (
            self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
            if self.use_bias
            else None
        )

    def call(self, inputs: Any) -> Any:
        h, adj, mask = inputs
        mask = ops.cast(mask, h.dtype)
        degree = ops.sum(adj, axis=-1) + mask  # the self loop of every real node
        scale = ops.expand_dims(ops.where(degree > 0, ops.rsqrt(ops.maximum(degree, 1e-12)), 0), -1)
        hw = ops.matmul(h, self.kernel)
        out = scale * ops.matmul(adj, scale * hw) + scale * scale * hw
        if self.bias is not None:
            out = out + self.bias
        return _masked(out, mask)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape[0][:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias}


@keras.saving.register_keras_serializable(package="archsmith")
class GINAggregate(keras.layers.Layer):
    """The aggregation of a GIN layer (Xu et al.): ``(1 + eps) h_v + sum of neighbours``.

    The MLP that follows is made of ordinary Keras layers (see :func:`gin`).

    Args:
        train_eps: learn ``eps`` (starts at 0); otherwise ``eps`` is 0.
    """

    def __init__(self, train_eps: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.train_eps = bool(train_eps)

    def build(self, input_shape: Any) -> None:
        self.eps = self.add_weight(
            shape=(), initializer="zeros", trainable=self.train_eps, name="eps"
        )

    def call(self, inputs: Any) -> Any:
        h, adj, mask = inputs
        return _masked((1.0 + self.eps) * h + ops.matmul(adj, h), mask)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "train_eps": self.train_eps}


@keras.saving.register_keras_serializable(package="archsmith")
class GraphPool(keras.layers.Layer):
    """Masked global pooling of node features to one vector per graph.

    Args:
        mode: ``mean``, ``sum`` or ``max`` over the real nodes.
    """

    def __init__(self, mode: str = "mean", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mode not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, got {mode!r}")
        self.mode = mode

    def call(self, inputs: Any) -> Any:
        h, mask = inputs
        m = ops.expand_dims(ops.cast(mask, h.dtype), -1)
        if self.mode == "max":
            return ops.max(ops.where(m > 0, h, -1e9), axis=1)
        total = ops.sum(h * m, axis=1)
        if self.mode == "sum":
            return total
        return total / ops.maximum(ops.sum(m, axis=1), 1.0)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = input_shape[0]
        return (shape[0], shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="archsmith")
class GraphConstant(keras.layers.Layer):
    """The graph of a node-level model, held as non-trainable weights.

    Called on the node-index input (only to place it in the model), it returns the
    ``(1, n, F)`` node features, the ``(1, n, n)`` adjacency and a ``(1, n)`` mask of ones.

    Args:
        nodes, features: graph size; the values are set with :meth:`set_graph` (a saved
            model restores them from its weights).
    """

    def __init__(self, nodes: int, features: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.nodes = int(nodes)
        self.features = int(features)

    def build(self, input_shape: Any) -> None:
        n, f = self.nodes, self.features
        self.node_features = self.add_weight(
            shape=(n, f), initializer="zeros", trainable=False, name="node_features"
        )
        self.adjacency = self.add_weight(
            shape=(n, n), initializer="zeros", trainable=False, name="adjacency"
        )

    def set_graph(self, adjacency: np.ndarray, features: np.ndarray) -> None:
        """Store the graph (standardised node features and adjacency)."""
        self.adjacency.assign(np.asarray(adjacency, "float32"))
        self.node_features.assign(np.asarray(features, "float32"))

    def call(self, nodes: Any) -> Any:
        feats = ops.expand_dims(ops.convert_to_tensor(self.node_features), 0)
        adj = ops.expand_dims(ops.convert_to_tensor(self.adjacency), 0)
        return feats, adj, ops.ones((1, self.nodes), dtype=feats.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        n, f = self.nodes, self.features
        return (1, n, f), (1, n, n), (1, n)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "nodes": self.nodes, "features": self.features}


@keras.saving.register_keras_serializable(package="archsmith")
class NodeGather(keras.layers.Layer):
    """Rows of the requested nodes: ``h[0, nodes[:, 0]]`` -> ``(B, units)``."""

    def call(self, inputs: Any) -> Any:
        h, nodes = inputs
        return ops.take(h[0], ops.reshape(ops.cast(nodes, "int32"), (-1,)), axis=0)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[1][0], input_shape[0][-1])


def graph_inputs(schema: GraphSchema) -> tuple[dict[str, Any], GraphTensors]:
    """The network inputs of graph data and the :class:`GraphTensors` blocks receive.

    Graph level: node features standardised with the training statistics (a fixed
    ``Normalization``), padding rows zeroed. Node level: the standardised graph itself.
    """
    if schema.level == "node":
        nodes = keras.Input(shape=(1,), dtype="int32", name=NODE_KEY)
        const = GraphConstant(schema.nodes, schema.features, name="archsmith_graph")
        feats, adj, mask = const(nodes)
        assert schema.adjacency is not None and schema.node_features is not None
        const.set_graph(schema.adjacency, schema.node_features)
        return {NODE_KEY: nodes}, GraphTensors(feats, adj, mask, nodes)
    adj = keras.Input(shape=(None, None), name=ADJACENCY_KEY)
    raw = keras.Input(shape=(None, schema.features), name=FEATURES_KEY)
    mask = keras.Input(shape=(None,), name=MASK_KEY)
    norm = keras.layers.Normalization(
        axis=-1,
        mean=list(schema.mean),
        variance=[s * s for s in schema.std],
        name="archsmith_node_normalization",
    )(raw)
    feats = NodeMask(name="archsmith_node_features_masked")([norm, mask])
    return {ADJACENCY_KEY: adj, FEATURES_KEY: raw, MASK_KEY: mask}, GraphTensors(feats, adj, mask)


def _graph_tensors(x: Any, block: str) -> GraphTensors:
    if not isinstance(x, GraphTensors):
        raise ValueError(
            f"{block} takes graph inputs, so it must be the first block of the model and the "
            "data must be graphs (data.kind graph)"
        )
    return x


def _post(h: Any, mask: Any, *, activation: str, batch_norm: bool, dropout: float) -> Any:
    """(masked batch norm) -> activation -> (dropout), padding rows kept at zero."""
    if batch_norm:
        h = keras.layers.BatchNormalization(momentum=0.9)(h, mask=mask)
    h = keras.layers.Activation(activation)(h)
    if dropout > 0:
        h = keras.layers.Dropout(dropout)(h)
    return NodeMask()([h, mask])


def _readout(h: Any, g: GraphTensors, pooling: str) -> Any:
    if g.nodes is not None:  # node level: the requested nodes' rows
        return NodeGather(name="archsmith_node_gather")([h, g.nodes])
    return GraphPool(pooling, name="archsmith_graph_pool")([h, g.mask])


def _message_passing(
    x: Any,
    conv: Any,
    *,
    block: str,
    layers: int,
    units: int,
    residual: bool,
    pooling: str,
) -> Any:
    """``layers`` message-passing steps (``conv(h, g) -> h``), optional skips, read-out."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
    g = _graph_tensors(x, block)
    h = g.features
    if residual:  # project once so that every layer's input and output widths match
        h = NodeMask()([keras.layers.Dense(units)(h), g.mask])
    for _ in range(layers):
        out = conv(h, g)
        h = keras.layers.Add()([h, out]) if residual else out
    return _readout(h, g, pooling)


def gcn(
    x: Any,
    *,
    layers: int,
    units: int,
    activation: str,
    dropout: float,
    batch_norm: bool,
    residual: bool,
    pooling: str,
) -> Any:
    """GCN: ``layers`` x [GCNConv -> (BatchNorm) -> activation -> (Dropout)], read-out.

    Graph level: masked global ``pooling`` (mean, sum, max). Node level: the rows of the
    requested nodes.
    """

    def conv(h: Any, g: GraphTensors) -> Any:
        h = GCNConv(units, use_bias=not batch_norm)([h, g.adjacency, g.mask])
        return _post(h, g.mask, activation=activation, batch_norm=batch_norm, dropout=dropout)

    return _message_passing(
        x, conv, block="gcn", layers=layers, units=units, residual=residual, pooling=pooling
    )


def gin(
    x: Any,
    *,
    layers: int,
    units: int,
    mlp_layers: int,
    train_eps: bool,
    activation: str,
    dropout: float,
    batch_norm: bool,
    residual: bool,
    pooling: str,
) -> Any:
    """GIN: ``layers`` x [(1 + eps) h + sum of neighbours -> MLP of ``mlp_layers`` dense
    layers, each (BatchNorm) -> activation -> (Dropout)], read-out (see :func:`gcn`)."""

    def conv(h: Any, g: GraphTensors) -> Any:
        h = GINAggregate(train_eps)([h, g.adjacency, g.mask])
        for _ in range(mlp_layers):
            h = keras.layers.Dense(units, use_bias=not batch_norm)(h)
            h = _post(h, g.mask, activation=activation, batch_norm=batch_norm, dropout=dropout)
        return h

    return _message_passing(
        x, conv, block="gin", layers=layers, units=units, residual=residual, pooling=pooling
    )
