"""Regression with the Regressor wrapper on scikit-learn's bundled diabetes data.

Usage:
    python examples/diabetes_regression.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from archsmith import Regressor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()

    frame = load_diabetes(as_frame=True).frame
    train, test = train_test_split(frame, test_size=0.2, random_state=0)
    model = Regressor(max_trials=args.max_trials, epochs=args.epochs, metric="mae", name="diabetes")
    model.fit(train, target="target")
    print(f"validation mae: {model.best_score_:.2f}")
    print("test scores:", {k: round(v, 3) for k, v in model.evaluate(test).items()})
    print(model.leaderboard_[["trial", "state", "score"]].head())


if __name__ == "__main__":
    main()
