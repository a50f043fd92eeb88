"""Fit-style API on scikit-learn's bundled breast-cancer data: search, score, export.

Usage:
    python examples/breast_cancer.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from archsmith import AutoModel
from archsmith import load_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    model = AutoModel(
        task="classification",
        metric="roc_auc",
        max_trials=args.max_trials,
        epochs=args.epochs,
        name="breast-cancer",
    )
    model.fit(X_train, y_train)
    print("best params:", model.best_params_)
    print(f"validation roc_auc: {model.best_score_:.4f}")
    print("test scores:", {k: round(v, 4) for k, v in model.evaluate(X_test, y_test).items()})

    path = model.export("mlruns/exports/breast_cancer.keras")
    reloaded = load_model(path)  # Keras safe mode
    print(f"exported to {path}; reloaded model has {reloaded.count_params():,} parameters")


if __name__ == "__main__":
    main()
