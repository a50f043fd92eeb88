"""K-fold validation (``data.folds``) and the pooled rows a refit trains on.

Folds are cut from the train and validation rows together (the test rows stay held out),
stratified when the target's splits are; every fold keeps the search's schema (its
statistics come from the training split).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.exceptions import SpecError


def pooled(dataset: Dataset) -> Split:
    """The train and validation rows as one split (what folds cut)."""
    return _joined(dataset.train, dataset.validation)


def refit_rows(dataset: Dataset) -> Split:
    """What a refit trains on: the train and validation rows, and the rows between them
    (forecasting: the windows whose targets straddle the two splits)."""
    if dataset.between is None:
        return pooled(dataset)
    return _joined(dataset.train, dataset.validation, dataset.between)


def _joined(*parts: Split) -> Split:
    return Split(
        frame=pd.concat([p.frame for p in parts], ignore_index=True),
        x={k: np.concatenate([p.x[k] for p in parts]) for k in parts[0].x},
        y=np.concatenate([p.y for p in parts]),
        labels=pd.concat([p.labels for p in parts], ignore_index=True),
    )


def _take(split: Split, ids: np.ndarray) -> Split:
    return Split(
        frame=split.frame.iloc[ids].reset_index(drop=True),
        x={k: v[ids] for k, v in split.x.items()},
        y=split.y[ids],
        labels=split.labels.iloc[ids].reset_index(drop=True),
    )


def fold_indices(dataset: Dataset, k: int, seed: int) -> list[np.ndarray]:
    """The held-out row indexes (into :func:`pooled`) of each of ``k`` folds (forecasting:
    the time-ordered folds the dataset was loaded with, ``Dataset.time_folds``).

    Raises:
        SpecError: ``data.folds`` is larger than the rows, or than a class's rows.
    """
    from sklearn.model_selection import KFold
    from sklearn.model_selection import StratifiedKFold

    if dataset.time_folds is not None:
        return [held for _, held in dataset.time_folds]
    rows = pooled(dataset)
    n = len(rows)
    if k > n:
        raise SpecError(
            f"data.folds is {k}, but the train and validation splits have only {n} rows; "
            f"use at most {n} folds",
            path="data.folds",
        )
    if dataset.target.stratified:
        counts = rows.labels.astype(str).value_counts()
        if counts.min() < k:
            raise SpecError(
                f"data.folds is {k}, but class '{counts.idxmin()}' has only {counts.min()} "
                f"rows in the train and validation splits (every fold needs one); use at "
                f"most {counts.min()} folds or merge classes",
                path="data.folds",
            )
        splitter = StratifiedKFold(k, shuffle=True, random_state=seed)
        parts = splitter.split(np.zeros(n), rows.labels.astype(str).to_numpy())
    else:
        parts = KFold(k, shuffle=True, random_state=seed).split(np.zeros(n))
    return [np.sort(held) for _, held in parts]


def fold_datasets(dataset: Dataset, k: int, seed: int) -> list[Dataset]:
    """``k`` datasets whose validation splits are the folds of the pooled rows (and whose
    train splits are the other rows; forecasting: the rows before the fold's block); the
    test split is the dataset's own."""
    rows = pooled(dataset)
    if dataset.time_folds is not None:
        pairs = list(dataset.time_folds)
    else:
        everything = np.arange(len(rows))
        held_out = fold_indices(dataset, k, seed)
        pairs = [(np.setdiff1d(everything, held), held) for held in held_out]
    return [
        replace(dataset, train=_take(rows, kept), validation=_take(rows, held))
        for kept, held in pairs
    ]


def scored_rows(held: list[np.ndarray]) -> np.ndarray:
    """The pooled rows some fold holds out, in order (every row, with random folds): the
    rows whose out-of-fold outputs a search keeps."""
    return np.unique(np.concatenate(held))
