"""Graph neural network telling cycles from trees, a property of the graph's structure only.

Every node has the same single feature and both classes have the same node counts, so a
model that sees a bag of nodes (their features, or their number) cannot do better than
chance; message passing sees the degrees and how the nodes are joined.

Usage:
    python examples/families/gnn_cycles.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np

from archsmith import AutoModel


def cycle_or_tree(nodes: int, cycle: bool, rng: np.random.Generator) -> dict[str, Any]:
    """A cycle of ``nodes`` nodes, or a random tree of as many, with shuffled node ids."""
    if cycle:
        pairs = [(i, (i + 1) % nodes) for i in range(nodes)]
    else:  # each node joins a random earlier one
        pairs = [(i, int(rng.integers(0, i))) for i in range(1, nodes)]
    perm = rng.permutation(nodes)
    edges = np.array([(perm[u], perm[v]) for u, v in pairs], dtype="int64")
    return {"edges": edges, "features": np.ones((nodes, 1), "float32")}


def cycles_and_trees(
    n: int = 300, low: int = 6, high: int = 12, seed: int = 0
) -> tuple[list[dict[str, Any]], np.ndarray]:
    """``n`` graphs of ``low``..``high`` nodes, half cycles (label 1) and half trees (0)."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)
    graphs = [cycle_or_tree(int(rng.integers(low, high + 1)), bool(c), rng) for c in labels]
    return graphs, labels


def two_communities(
    n: int = 200, p_in: float = 0.06, p_out: float = 0.01, signal: float = 0.3, seed: int = 0
) -> tuple[dict[str, Any], np.ndarray]:
    """One graph of two communities (a stochastic block model) with noisy node features.

    Nodes join ``p_in`` of their own community and ``p_out`` of the other; each of the 4
    features is ``signal`` x the community (+1/-1) plus unit Gaussian noise, so a node's own
    features guess its community poorly and its neighbours' features much better.
    """
    rng = np.random.default_rng(seed)
    community = rng.permutation(np.arange(n) % 2)
    same = community[:, None] == community[None, :]
    links = np.triu(rng.random((n, n)) < np.where(same, p_in, p_out), 1)
    adjacency = (links | links.T).astype("float32")
    sign = (2 * community - 1)[:, None]
    features = (signal * sign + rng.normal(size=(n, 4))).astype("float32")
    return {"adjacency": adjacency, "features": features}, community


def main(argv: Sequence[str] | None = None) -> AutoModel:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args(argv)

    graphs, labels = cycles_and_trees()
    model = AutoModel(
        task="classification",
        space="gnn",
        max_trials=args.max_trials,
        epochs=args.epochs,
        patience=15,
        name="gnn-cycles",
    )
    model.fit(graphs, labels)
    print("best params:", model.best_params_)
    print(f"validation accuracy: {model.best_score_:.4f}")
    print("first graphs are cycles:", model.predict(graphs[:5]).tolist(), labels[:5].tolist())
    return model


if __name__ == "__main__":
    main()
