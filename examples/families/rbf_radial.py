"""RBF network on a radial regression problem: y = sin(2 * |x|) over the plane.

Usage:
    python examples/families/rbf_radial.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from archsmith import AutoModel


def radial(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-3, 3]^2 and the target sin(2 * radius)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, (n, 2))
    return x, np.sin(2 * np.linalg.norm(x, axis=1))


def main(argv: Sequence[str] | None = None) -> AutoModel:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args(argv)

    x, y = radial()
    model = AutoModel(
        task="regression",
        space="rbf",
        metric="r2",
        max_trials=args.max_trials,
        epochs=args.epochs,
        name="rbf-radial",
    )
    model.fit(x, y)
    print("best params:", model.best_params_)
    print(f"validation r2: {model.best_score_:.4f}")
    return model


if __name__ == "__main__":
    main()
