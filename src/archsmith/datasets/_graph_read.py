"""Reading graphs: adjacency + node features, one graph (node level) or many (graph level).

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
mask; see ``_graphs``, which builds graph datasets); graphs are limited to :data:`MAX_NODES`
nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import numpy as np

from archsmith.exceptions import DataError
from archsmith.spec import DataSpec

#: largest graph (nodes) a model takes: adjacency matrices are dense
MAX_NODES = 4096
MASKS = ("train_mask", "val_mask", "test_mask")


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


def is_graph(x: Any) -> bool:
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
    return is_graph(x) or (isinstance(x, list | tuple) and len(x) > 0 and is_graph(x[0]))


def graph_data(source: Any, data: DataSpec) -> bool:
    """Whether the data (``x`` or the ``data.train`` path) is graphs, found or declared."""
    return data.kind == "graph" or looks_like_graphs(source)


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
    known = {"adjacency", "edges", "edge_weights", "features", "num_nodes", "labels", *MASKS}
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
    for name in MASKS:
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
