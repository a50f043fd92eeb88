"""Autoencoder anomaly detection on scikit-learn's breast-cancer table with injected anomalies.

The 569 real rows are normal; 40 copies of random rows with three features pushed 5
standard deviations away are the anomalies. The model trains on normal rows only and is
searched on the validation AUROC of its reconstruction error.

Usage:
    python examples/families/autoencoder_anomalies.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer

from archsmith import AutoModel


def with_anomalies(n_anomalies: int = 40, seed: int = 0) -> pd.DataFrame:
    """Breast-cancer features plus an ``anomaly`` column (0 real rows, 1 injected ones)."""
    rng = np.random.default_rng(seed)
    frame = load_breast_cancer(as_frame=True).data
    fake = frame.sample(n_anomalies, random_state=seed).reset_index(drop=True)
    std = frame.std()
    for i in range(n_anomalies):
        cols = rng.choice(frame.columns, 3, replace=False)
        fake.loc[i, cols] += rng.choice([-5, 5], 3) * std[cols].to_numpy()
    out = pd.concat([frame, fake], ignore_index=True)
    out["anomaly"] = np.r_[np.zeros(len(frame), int), np.ones(n_anomalies, int)]
    return out


def main(argv: Sequence[str] | None = None) -> AutoModel:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args(argv)

    model = AutoModel(
        task="anomaly_detection",
        space="autoencoder",
        metric="roc_auc",
        max_trials=args.max_trials,
        epochs=args.epochs,
        validation=0.3,
        name="autoencoder-anomalies",
    )
    model.fit(with_anomalies(), target="anomaly")
    print("best params:", model.best_params_)
    print(f"validation roc_auc: {model.best_score_:.4f}")
    return model


if __name__ == "__main__":
    main()
