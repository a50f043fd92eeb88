"""Convolutional autoencoder anomaly detection on scikit-learn's 8x8 digit images.

Images of the digits 0, 1 and 2 are normal; eight images of each other digit are the
anomalies. The model trains on normal images only and is searched on the
validation AUROC of its reconstruction error. No space is named: images with the task
``anomaly_detection`` get the shipped ``conv_autoencoder`` space by default.

Usage:
    python examples/families/conv_autoencoder_digits.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from sklearn.datasets import load_digits

from archsmith import AutoModel


def digits_with_anomalies(
    normal: Sequence[int] = (0, 1, 2), per_digit: int = 8, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(N, 8, 8)`` images and labels (0: a normal digit, 1: ``per_digit`` images of each
    other digit)."""
    digits = load_digits()
    rng = np.random.default_rng(seed)
    keep = np.isin(digits.target, normal)
    odd = np.concatenate(
        [
            rng.choice(np.flatnonzero(digits.target == d), per_digit, replace=False)
            for d in range(10)
            if d not in normal
        ]
    )
    images = np.concatenate([digits.images[keep], digits.images[odd]])
    labels = np.r_[np.zeros(int(keep.sum()), int), np.ones(len(odd), int)]
    return images.astype("float32"), labels


def main(argv: Sequence[str] | None = None) -> AutoModel:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args(argv)

    images, labels = digits_with_anomalies()
    model = AutoModel(
        task="anomaly_detection",
        metric="roc_auc",
        max_trials=args.max_trials,
        epochs=args.epochs,
        validation=0.4,
        name="conv-autoencoder-digits",
    )
    model.fit(images, labels)
    print("best params:", model.best_params_)
    print(f"validation roc_auc: {model.best_score_:.4f}")
    return model


if __name__ == "__main__":
    main()
