"""Graph datasets: graph level (one target per graph of a list) or node level (one target
per node of one graph), their :class:`GraphSchema` and the padded arrays models take.
Graphs are read and checked by ``_graph_read`` (see its docs for the forms a graph takes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._base import MIN_ROWS
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import assemble
from archsmith.datasets._base import check_classes
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import label_bytes
from archsmith.datasets._base import split_indices
from archsmith.datasets._graph_read import MASKS
from archsmith.datasets._graph_read import Graph
from archsmith.datasets._graph_read import is_graph
from archsmith.datasets._graph_read import read_graph
from archsmith.datasets._graph_read import read_npz
from archsmith.datasets._readers import as_target
from archsmith.datasets._schema import register_schema
from archsmith.datasets._targets import LabelledTask
from archsmith.datasets._targets import labelled_target
from archsmith.exceptions import DataError
from archsmith.spec import DataSpec

#: network inputs of graph-level models
ADJACENCY_KEY = "archsmith_adjacency"
FEATURES_KEY = "archsmith_node_features"
MASK_KEY = "archsmith_node_mask"
#: network input of node-level models (node indices of the graph the model holds)
NODE_KEY = "archsmith_node"
#: the tasks graph data serves (of graphs or of nodes)
GRAPH_TASKS = ("classification", "regression")


def pad_graphs(graphs: Sequence[Graph], nodes: int | None = None) -> dict[str, np.ndarray]:
    """Graphs -> padded ``adjacency`` ``(G, n, n)``, ``features`` ``(G, n, F)``, ``mask``."""
    n = max(g.nodes for g in graphs) if nodes is None else nodes
    width = graphs[0].features.shape[1]
    adj = np.zeros((len(graphs), n, n), "float32")
    feats = np.zeros((len(graphs), n, width), "float32")
    mask = np.zeros((len(graphs), n), "float32")
    for i, g in enumerate(graphs):
        adj[i, : g.nodes, : g.nodes] = g.adjacency
        feats[i, : g.nodes] = g.features
        mask[i, : g.nodes] = 1.0
    return {ADJACENCY_KEY: adj, FEATURES_KEY: feats, MASK_KEY: mask}


def _edge_json(adj: np.ndarray) -> str:
    u, v = np.nonzero(adj)
    w = adj[u, v]
    if np.all(w == 1.0):
        return json.dumps([[int(a), int(b)] for a, b in zip(u, v, strict=True)])
    return json.dumps([[int(a), int(b), float(c)] for a, b, c in zip(u, v, w, strict=True)])


def graphs_table(graphs: Sequence[Graph]) -> pd.DataFrame:
    """The table form of graphs: one row per graph, ``edges`` and ``features`` as JSON.

    ``edges`` lists every nonzero adjacency entry ``[u, v]`` (both directions of an
    undirected edge) or ``[u, v, weight]``; ``features`` is the ``(nodes, F)`` matrix.
    """
    return pd.DataFrame(
        {
            "edges": [_edge_json(g.adjacency) for g in graphs],
            "features": [json.dumps(g.features.tolist()) for g in graphs],
        }
    )


def _from_table(frame: pd.DataFrame, what: str) -> list[Graph]:
    missing = [c for c in ("edges", "features") if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what}: a table of graphs has the columns 'edges' and 'features' (JSON), but "
            f"{missing} are missing; got {list(frame.columns)}"
        )
    graphs = []
    for i, (edges, feats) in enumerate(zip(frame["edges"], frame["features"], strict=True)):
        try:
            pairs = json.loads(edges) if isinstance(edges, str) else edges
            features = np.asarray(json.loads(feats) if isinstance(feats, str) else feats, "float32")
        except (TypeError, ValueError) as exc:
            raise DataError(f"{what}: graph {i}: cannot read edges/features JSON ({exc})") from None
        n = len(features)
        adj = np.zeros((n, n), "float32")
        for e, pair in enumerate(pairs):
            if len(pair) not in (2, 3) or not all(0 <= int(p) < n for p in pair[:2]):
                raise DataError(
                    f"{what}: graph {i}: edge {e} {list(pair)} points at a missing node; the "
                    f"graph has {n} nodes (0..{n - 1})"
                )
            adj[int(pair[0]), int(pair[1])] = float(pair[2]) if len(pair) == 3 else 1.0
        graphs.append(read_graph({"adjacency": adj, "features": features}, i))
    return graphs


def read_graphs(x: Any, what: str = "X") -> list[Graph]:
    """A list of graphs, an ``.npz`` file of graphs or a table of graphs -> checked graphs."""
    if isinstance(x, str | Path):
        graphs, _ = read_npz(x)
        if isinstance(graphs, Graph):
            return [graphs]
        return graphs
    if isinstance(x, pd.DataFrame):
        return _from_table(x, what)
    if is_graph(x):
        return [read_graph(x)]
    if isinstance(x, list | tuple):
        return [read_graph(g, i) for i, g in enumerate(x)]
    raise DataError(
        f"{what} is a {type(x).__name__}; graph models take a list of graphs, an .npz file or "
        "a table with 'edges' and 'features' columns"
    )


@dataclass(frozen=True)
class GraphSchema(ArraySchema):
    """Input of a graph model: feature statistics, and the graph itself at node level.

    Attributes:
        level: ``graph`` (one target per graph) or ``node`` (one per node of one graph).
        nodes: the graph's node count (node level).
        adjacency, node_features: the graph the node-level model holds (not serialised).
    """

    level: str = "graph"
    nodes: int = 0
    adjacency: np.ndarray | None = field(default=None, compare=False, repr=False)
    node_features: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return NODE_KEY if self.level == "node" else FEATURES_KEY

    @property
    def features(self) -> int:
        """Features per node."""
        return int(self.shape[-1])

    @property
    def names(self) -> tuple[str, ...]:
        return ("node",) if self.level == "node" else ("edges", "features")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "level": self.level, "nodes": self.nodes}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GraphSchema:
        return cls(
            "graph",
            tuple(data["shape"]),
            tuple(data["mean"]),
            tuple(data["std"]),
            data["name"],
            level=data["level"],
            nodes=data["nodes"],
        )

    def node_ids(self, data: Any, what: str = "X") -> np.ndarray:
        """Node indices (a ``node`` column, a list or an array) -> ``(N, 1)`` int32."""
        if isinstance(data, pd.DataFrame):
            if "node" not in data.columns:
                raise DataError(f"{what} needs a 'node' column; got {list(data.columns)}")
            data = data["node"]
        ids = np.asarray(data).reshape(-1)
        integral = np.issubdtype(ids.dtype, np.integer)
        if ids.size and not integral and not np.all(np.mod(ids.astype("float64"), 1) == 0):
            raise DataError(f"{what}: node indices must be integers, got {ids[:5].tolist()}")
        ids = ids.astype("int64")
        bad = (ids < 0) | (ids >= self.nodes)
        if bad.any():
            raise DataError(
                f"{what}: node {int(ids[bad][0])} is not in the graph, which has {self.nodes} "
                f"nodes (0..{self.nodes - 1}); a node-classification model predicts the nodes "
                "of the graph it was fit on"
            )
        return ids.astype("int32").reshape(-1, 1)

    def model_inputs(self, data: Any) -> dict[str, np.ndarray]:
        """Node level: ``archsmith_node`` indices. Graph level: padded graph arrays."""
        if self.level == "node":
            return {NODE_KEY: self.node_ids(data)}
        graphs = read_graphs(data)
        for i, g in enumerate(graphs):
            if g.features.shape[1] != self.features:
                raise DataError(
                    f"graph {i} has {g.features.shape[1]} feature(s) per node, but the model "
                    f"was fit on {self.features}"
                )
        return pad_graphs(graphs)

    def raw_inputs(self, data: Any, strings: bool = True) -> dict[str, np.ndarray]:
        return self.model_inputs(data)

    def as_table(self, data: Any) -> pd.DataFrame:
        if self.level == "node":
            return pd.DataFrame({"node": self.node_ids(data).reshape(-1).astype("int64")})
        return graphs_table(read_graphs(data))


def _stats(features: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-feature mean and std; a constant feature is scaled to 1, not centred to 0 (it is
    what message passing counts with, e.g. the constant feature of featureless graphs)."""
    mean = features.astype("float64").mean(axis=0)
    std = features.astype("float64").std(axis=0)
    constant = std == 0
    std[constant] = np.where(mean[constant] != 0, np.abs(mean[constant]), 1.0)
    mean[constant] = 0.0
    return tuple(float(m) for m in mean), tuple(float(s) for s in std)


def _source_graphs(x: Any, y: Any) -> tuple[list[Graph] | Graph, Any]:
    """(graphs or one graph, labels) of any graph input."""
    if isinstance(x, str | Path):
        graphs, labels = read_npz(x)
        return graphs, labels if y is None else y
    if is_graph(x):
        one = read_graph(x)
        return one, one.labels if y is None else y
    if isinstance(x, list | tuple):
        return [read_graph(g, i) for i, g in enumerate(x)], y
    raise DataError(
        f"graph data must be a graph, a list of graphs or an .npz file, not {type(x).__name__}"
    )


def load_graph_dataset(x: Any, y: Any, *, task: LabelledTask, data: DataSpec) -> Dataset:
    """Build the :class:`Dataset` of graph data (graph level or node level).

    Raises:
        DataError: a task graph data does not serve, bad graphs (see :func:`read_graph`),
            targets that do not match the graphs or nodes, features of different widths,
            overlapping or empty node masks.
    """
    if task.type not in GRAPH_TASKS:
        raise DataError(
            f"graph data serves classification and regression (of graphs or of nodes), "
            f"not {task.type}"
        )
    source, raw_y = _source_graphs(x, y)
    if raw_y is None:
        raise DataError(
            "graph data needs targets: pass y (one per graph of a list, or one per node of a "
            "single graph), or store 'labels' with the graph"
        )
    name = task.target or "label"
    if isinstance(source, Graph):
        return _node_level(source, raw_y, name, task, data)
    graphs = source
    widths = {g.features.shape[1] for g in graphs}
    if len(widths) > 1:
        first = graphs[0].features.shape[1]
        i = next(i for i, g in enumerate(graphs) if g.features.shape[1] != first)
        raise DataError(
            f"graph {i} has {graphs[i].features.shape[1]} feature(s) per node but graph 0 has "
            f"{first}; every graph needs the same node features"
        )
    labels = as_target(raw_y).reset_index(drop=True)
    if len(labels) != len(graphs):
        raise DataError(
            f"there are {len(graphs)} graphs but {len(labels)} targets; graph-level tasks take "
            "one target per graph (for node classification pass a single graph)"
        )
    if len(graphs) < MIN_ROWS:
        raise DataError(f"the data has {len(graphs)} graphs; at least {MIN_ROWS} are needed")
    target, _ = labelled_target(name, labels, task)
    splits = split_indices(len(graphs), labels, data, stratify=target.stratified)
    check_classes(target, labels.iloc[splits[0]], "graphs", "add more")
    train_feats = np.concatenate([graphs[i].features for i in splits[0]])
    mean, std = _stats(train_feats)
    nodes = max(g.nodes for g in graphs)
    schema = GraphSchema(
        "graph",
        (nodes, graphs[0].features.shape[1]),
        mean,
        std,
        name="graph",
        level="graph",
    )
    padded = pad_graphs(graphs, nodes)

    def make(ids: np.ndarray) -> Split:
        chosen = labels.iloc[ids].reset_index(drop=True)
        frame = graphs_table([graphs[i] for i in ids])
        x_in = {k: v[ids] for k, v in padded.items()}
        return Split(frame, x_in, target.encode(chosen), chosen)

    parts = [b for g in graphs for b in (g.adjacency.tobytes(), g.features.tobytes())]
    parts.append(label_bytes(labels))
    return assemble(schema, target, make, splits, fingerprint(parts, data, "graph"))


def _mask_splits(graph: Graph) -> list[np.ndarray]:
    """Train/validation/test node indices of the graph's masks."""
    if "train_mask" not in graph.masks or "val_mask" not in graph.masks:
        raise DataError(
            "node masks: give both train_mask and val_mask (and optionally test_mask), or none "
            f"for a random split; got {sorted(graph.masks)}"
        )
    names = [m for m in MASKS if m in graph.masks]
    for i, a in enumerate(names):
        if not graph.masks[a].any():
            raise DataError(f"node masks: {a} selects no node")
        for b in names[i + 1 :]:
            both = np.flatnonzero(graph.masks[a] & graph.masks[b])
            if len(both):
                raise DataError(
                    f"node masks: {a} and {b} share {len(both)} node(s) (first: node "
                    f"{int(both[0])}); each node belongs to at most one split"
                )
    empty = np.array([], dtype=int)
    return [np.flatnonzero(graph.masks[m]) if m in graph.masks else empty for m in MASKS]


def _node_level(graph: Graph, raw_y: Any, name: str, task: LabelledTask, data: DataSpec) -> Dataset:
    labels = as_target(raw_y).reset_index(drop=True)
    if len(labels) != graph.nodes:
        raise DataError(
            f"node-level targets: the graph has {graph.nodes} nodes but there are "
            f"{len(labels)} targets; give one per node (for graph classification pass a list "
            "of graphs with one target each)"
        )
    if graph.nodes < MIN_ROWS:
        raise DataError(f"the graph has {graph.nodes} nodes; at least {MIN_ROWS} are needed")
    if graph.masks:  # the target of the labelled nodes: those of a split
        splits = _mask_splits(graph)
        used = np.concatenate(splits).astype(int)
        target, _ = labelled_target(name, labels.iloc[used].reset_index(drop=True), task)
    else:
        target, _ = labelled_target(name, labels, task)
        splits = split_indices(len(labels), labels, data, stratify=target.stratified)
    check_classes(target, labels.iloc[splits[0]], "labelled nodes", "add more")
    mean, std = _stats(graph.features)
    scaled = ((graph.features - np.asarray(mean)) / np.asarray(std)).astype("float32")
    schema = GraphSchema(
        "graph",
        (graph.nodes, graph.features.shape[1]),
        mean,
        std,
        name="graph",
        level="node",
        nodes=graph.nodes,
        adjacency=graph.adjacency,
        node_features=scaled,
    )

    def make(ids: np.ndarray) -> Split:
        chosen = labels.iloc[ids].reset_index(drop=True)
        frame = pd.DataFrame({"node": ids.astype("int64")})
        x_in = {NODE_KEY: ids.astype("int32").reshape(-1, 1)}
        return Split(frame, x_in, target.encode(chosen), chosen)

    parts = [graph.adjacency.tobytes(), graph.features.tobytes()]
    parts += [graph.masks[m].tobytes() for m in MASKS if m in graph.masks]
    parts.append(label_bytes(labels))
    return assemble(schema, target, make, splits, fingerprint(parts, data, "graph"))


register_schema("graph", GraphSchema.from_dict)
