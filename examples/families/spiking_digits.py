"""Spiking network on scikit-learn's digits (8x8 images read as 64 numeric columns).

Usage:
    python examples/families/spiking_digits.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sklearn.datasets import load_digits

from archsmith import AutoModel


def main(argv: Sequence[str] | None = None) -> AutoModel:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args(argv)

    x, y = load_digits(return_X_y=True, as_frame=True)
    model = AutoModel(
        task="classification",
        space="spiking",
        max_trials=args.max_trials,
        epochs=args.epochs,
        name="spiking-digits",
    )
    model.fit(x, y)
    print("best params:", model.best_params_)
    print(f"validation accuracy: {model.best_score_:.4f}")
    return model


if __name__ == "__main__":
    main()
