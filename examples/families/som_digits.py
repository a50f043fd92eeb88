"""Self-organising map clustering scikit-learn's digits (64 numeric columns); the labels only
score the purity of the map's units.

Usage:
    python examples/families/som_digits.py [--max-trials N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sklearn.datasets import load_digits

from archsmith import AutoModel


def main(argv: Sequence[str] | None = None) -> AutoModel:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=1, help="unused: the map sets its own")
    args = parser.parse_args(argv)

    x, y = load_digits(return_X_y=True, as_frame=True)
    model = AutoModel(
        task="clustering",
        space="som",
        metric="purity",
        max_trials=args.max_trials,
        name="som-digits",
    )
    model.fit(x, y)
    print("best params:", model.best_params_)
    print(f"validation purity: {model.best_score_:.4f}")
    print("units of the first rows:", model.predict(x.head()).tolist())
    return model


if __name__ == "__main__":
    main()
