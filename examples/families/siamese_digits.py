"""Siamese network telling whether two of scikit-learn's 8x8 digit images show the same
digit. The search draws same/different pairs from the labelled images, searches the shared
encoder (dense or convolutional), the embedding and the distance, and picks the distance
threshold on validation pairs. The images of the held-out digits never reach the search:
pairs of them measure the verification accuracy.

Usage:
    python examples/families/siamese_digits.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from archsmith import AutoModel


def held_out_pairs(
    images: np.ndarray, labels: np.ndarray, n: int = 1000, seed: int = 1
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """``n`` pairs of the given images, half of one digit and half of two digits."""
    rng = np.random.default_rng(seed)
    same = np.arange(n) % 2
    first = rng.integers(0, len(labels), n)
    second = np.empty(n, dtype=int)
    for i in range(n):
        pool = np.flatnonzero((labels == labels[first[i]]) == bool(same[i]))
        second[i] = rng.choice(pool[pool != first[i]])
    return (images[first], images[second]), same


def main(argv: Sequence[str] | None = None) -> AutoModel:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args(argv)

    digits = load_digits()
    images, held_images, labels, held_labels = train_test_split(
        digits.images, digits.target, test_size=0.25, random_state=0, stratify=digits.target
    )
    model = AutoModel(
        task="similarity",
        space="siamese",
        max_trials=args.max_trials,
        epochs=args.epochs,
        name="siamese-digits",
    )
    model.fit(images, labels)  # (N, 8, 8) images and their digits
    print("best params:", model.best_params_)
    print(f"validation verification accuracy: {model.best_score_:.4f}")
    pairs, same = held_out_pairs(held_images, held_labels)
    scores = model.evaluate(pairs, same)
    print(
        f"held-out pairs: verification accuracy {scores['verification_accuracy']:.4f}, "
        f"ROC AUC {scores['roc_auc']:.4f}"
    )
    first = (pairs[0][:5], pairs[1][:5])
    print("same digit? (1 = yes):", model.predict(first).tolist(), "truth:", same[:5].tolist())
    print("distances:", np.round(model.distance(first), 3).tolist())
    path = model.export_encoder("mlruns/exports/siamese_digits_encoder.keras")
    print(f"encoder (image -> {model.embed(held_images[:1]).shape[1]}-d embedding): {path}")
    return model


if __name__ == "__main__":
    main()
