"""Graph data: adjacency + node features, one graph (node level) or many (graph level).

A graph is read from any of these forms (see :func:`read_graph`):

- a mapping with ``adjacency`` (a dense ``(n, n)`` array or a ``scipy.sparse`` matrix, used
  as given, so it may be weighted or directed) or ``edges`` (``(E, 2)`` node indices, read
  as undirected, with optional ``edge_weights``), and optional ``features`` (``(n, F)``),
  ``num_nodes``, ``labels`` and node masks ``train_mask``/``val_mask``/``test_mask``;
- a ``networkx`` graph (duck-typed, networkx is not a dependency): nodes in ``G.nodes``
  order, edge attribute ``weight``, node attributes ``features`` (features) and ``label``;
- a tuple ``(adjacency, features)`` or a lone adjacency (dense or sparse).

A graph without features gets one constant feature per node, so only its structure counts.

**Level.** A list (or tuple of mappings/networkx graphs) is a graph-level data set: one
target per graph. A single graph is a node-level data set: one target per node, split into
train/validation/test nodes by the masks it carries or at random (``data.validation``,
``data.test``). Node classification is transductive: the model holds the graph and takes
node indices.

**Files** (``data.train``): an ``.npz`` archive with ``features`` ``(N, F)`` (optional),
``edges`` ``(E, 2)`` (indices of ``features`` rows; undirected) or ``adjacency`` ``(N, N)``
(one graph), optional ``edge_weights`` ``(E,)`` and ``num_nodes``; ``graph_offsets``
``(G + 1,)`` makes it graph level (graph ``g`` is rows ``offsets[g]:offsets[g + 1]``);
``labels`` ``(G,)`` or ``(N,)``; optional boolean node masks (node level). Write one with
:func:`save_graphs`.

Models take dense adjacency matrices (padded to the largest graph of a batch, with a node
mask); graphs are limited to :data:`MAX_NODES` nodes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._dataset import MIN_ROWS
from archsmith.datasets._dataset import Dataset
from archsmith.datasets._dataset import Split
from archsmith.datasets._dataset import _split_indices
from archsmith.datasets._dataset import _target
from archsmith.datasets._dataset import as_target
from archsmith.datasets._dataset import assemble
from archsmith.exceptions import DataError
from archsmith.spec import ClassificationTask
from archsmith.spec import DataSpec
from archsmith.spec import RegressionTask

#: largest graph (nodes) a model takes: adjacency matrices are dense
MAX_NODES = 4096
#: network inputs of graph-level models
ADJACENCY_KEY = "archsmith_adjacency"
FEATURES_KEY = "archsmith_node_features"
MASK_KEY = "archsmith_node_mask"
#: network input of node-level models (node indices of the graph the model holds)
NODE_KEY = "archsmith_node"
_MASKS = ("train_mask", "val_mask", "test_mask")


@dataclass(frozen=True)
class Graph:
    """One checked graph: dense adjacency, node features and what came with it.

    Attributes:
        adjacency: ``(n, n)`` float32.
        features: ``(n, F)`` float32 (one constant column when the graph had none).
        labels: node labels carried by the graph (``labels`` key, networkx ``label``).
        masks: node masks carried by the graph (``train_mask`` …), boolean ``(n,)``.
    """

    adjacency: np.ndarray
    features: np.ndarray
    labels: Any = None
    masks: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def nodes(self) -> int:
        return int(self.adjacency.shape[0])


def _is_networkx(x: Any) -> bool:
    # methods, not attributes: a DataFrame with columns 'nodes', 'edges' … is no graph
    return all(callable(getattr(x, a, None)) for a in ("is_directed", "number_of_nodes"))


def _is_sparse(x: Any) -> bool:
    return all(callable(getattr(x, a, None)) for a in ("tocoo", "toarray"))


def _is_graph(x: Any) -> bool:
    """One graph: a networkx graph, a mapping with ``adjacency`` (or ``edges`` with
    ``features`` or ``num_nodes``), or a square ``scipy.sparse`` matrix."""
    if _is_networkx(x):
        return True
    if _is_sparse(x):
        shape = tuple(x.shape)
        return len(shape) == 2 and shape[0] == shape[1]
    if not isinstance(x, Mapping):
        return False
    return "adjacency" in x or ("edges" in x and ("features" in x or "num_nodes" in x))


#: arrays that make an ``.npz`` file a graph file (other ``.npz`` files hold plain arrays)
GRAPH_FILE_KEYS = frozenset({"adjacency", "edges", "graph_offsets"})


def is_graph_file(path: Any) -> bool:
    """Whether ``path`` is an ``.npz`` file holding graphs (an ``adjacency`` or ``edges``)."""
    if not isinstance(path, str | Path) or Path(path).suffix.lower() != ".npz":
        return False
    try:
        with np.load(path, allow_pickle=False) as f:  # lists the names, reads no array
            return bool(GRAPH_FILE_KEYS & set(f.files))
    except (OSError, ValueError):
        return False


def looks_like_graphs(x: Any) -> bool:
    """Whether ``x`` is graph data: a graph, a list of graphs or an ``.npz`` graph file."""
    if isinstance(x, str | Path):
        return is_graph_file(x)
    return _is_graph(x) or (isinstance(x, list | tuple) and len(x) > 0 and _is_graph(x[0]))


def _where(index: int | None) -> str:
    return "the graph" if index is None else f"graph {index}"


def _edges_adjacency(
    edges: Any, weights: Any, nodes: int, where: str, offset: int = 0
) -> np.ndarray:
    """Undirected dense adjacency from an ``(E, 2)`` edge list, with checked endpoints."""
    arr = np.asarray(edges)
    if arr.size == 0:
        arr = arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise DataError(f"{where}: edges must be an (E, 2) array of node pairs, got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.mod(arr, 1) == 0):
            raise DataError(f"{where}: edges must hold integer node indices")
        arr = arr.astype("int64")
    local = arr - offset
    bad = np.flatnonzero(((local < 0) | (local >= nodes)).any(axis=1))
    if len(bad):
        e = int(bad[0])
        u, v = (int(a) for a in arr[e])
        node = u if not 0 <= u - offset < nodes else v
        span = f"0..{nodes - 1}" if offset == 0 else f"rows {offset}..{offset + nodes - 1}"
        raise DataError(
            f"{where}: edge {e} ({u}, {v}) points at node {node}, but the graph has {nodes} "
            f"nodes ({span}); {len(bad)} edge(s) point at missing nodes"
        )
    w = np.ones(len(local), "float32") if weights is None else np.asarray(weights, "float32")
    if w.shape != (len(local),):
        raise DataError(
            f"{where}: edge_weights has shape {w.shape}, expected one weight per edge "
            f"({len(local)},)"
        )
    adj = np.zeros((nodes, nodes), "float32")
    adj[local[:, 0], local[:, 1]] = w
    adj[local[:, 1], local[:, 0]] = w
    return adj


def _dense(adjacency: Any, where: str) -> np.ndarray:
    if _is_sparse(adjacency):
        shape = adjacency.shape
        if len(shape) != 2 or shape[0] != shape[1]:
            raise DataError(f"{where}: adjacency must be square (nodes x nodes), got {shape}")
        if shape[0] > MAX_NODES:
            raise DataError(_too_big(where, shape[0]))
        adjacency = adjacency.toarray()
    try:
        arr = np.asarray(adjacency, dtype="float32")
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where}: adjacency is not an array of numbers ({exc})") from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise DataError(f"{where}: adjacency must be square (nodes x nodes), got {arr.shape}")
    return arr


def _too_big(where: str, nodes: int) -> str:
    return (
        f"{where} has {nodes} nodes; graph models take dense adjacency matrices of at most "
        f"{MAX_NODES} nodes"
    )


def _networkx(g: Any) -> dict[str, Any]:
    """A networkx graph as a mapping (adjacency in ``G.nodes`` order, features, labels)."""
    nodes = list(g.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    adj = np.zeros((len(nodes), len(nodes)), "float32")
    for u, v, data in g.edges(data=True):
        w = float(data.get("weight", 1.0))
        adj[index[u], index[v]] = w
        if not g.is_directed():
            adj[index[v], index[u]] = w
    out: dict[str, Any] = {"adjacency": adj}
    attrs = [g.nodes[n] for n in nodes]
    if attrs and all("features" in a for a in attrs):
        out["features"] = [np.atleast_1d(np.asarray(a["features"], "float32")) for a in attrs]
    if attrs and all("label" in a for a in attrs):
        out["labels"] = [a["label"] for a in attrs]
    return out


def read_graph(x: Any, index: int | None = None) -> Graph:
    """Check and read one graph (see the module docs for the forms it takes).

    Args:
        x: the graph.
        index: its position in a list of graphs, named in errors.

    Raises:
        DataError: adjacency not square, edges pointing at missing nodes, features whose
            rows are not the nodes, non-finite values, too many nodes.
    """
    where = _where(index)
    if _is_networkx(x):
        x = _networkx(x)
    elif isinstance(x, tuple) and len(x) == 2:
        x = {"adjacency": x[0], "features": x[1]}
    elif not isinstance(x, Mapping):
        if _is_sparse(x) or isinstance(x, np.ndarray):
            x = {"adjacency": x}
        else:
            raise DataError(
                f"{where} is a {type(x).__name__}; a graph is a mapping with 'adjacency' or "
                "'edges' (and 'features'), a networkx graph, a tuple (adjacency, features) "
                "or an adjacency matrix"
            )
    known = {"adjacency", "edges", "edge_weights", "features", "num_nodes", "labels", *_MASKS}
    unknown = sorted(str(k) for k in x if k not in known)
    if unknown:
        raise DataError(f"{where}: unknown key(s) {unknown}; expected some of {sorted(known)}")
    features = None
    if x.get("features") is not None:
        try:
            features = np.asarray(x["features"], dtype="float32")
        except (TypeError, ValueError) as exc:
            raise DataError(f"{where}: features are not an array of numbers ({exc})") from None
        if features.ndim == 1:
            features = features[:, None]
        if features.ndim != 2:
            raise DataError(
                f"{where}: features must be (nodes, features), got shape {features.shape}"
            )
    if "adjacency" in x and "edges" in x:
        raise DataError(f"{where}: give either 'adjacency' or 'edges', not both")
    if "adjacency" in x:
        adj = _dense(x["adjacency"], where)
    elif "edges" in x:
        nodes = x.get("num_nodes")
        if nodes is None:
            if features is None:
                raise DataError(f"{where}: with 'edges', give 'features' or 'num_nodes'")
            nodes = len(features)
        nodes = int(nodes)
        if nodes > MAX_NODES:
            raise DataError(_too_big(where, nodes))
        adj = _edges_adjacency(x["edges"], x.get("edge_weights"), nodes, where)
    else:
        raise DataError(f"{where}: a graph needs 'adjacency' or 'edges'")
    nodes = adj.shape[0]
    if nodes == 0:
        raise DataError(f"{where} has no nodes")
    if nodes > MAX_NODES:
        raise DataError(_too_big(where, nodes))
    if not np.isfinite(adj).all():
        raise DataError(f"{where}: adjacency holds NaN or infinite values")
    if features is None:
        features = np.ones((nodes, 1), "float32")
    if len(features) != nodes:
        raise DataError(
            f"{where}: features has {len(features)} rows but the graph has {nodes} nodes; "
            "give one feature row per node"
        )
    if not np.isfinite(features).all():
        raise DataError(f"{where}: features hold NaN or infinite values; fill them first")
    masks = {}
    for name in _MASKS:
        if x.get(name) is not None:
            mask = np.asarray(x[name]).astype(bool).reshape(-1)
            if len(mask) != nodes:
                raise DataError(
                    f"{where}: {name} has {len(mask)} values but the graph has {nodes} nodes"
                )
            masks[name] = mask
    return Graph(adj, features, x.get("labels"), masks)


def read_npz(path: str | Path) -> tuple[list[Graph] | Graph, Any]:
    """Read an ``.npz`` graph file -> (graphs or one graph, labels or None)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read {path} as an .npz graph file: {exc}") from None
    labels = arrays.pop("labels", None)
    offsets = arrays.pop("graph_offsets", None)
    if offsets is None:  # one graph: node level
        try:
            graph = read_graph(arrays)
        except DataError as exc:
            raise DataError(f"{path}: {exc}") from None
        return graph, labels
    offsets = np.asarray(offsets, "int64")
    extra = sorted(set(arrays) - {"features", "edges", "edge_weights", "num_nodes"})
    if extra:
        raise DataError(
            f"{path}: a file with graph_offsets holds features, edges, edge_weights, labels, "
            f"num_nodes; unknown or node-level key(s) {extra}"
        )
    features = arrays.get("features")
    total = int(offsets[-1]) if len(offsets) else 0
    if len(offsets) < 2 or offsets[0] != 0 or np.any(np.diff(offsets) <= 0):
        raise DataError(
            f"{path}: graph_offsets must start at 0 and increase (every graph has a node), "
            f"got {offsets[:10].tolist()}"
        )
    if features is not None and len(features) != total:
        raise DataError(
            f"{path}: features has {len(features)} rows but graph_offsets ends at {total}"
        )
    edges = np.asarray(arrays.get("edges", np.zeros((0, 2), "int64")))
    if edges.size == 0:
        edges = edges.reshape(0, 2)
    if edges.ndim != 2 or edges.shape[1] != 2:
        raise DataError(f"{path}: edges must be an (E, 2) array, got {edges.shape}")
    weights = arrays.get("edge_weights")
    if len(edges):
        stray = np.flatnonzero(((edges < 0) | (edges >= total)).any(axis=1))
        if len(stray):
            e = int(stray[0])
            raise DataError(
                f"{path}: edge {e} {tuple(int(a) for a in edges[e])} points at a missing node; "
                f"the file has {total} nodes (0..{total - 1})"
            )
        owner = np.searchsorted(offsets, edges[:, 0], side="right") - 1
        other = np.searchsorted(offsets, edges[:, 1], side="right") - 1
        cross = np.flatnonzero(owner != other)
        if len(cross):
            e = int(cross[0])
            g = int(owner[e])
            lo, hi = int(offsets[g]), int(offsets[g + 1])
            raise DataError(
                f"{path}: graph {g}: edge {e} ({int(edges[e, 0])}, {int(edges[e, 1])}) points "
                f"at node {int(edges[e, 1])}, which is not one of the graph's {hi - lo} nodes "
                f"(rows {lo}..{hi - 1}); {len(cross)} edge(s) join different graphs"
            )
    else:
        owner = np.zeros(0, "int64")
    graphs = []
    for g in range(len(offsets) - 1):
        lo, hi = int(offsets[g]), int(offsets[g + 1])
        mine = owner == g
        adj = _edges_adjacency(
            edges[mine], None if weights is None else weights[mine], hi - lo, f"graph {g}", lo
        )
        feats = None if features is None else features[lo:hi]
        graphs.append(read_graph({"adjacency": adj, "features": feats}, g))
    return graphs, labels


def save_graphs(path: str | Path, graphs: Sequence[Any] | Any, labels: Any = None) -> Path:
    """Write graphs (a list: graph level) or one graph (node level) as an ``.npz`` file.

    Graph-level files store edges of the nonzero adjacency entries (each undirected pair
    once, by global node index) with their weights, so directed graphs are not kept.
    """
    path = Path(path)
    if isinstance(graphs, list | tuple):
        read = [read_graph(g, i) for i, g in enumerate(graphs)]
        widths = [g.features.shape[1] for g in read]
        if len(set(widths)) > 1:
            i = next(i for i, w in enumerate(widths) if w != widths[0])
            raise DataError(
                f"graph {i} has {widths[i]} feature(s) per node but graph 0 has {widths[0]}; "
                "a file holds graphs with the same node features"
            )
        offsets = np.cumsum([0] + [g.nodes for g in read]).astype("int64")
        edges, weights = [], []
        for g, lo in zip(read, offsets[:-1], strict=False):
            u, v = np.nonzero(np.triu(g.adjacency + g.adjacency.T > 0))
            edges.append(np.stack([u, v], axis=1) + lo)
            weights.append(g.adjacency[u, v])
        arrays: dict[str, Any] = {
            "features": np.concatenate([g.features for g in read]),
            "edges": np.concatenate(edges).astype("int64"),
            "edge_weights": np.concatenate(weights).astype("float32"),
            "graph_offsets": offsets,
        }
    else:
        one = read_graph(graphs)
        arrays = {"adjacency": one.adjacency, "features": one.features}
        arrays.update({k: v for k, v in one.masks.items()})
        if labels is None and one.labels is not None:
            labels = one.labels
    if labels is not None:
        arrays["labels"] = np.asarray(labels)
    np.savez_compressed(path, **arrays)
    return path


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
    if _is_graph(x):
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
    if _is_graph(x):
        one = read_graph(x)
        return one, one.labels if y is None else y
    if isinstance(x, list | tuple):
        return [read_graph(g, i) for i, g in enumerate(x)], y
    raise DataError(
        f"graph data must be a graph, a list of graphs or an .npz file, not {type(x).__name__}"
    )


def load_graph_dataset(
    x: Any, y: Any, *, task: ClassificationTask | RegressionTask, data: DataSpec
) -> Dataset:
    """Build the :class:`Dataset` of graph data (graph level or node level).

    Raises:
        DataError: bad graphs (see :func:`read_graph`), targets that do not match the graphs
            or nodes, features of different widths, overlapping or empty node masks.
    """
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
    target = _target(name, labels, task)
    train_idx, val_idx, test_idx = _split_indices(
        len(graphs), labels, data, stratify=isinstance(task, ClassificationTask)
    )
    _check_classes(target, labels.iloc[train_idx], task, "graphs")
    train_feats = np.concatenate([graphs[i].features for i in train_idx])
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

    digest = hashlib.sha256()
    for g in graphs:
        digest.update(g.adjacency.tobytes())
        digest.update(g.features.tobytes())
    return assemble(
        schema, target, make, (train_idx, val_idx, test_idx), _fingerprint(digest, labels, data)
    )


def _fingerprint(digest: Any, labels: pd.Series, data: DataSpec) -> str:
    digest.update(pd.util.hash_pandas_object(labels.astype(str), index=False).to_numpy().tobytes())
    digest.update(f"{data.validation}/{data.test}/{data.seed}/graph".encode())
    return str(digest.hexdigest()[:16])


def _check_classes(
    target: Any, train: pd.Series, task: ClassificationTask | RegressionTask, what: str
) -> None:
    if isinstance(task, ClassificationTask):
        missing = set(target.classes) - set(train)
        if missing:
            raise DataError(
                f"class(es) {sorted(map(str, missing))} have too few {what} to appear in the "
                "training split; add more or merge classes"
            )


def _node_splits(graph: Graph, labels: pd.Series, data: DataSpec, stratify: bool) -> list[Any]:
    """Train/validation/test node indices: the graph's masks, else a random split."""
    if not graph.masks:
        return _split_indices(len(labels), labels, data, stratify=stratify)
    if "train_mask" not in graph.masks or "val_mask" not in graph.masks:
        raise DataError(
            "node masks: give both train_mask and val_mask (and optionally test_mask), or none "
            f"for a random split; got {sorted(graph.masks)}"
        )
    names = [m for m in _MASKS if m in graph.masks]
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
    return [np.flatnonzero(graph.masks[m]) if m in graph.masks else empty for m in _MASKS]


def _node_level(
    graph: Graph, raw_y: Any, name: str, task: ClassificationTask | RegressionTask, data: DataSpec
) -> Dataset:
    labels = as_target(raw_y).reset_index(drop=True)
    if len(labels) != graph.nodes:
        raise DataError(
            f"node-level targets: the graph has {graph.nodes} nodes but there are "
            f"{len(labels)} targets; give one per node (for graph classification pass a list "
            "of graphs with one target each)"
        )
    if graph.nodes < MIN_ROWS:
        raise DataError(f"the graph has {graph.nodes} nodes; at least {MIN_ROWS} are needed")
    stratify = isinstance(task, ClassificationTask)
    if graph.masks:
        train_idx, val_idx, test_idx = _node_splits(graph, labels, data, stratify)
        used = np.concatenate([train_idx, val_idx, test_idx]).astype(int)
        target = _target(name, labels.iloc[used].reset_index(drop=True), task)
    else:
        target = _target(name, labels, task)
        train_idx, val_idx, test_idx = _node_splits(graph, labels, data, stratify)
    _check_classes(target, labels.iloc[train_idx], task, "labelled nodes")
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

    digest = hashlib.sha256(graph.adjacency.tobytes())
    digest.update(graph.features.tobytes())
    for m in _MASKS:
        if m in graph.masks:
            digest.update(graph.masks[m].tobytes())
    fingerprint = _fingerprint(digest, labels.astype(str), data)
    return assemble(schema, target, make, (train_idx, val_idx, test_idx), fingerprint)
