"""Validation and test scores computed from model outputs (numpy, scikit-learn)."""

from __future__ import annotations

import numpy as np

from archsmith.datasets import Target


def labels_from_outputs(outputs: np.ndarray, target: Target) -> np.ndarray:
    """Class indices from probabilities (or values for regression).

    Multilabel: the ``(N, labels)`` 0/1 matrix of labels at or above the threshold.
    """
    if target.kind == "multilabel":
        return (outputs >= target.threshold).astype("int32")
    if target.kind == "forecast":
        return outputs.reshape(len(outputs), -1)
    if target.kind == "binary":
        return (outputs.reshape(-1) >= 0.5).astype("int32")
    if target.kind == "multiclass":
        return outputs.argmax(axis=-1).astype("int32")
    return outputs.reshape(-1)


def predictions(outputs: np.ndarray, target: Target) -> np.ndarray:
    """Predicted labels (classification) or values (regression) from network outputs.

    Multilabel: a 0/1 matrix, one column per label (``Target.classes`` order), as
    scikit-learn's multilabel estimators predict. Forecast: ``(N, horizon)`` values.
    Anomaly detection: anomaly scores. Clustering: the index of the nearest unit.
    """
    if target.kind in ("multilabel", "forecast"):
        return labels_from_outputs(outputs, target)
    if target.kind in ("continuous", "anomaly"):  # values; anomaly scores
        return outputs.reshape(-1).astype("float64")
    if target.kind == "generation":  # generated rows
        return outputs.astype("float64")
    if target.kind == "cluster":  # the index of the nearest unit
        return outputs.argmin(axis=-1).astype("int64")
    if target.kind == "similarity":  # 1: same class, 0: different
        return (outputs[:, 1] >= 0.5).astype("int64")
    return target.decode(labels_from_outputs(outputs, target))


def probabilities(outputs: np.ndarray, target: Target) -> np.ndarray:
    """``(N, n_classes)`` class probabilities from the network's outputs."""
    if target.kind == "binary":
        p = outputs.reshape(-1, 1)
        return np.hstack([1 - p, p])
    if target.kind == "multiclass":
        totals = outputs.sum(axis=-1, keepdims=True)
        if np.abs(totals - 1).max(initial=0) > 1e-3:  # not a softmax (capsule lengths):
            return outputs / np.maximum(totals, 1e-12)  # normalised to sum to one
    return outputs


def score(metric: str, y: np.ndarray, outputs: np.ndarray, target: Target) -> float:
    """The value of ``metric`` for encoded targets ``y`` and network ``outputs``."""
    from sklearn import metrics as m

    if target.kind in ("multilabel", "forecast"):
        from archsmith.training._kinds import kind_score

        return kind_score(metric, y, outputs, target)

    if target.kind == "anomaly":
        return anomaly_score(metric, y, outputs.reshape(-1))
    if target.kind == "cluster":
        return cluster_score(metric, y, outputs, target)
    if target.kind == "similarity":
        return similarity_score(metric, y, outputs)
    if target.kind == "generation":
        if metric != "mmd":
            raise ValueError(f"metric {metric!r} does not apply to generation")
        return mmd(y, outputs)
    if target.kind == "continuous":
        pred = outputs.reshape(-1)
        if metric == "rmse":
            return float(np.sqrt(m.mean_squared_error(y, pred)))
        if metric == "mae":
            return float(m.mean_absolute_error(y, pred))
        if metric == "r2":
            return float(m.r2_score(y, pred))
        raise ValueError(f"metric {metric!r} does not apply to regression")
    labels = list(range(len(target.classes)))
    pred = labels_from_outputs(outputs, target)
    if metric == "accuracy":
        return float(m.accuracy_score(y, pred))
    if metric == "balanced_accuracy":
        return float(m.balanced_accuracy_score(y, pred))
    if metric == "f1_macro":
        return float(m.f1_score(y, pred, average="macro", labels=labels, zero_division=0))
    proba = probabilities(outputs, target)
    if metric == "log_loss":
        return float(m.log_loss(y, np.clip(proba, 1e-7, 1 - 1e-7), labels=labels))
    if metric == "roc_auc":
        if target.kind == "binary":
            return float(m.roc_auc_score(y, proba[:, 1]))
        return float(m.roc_auc_score(y, proba, multi_class="ovr", labels=labels))
    raise ValueError(f"metric {metric!r} does not apply to classification")


def all_scores(y: np.ndarray, outputs: np.ndarray, target: Target) -> dict[str, float]:
    """Every metric that applies to the task (a metric that cannot be computed is left out)."""
    from archsmith.spec import CLASSIFICATION_METRICS
    from archsmith.spec import REGRESSION_METRICS

    if target.kind in ("multilabel", "forecast"):
        from archsmith.training._kinds import kind_scores

        return kind_scores(y, outputs, target)
    names: tuple[str, ...] = (
        REGRESSION_METRICS if target.kind == "continuous" else CLASSIFICATION_METRICS
    )
    if target.kind == "anomaly":
        from archsmith.spec import ANOMALY_METRICS

        names = ANOMALY_METRICS
    if target.kind == "cluster":
        from archsmith.spec import CLUSTERING_METRICS

        names = CLUSTERING_METRICS
    if target.kind == "generation":
        from archsmith.spec import GENERATION_METRICS

        names = GENERATION_METRICS
    if target.kind == "similarity":
        from archsmith.spec import SIMILARITY_METRICS

        names = SIMILARITY_METRICS
    out: dict[str, float] = {}
    for name in names:
        try:
            out[name] = score(name, y, outputs, target)
        except ValueError:
            continue
    return out


def anomaly_score(metric: str, y: np.ndarray, scores: np.ndarray) -> float:
    """An anomaly-detection metric of ``scores`` (higher = more anomalous); ``y``: 1 = anomaly.

    ``reconstruction_error`` is the mean score of the normal rows (of all rows when none is
    labelled normal); the others need both kinds of rows.
    """
    from sklearn import metrics as m

    if metric == "reconstruction_error":
        normal = scores[y == 0]
        return float((normal if len(normal) else scores).mean())
    if len(np.unique(y)) < 2:
        raise ValueError(f"{metric} needs both normal and anomalous rows")
    if metric == "roc_auc":
        return float(m.roc_auc_score(y, scores))
    if metric == "average_precision":
        return float(m.average_precision_score(y, scores))
    raise ValueError(f"metric {metric!r} does not apply to anomaly detection")


def choose_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float | None]:
    """The score above which a row is an anomaly, and the F1 it gives on ``y``.

    With both kinds of rows, the threshold of best F1; otherwise the 99th percentile of the
    scores (F1 is then None).
    """
    from sklearn import metrics as m

    if len(np.unique(y)) < 2:
        return float(np.quantile(scores, 0.99)), None
    precision, recall, thresholds = m.precision_recall_curve(y, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1[:-1]))
    return float(thresholds[best]), float(f1[best])


def purity(y: np.ndarray, units: np.ndarray) -> float:
    """Share of rows whose label is the most common label of their unit."""
    table = np.zeros((int(units.max()) + 1, int(y.max()) + 1))
    np.add.at(table, (units, y), 1)
    return float(table.max(axis=1).sum() / len(y))


def topographic_error(distances: np.ndarray, coords: np.ndarray) -> float:
    """Share of rows whose two nearest units are not grid neighbours (8-neighbourhood).

    Args:
        distances: ``(N, units)`` distances (squared or not) of rows to units.
        coords: ``(units, 2)`` grid positions of the units.
    """
    two = np.argsort(distances, axis=1)[:, :2]
    gap = np.abs(coords[two[:, 0]] - coords[two[:, 1]]).max(axis=1)
    return float((gap > 1).mean())


def cluster_score(
    metric: str,
    y: np.ndarray,
    distances: np.ndarray,
    target: Target,
    coords: np.ndarray | None = None,
) -> float:
    """A clustering metric from the ``(N, units)`` squared distances of rows to units.

    ``quantisation_error``: mean Euclidean distance to the nearest unit;
    ``topographic_error`` needs the units' grid ``coords``; ``purity`` needs labels.
    """
    if metric == "quantisation_error":
        return float(np.sqrt(np.maximum(distances.min(axis=1), 0.0)).mean())
    if metric == "topographic_error":
        if coords is None:
            raise ValueError("topographic_error needs the grid of the units")
        return topographic_error(distances, coords)
    if metric == "purity":
        if not target.classes:
            raise ValueError("purity needs labels")
        return purity(y, distances.argmin(axis=1))
    raise ValueError(f"metric {metric!r} does not apply to clustering")


#: bandwidths of the MMD kernels, as fractions of the median squared distance
_MMD_SCALES = (0.01, 0.1, 1.0)


def mmd(real: np.ndarray, generated: np.ndarray, max_rows: int = 2000) -> float:
    """Squared maximum mean discrepancy between two samples (unbiased estimate).

    Columns standardised by ``real``'s statistics; the mean over Gaussian kernels
    ``exp(-d^2 / (s * median d^2))`` for ``s`` in 0.01, 0.1 and 1 (``median``: of the
    pairwise squared distances of ``real``), so both the overall spread and fine structure
    (sharp modes) count. At most ``max_rows`` rows of each sample (seeded).
    """
    rng = np.random.default_rng(0)
    x = np.asarray(real, dtype="float64")
    z = np.asarray(generated, dtype="float64")
    x = x[rng.permutation(len(x))[:max_rows]]
    z = z[rng.permutation(len(z))[:max_rows]]
    mean, std = x.mean(axis=0), x.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    x, z = (x - mean) / std, (z - mean) / std

    def sq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.maximum((a**2).sum(1)[:, None] - 2 * a @ b.T + (b**2).sum(1)[None], 0.0)

    dxx, dzz, dxz = sq(x, x), sq(z, z), sq(x, z)
    median = float(np.median(dxx[np.triu_indices(len(x), 1)])) or 1.0
    n, m = len(x), len(z)
    total = 0.0
    for scale in _MMD_SCALES:  # coarse to fine: the fine ones see smeared modes
        kxx, kzz, kxz = (np.exp(-d / (scale * median)) for d in (dxx, dzz, dxz))
        total += (kxx.sum() - n) / (n * (n - 1)) + (kzz.sum() - m) / (m * (m - 1))
        total -= 2 * kxz.mean()
    return float(total / len(_MMD_SCALES))


def similarity_score(metric: str, y: np.ndarray, outputs: np.ndarray) -> float:
    """A similarity metric of pair outputs ``[distance, same]``; ``y``: 1 = same class.

    ``verification_accuracy``: share of pairs whose same/different decision (at the
    model's threshold) is right; ``roc_auc``: how well small distances rank same pairs
    first (needs both kinds of pairs).
    """
    from sklearn import metrics as m

    if metric == "verification_accuracy":
        return float(((outputs[:, 1] >= 0.5).astype("int64") == y).mean())
    if metric == "roc_auc":
        if len(np.unique(y)) < 2:
            raise ValueError("roc_auc needs both same and different pairs")
        return float(m.roc_auc_score(y, -outputs[:, 0]))
    raise ValueError(f"metric {metric!r} does not apply to similarity")


def choose_distance_threshold(y: np.ndarray, distances: np.ndarray) -> tuple[float, float]:
    """The distance at or below which a pair is "same" that classifies ``y`` best.

    Returns:
        ``(threshold, accuracy)``: the midpoint between the last distance called same and
        the next one, and the share of pairs it classifies right.
    """
    order = np.argsort(distances, kind="stable")
    d, same = distances[order], y[order].astype("int64")
    n = len(d)
    different = n - int(same.sum())
    # calling the k + 1 smallest distances "same": right = same among them + different after
    right = np.cumsum(same) + different - (np.arange(1, n + 1) - np.cumsum(same))
    cut = np.r_[d[1:] > d[:-1], True]  # only between distinct values
    right = np.where(cut, right, -1)
    k = int(np.argmax(right))
    if different >= right[k]:  # calling every pair different is at least as good
        return float(d[0] - 1e-6), different / n
    threshold = (d[k] + d[k + 1]) / 2 if k + 1 < n else d[k]
    return float(threshold), float(right[k] / n)
