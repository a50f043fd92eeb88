"""Data for the similarity task: pairs of examples and whether they share a class.

Two sources:

* examples with class labels (a table, images or sequences and ``y``): the examples are
  split (stratified) as for classification; the training split keeps the examples, from
  which training pairs or triplets are drawn anew every epoch, and the validation and test
  splits become fixed, balanced same/different pairs drawn with ``data.seed``;
* explicit pairs: ``x=(X_a, X_b)`` (a tuple) and ``y`` the same (1) / different (0) flags.

A pair split's ``x`` holds each model input twice, as ``a_<input>`` and ``b_<input>``; its
``frame`` is the flat table form (``a_<column>``, ``b_<column>``) and its ``y`` the flags.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._arrays import array_kind
from archsmith.datasets._arrays import as_float_array
from archsmith.datasets._arrays import image_schema
from archsmith.datasets._arrays import sequence_schema
from archsmith.datasets._base import MIN_ROWS
from archsmith.datasets._base import Dataset
from archsmith.datasets._base import Split
from archsmith.datasets._base import data_source
from archsmith.datasets._base import fingerprint
from archsmith.datasets._base import frame_bytes
from archsmith.datasets._base import split_indices
from archsmith.datasets._labelled import load_labelled_dataset
from archsmith.datasets._readers import as_frame
from archsmith.datasets._readers import as_target
from archsmith.datasets._readers import read_table
from archsmith.datasets._schema import InputSchema
from archsmith.datasets._schema import build_schema
from archsmith.datasets._schema import register_schema
from archsmith.datasets._targets import Target
from archsmith.datasets._texts import TextSchema
from archsmith.exceptions import DataError
from archsmith.spec import ClassificationTask
from archsmith.spec import DataSpec
from archsmith.spec import SimilarityTask

#: the two sides of a pair: prefixes of the pair model's inputs and of the table columns
SIDES = ("a", "b")
#: validation and test pairs drawn per example of the split
PAIRS_PER_EXAMPLE = 2


def _shape(x: Any) -> tuple[Any, ...]:
    """``(rows, *example shape)`` of an array, or ``(rows, [columns])`` of a table."""
    if isinstance(x, pd.DataFrame):
        return (len(x), [str(c) for c in x.columns])
    return tuple(np.shape(x))


def check_pair(xa: Any, xb: Any, what: str = "X") -> None:
    """Raise a DataError unless both sides hold as many examples of one shape."""
    sa, sb = _shape(xa), _shape(xb)
    if not sa or not sb:
        raise DataError(f"{what}: each side of a pair must hold examples, got shapes {sa}, {sb}")
    if sa[1:] != sb[1:]:
        what_a = f"columns {sa[1]}" if isinstance(xa, pd.DataFrame) else f"shape {sa}"
        what_b = f"columns {sb[1]}" if isinstance(xb, pd.DataFrame) else f"shape {sb}"
        raise DataError(
            f"{what}: the two sides of the pairs must be examples of one shape, but X_a has "
            f"{what_a} and X_b has {what_b}; pass (X_a, X_b) with X_a[i] and X_b[i] "
            "of the same shape"
        )
    if sa[0] != sb[0]:
        raise DataError(
            f"{what}: X_a has {sa[0]} examples but X_b has {sb[0]} (shapes {sa} and {sb}); "
            "pair i is (X_a[i], X_b[i]), so both need one example per pair"
        )


def is_pair(x: Any) -> bool:
    """Whether ``x`` is explicit pairs: a tuple ``(X_a, X_b)``."""
    return isinstance(x, tuple) and len(x) == 2


@dataclass(frozen=True)
class PairSchema:
    """Inputs of a pair model: each side read by the schema of one example.

    Attributes:
        item: schema of one example (a table row, an image or a sequence).
    """

    item: InputSchema | ArraySchema

    @property
    def kind(self) -> str:
        """The kind of the examples (``tabular``, ``image`` …), which spaces are for."""
        return self.item.kind

    @property
    def columns(self) -> Any:
        return self.item.columns

    @property
    def names(self) -> tuple[str, ...]:
        """Columns of the flat table form: ``a_<name>`` then ``b_<name>``."""
        return tuple(f"{side}_{n}" for side in SIDES for n in self.item.names)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.item.kind, "pair": True, "item": self.item.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PairSchema:
        return cls(InputSchema.from_dict(data["item"]))

    def sides(self, data: Any, what: str = "X") -> tuple[Any, Any]:
        """``(X_a, X_b)`` from a tuple or list of two, or a table of ``a_``/``b_`` columns."""
        if isinstance(data, tuple | list) and len(data) == 2:
            xa, xb = data
        elif isinstance(data, pd.DataFrame):
            a = [c for c in data.columns if str(c).startswith("a_")]
            b = [c for c in data.columns if str(c).startswith("b_")]
            if not a or not b:
                raise DataError(
                    f"{what}: a table of pairs needs a_<column> and b_<column> columns (one "
                    f"side each), but got columns {list(map(str, data.columns))[:8]}"
                )
            xa = data[a].rename(columns=lambda c: str(c)[2:])
            xb = data[b].rename(columns=lambda c: str(c)[2:])
        else:
            raise DataError(
                f"{what}: similarity models take pairs: a tuple (X_a, X_b) of examples, or a "
                f"table of a_<column> and b_<column> columns; got {type(data).__name__}"
            )
        check_pair(xa, xb, what)
        return xa, xb

    def item_inputs(self, x: Any, what: str = "X") -> dict[str, np.ndarray]:
        """The model inputs of examples (what the encoder takes)."""
        if isinstance(self.item, InputSchema):
            return self.item.model_inputs(as_frame(x, what))
        return self.item.model_inputs(x)

    def model_inputs(self, data: Any, what: str = "X") -> dict[str, np.ndarray]:
        """Arrays for the pair model: every input of one example, as ``a_*`` and ``b_*``."""
        xa, xb = self.sides(data, what)
        out: dict[str, np.ndarray] = {}
        for side, x in zip(SIDES, (xa, xb), strict=True):
            out.update({f"{side}_{k}": v for k, v in self.item_inputs(x, what).items()})
        return out

    def raw_inputs(self, data: Any, strings: bool = True) -> dict[str, np.ndarray]:
        """What the saved pair model takes: the same as :meth:`model_inputs`."""
        return self.model_inputs(data)

    def as_table(self, xa: Any, xb: Any) -> pd.DataFrame:
        """The flat table form of pairs (``a_<column>`` and ``b_<column>``)."""
        parts = []
        for side, x in zip(SIDES, (xa, xb), strict=True):
            flat = (
                self.item.as_table(x)
                if isinstance(self.item, ArraySchema)
                else as_frame(x)[list(self.item.names)]
            )
            parts.append(flat.add_prefix(f"{side}_").reset_index(drop=True))
        return pd.concat(parts, axis=1)


@dataclass(frozen=True)
class SimilarityDataset(Dataset):
    """A :class:`Dataset` of the similarity task.

    Attributes:
        labelled: the training split holds labelled examples (``y``: class codes) from which
            pairs are drawn every epoch; False: it holds explicit pairs.
        mode, loss, margin, pairs_per_epoch: the task's training settings.
        seed: seed of the pairs drawn (``data.seed``).
        validation_items: the labelled validation examples the validation pairs were drawn
            from (validation triplets, embedding plots); None for explicit pairs.
    """

    labelled: bool = True
    mode: str = "pairs"
    loss: str = "contrastive"
    margin: float = 1.0
    pairs_per_epoch: int = 0
    seed: int = 0
    validation_items: Split | None = None


def draw_pairs(
    labels: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` pairs of indices into ``labels``, half of one class and half of two classes.

    Returns:
        ``(a, b, same)``: index arrays and the 0/1 flags, in random order.
    """
    anchors, positives = _same(labels, n // 2, rng)
    first, second = _different(labels, n - n // 2, rng)
    a = np.concatenate([anchors, first])
    b = np.concatenate([positives, second])
    same = np.concatenate([np.ones(len(anchors), "int32"), np.zeros(len(first), "int32")])
    order = rng.permutation(len(a))
    return a[order], b[order], same[order]


def draw_triplets(
    labels: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` (anchor, positive, negative) index triplets: the positive shares the anchor's
    class, the negative does not."""
    anchors, positives = _same(labels, n, rng)
    negatives = _other_class(labels, anchors, rng)
    return anchors, positives, negatives


def _same(labels: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pairs of distinct examples of one class (classes drawn by their size)."""
    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    groups = [g for g in groups if len(g) >= 2]
    sizes = np.array([len(g) for g in groups], dtype="float64")
    counts = rng.multinomial(n, sizes / sizes.sum())
    a_parts, b_parts = [], []
    for group, count in zip(groups, counts, strict=True):
        i = rng.integers(0, len(group), count)
        j = (i + rng.integers(1, len(group), count)) % len(group)  # never i itself
        a_parts.append(group[i])
        b_parts.append(group[j])
    return np.concatenate(a_parts), np.concatenate(b_parts)


def _other_class(labels: np.ndarray, anchors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each anchor, a random example of another class."""
    others = rng.integers(0, len(labels), len(anchors))
    clash = labels[others] == labels[anchors]
    while clash.any():  # at least two classes, so each redraw can succeed
        others[clash] = rng.integers(0, len(labels), int(clash.sum()))
        clash = labels[others] == labels[anchors]
    return others


def _different(
    labels: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    first = rng.integers(0, len(labels), n)
    return first, _other_class(labels, first, rng)


def _check_labels(name: str, labels: pd.Series) -> None:
    if labels.isna().any():
        rows = labels.index[labels.isna()][:5].tolist()
        raise DataError(
            f"labels '{name}' have {int(labels.isna().sum())} missing value(s) (first rows: "
            f"{rows}); every example needs its class to form same/different pairs"
        )
    counts = labels.value_counts()
    if len(counts) < 2:
        only = counts.index[0]
        only = only.item() if isinstance(only, np.generic) else only
        raise DataError(
            f"labels '{name}' have a single class {only!r}: no different-class "
            "pair can be formed; similarity needs examples of at least 2 classes"
        )
    if counts.max() < 2:
        raise DataError(
            f"labels '{name}' give every example its own class: no same-class pair can be "
            "formed; similarity needs at least 2 examples of some class"
        )


def _table(x: Any, data: DataSpec, base_dir: Path | None) -> Any:
    """``x``, or the table of ``data.train`` read once (an image folder stays a path)."""
    x = data_source(x, data, base_dir)
    if isinstance(x, str | Path) and not Path(x).is_dir():
        return read_table(x)
    return x


def load_similarity_dataset(
    x: Any,
    y: Any = None,
    *,
    task: SimilarityTask,
    data: DataSpec,
    base_dir: Path | None = None,
) -> SimilarityDataset:
    """Build the :class:`SimilarityDataset` of labelled examples or of explicit pairs.

    Raises:
        DataError: no labels, a single class, missing labels, pairs of mismatched shapes,
            flags that are not 0/1, pairs of one kind only, triplets from explicit pairs.
    """
    settings: dict[str, Any] = {
        "mode": task.mode,
        "loss": task.training_loss,
        "margin": task.margin,
        "pairs_per_epoch": task.pairs_per_epoch,
        "seed": data.seed,
    }
    if is_pair(x):
        return _explicit_pairs(x, y, task, data, settings)
    if y is None and task.target is None:
        raise DataError(
            "similarity needs class labels to form same/different pairs: pass y (one class "
            "label per example) or name the label column with task.target; or pass explicit "
            "pairs as a tuple (X_a, X_b) with y = 1 (same) / 0 (different)"
        )
    if y is not None:
        labels = as_target(y)
        _check_labels(task.target or str(labels.name or "y"), labels)
    else:  # a label column: checked here, so its errors speak of pairs
        x = _table(x, data, base_dir)
        if isinstance(x, pd.DataFrame) and task.target in x.columns:
            _check_labels(str(task.target), x[task.target].reset_index(drop=True))
    classify = ClassificationTask(type="classification", target=task.target)
    items = load_labelled_dataset(x, y, task=classify, data=data, base_dir=base_dir)
    if isinstance(items.schema, TextSchema):
        raise DataError(
            "similarity takes tables, images or sequences; texts are not supported (embed "
            "them first, e.g. as numeric columns)"
        )
    _check_labels(items.target.name, pd.Series(items.train.labels))
    schema = PairSchema(items.schema)
    target = Target(items.target.name, "similarity", classes=(0, 1))
    rng = np.random.default_rng(data.seed)

    def pairs(split: Split) -> Split:
        a, b, same = draw_pairs(split.y, PAIRS_PER_EXAMPLE * len(split), rng)
        x_in: dict[str, np.ndarray] = {}
        for side, ids in zip(SIDES, (a, b), strict=True):
            x_in.update({f"{side}_{k}": v[ids] for k, v in split.x.items()})
        frame = pd.concat(
            [
                split.frame.iloc[ids].add_prefix(f"{side}_").reset_index(drop=True)
                for side, ids in zip(SIDES, (a, b), strict=True)
            ],
            axis=1,
        )
        return Split(frame, x_in, same, pd.Series(same, name="same"))

    for split in (items.validation, items.test):
        if split is not None and split.labels.nunique() < 2:
            raise DataError(
                f"a held-out split has examples of one class only ({len(split)} examples); "
                "add examples or lower data.validation / data.test"
            )
    return SimilarityDataset(
        schema=schema,  # type: ignore[arg-type]
        target=target,
        train=items.train,
        validation=pairs(items.validation),
        test=pairs(items.test) if items.test is not None else None,
        fingerprint=items.fingerprint,
        labelled=True,
        validation_items=items.validation,
        **settings,
    )


def _flags(y: Any, n: int) -> np.ndarray:
    """Same/different flags: 0/1 or booleans, both present, one per pair."""
    if y is None:
        raise DataError(
            "explicit pairs need their same/different flags: pass y with 1 (same) or 0 "
            "(different) for each pair"
        )
    flags = as_target(y)
    if len(flags) != n:
        raise DataError(f"the pairs hold {n} examples per side but y has {len(flags)} flags")
    values = set(flags.dropna().unique().tolist())
    if flags.isna().any() or not values <= {0, 1}:
        shown = sorted(map(str, values))[:5]
        raise DataError(
            f"y of explicit pairs must be 1 (same) or 0 (different) for each pair, but got "
            f"values {shown}{' and missing values' if flags.isna().any() else ''}"
        )
    if len(values) < 2:
        kind = "same" if values == {1} else "different"
        raise DataError(
            f"every pair is marked {kind}; the distance threshold needs both same and "
            "different pairs"
        )
    return flags.to_numpy().astype("int32")


def _explicit_pairs(
    x: tuple[Any, Any], y: Any, task: SimilarityTask, data: DataSpec, settings: dict[str, Any]
) -> SimilarityDataset:
    if task.mode == "triplets":
        raise DataError(
            "mode triplets draws anchor/positive/negative examples from class labels, which "
            "explicit pairs do not have; use mode: pairs, or pass examples with class labels"
        )
    xa, xb = x
    if not isinstance(xa, pd.DataFrame):
        xa, xb = (as_float_array(v, "X") if not isinstance(v, pd.DataFrame) else v for v in x)
    check_pair(xa, xb)
    n = len(xa)
    same = _flags(y, n)
    if n < MIN_ROWS:
        raise DataError(f"the data has {n} pairs; at least {MIN_ROWS} are needed")
    train_idx, val_idx, test_idx = split_indices(n, pd.Series(same), data, stratify=True)
    kind = "tabular" if isinstance(xa, pd.DataFrame) else array_kind(xa, data.kind)
    read = _PAIR_ITEMS.get(kind)
    if read is None:
        raise DataError(f"similarity takes tables, images or sequences, not {kind} data")
    item, sides = read(kind, xa, xb, train_idx)
    schema = PairSchema(item)

    def make_split(ids: np.ndarray) -> Split:
        a, b = (s.iloc[ids] if isinstance(s, pd.DataFrame) else s[ids] for s in sides)
        flags = same[ids]
        return Split(
            schema.as_table(a, b), schema.model_inputs((a, b)), flags, pd.Series(flags, name="same")
        )

    parts = [
        frame_bytes(side)
        if isinstance(side, pd.DataFrame)
        else np.ascontiguousarray(side).tobytes()
        for side in sides
    ]
    parts.append(same.tobytes())
    return SimilarityDataset(
        schema=schema,  # type: ignore[arg-type]
        target=Target(task.target or "same", "similarity", classes=(0, 1)),
        train=make_split(train_idx),
        validation=make_split(val_idx),
        test=make_split(test_idx) if len(test_idx) else None,
        fingerprint=fingerprint(parts, data, "pairs"),
        labelled=False,
        **settings,
    )


PairItems = tuple[InputSchema | ArraySchema, tuple[Any, Any]]


def _table_pairs(kind: str, xa: Any, xb: Any, train: np.ndarray) -> PairItems:
    """The schema of one example and the two sides of pairs of table rows."""
    fa, fb = as_frame(xa, "X_a"), as_frame(xb, "X_b")
    return build_schema(pd.concat([fa.iloc[train], fb.iloc[train]])), (fa, fb)


def _array_pairs(kind: str, xa: Any, xb: Any, train: np.ndarray) -> PairItems:
    """The schema of one example and the two sides of pairs of images or sequences."""
    full, make = _ARRAYS[kind]
    arrs = [v if v.ndim == full else v[..., None] for v in (xa, xb)]
    if not all(np.isfinite(v).all() for v in arrs):
        raise DataError(f"the {kind}s hold NaN or infinite values; fill them first")
    return make(np.concatenate([arrs[0][train], arrs[1][train]])), (arrs[0], arrs[1])


#: axes of a batch of examples ((N, H, W, C) or (N, T, C)) and the schema of each array kind
_ARRAYS: dict[str, tuple[int, Callable[[np.ndarray], ArraySchema]]] = {
    "image": (4, image_schema),
    "sequence": (3, sequence_schema),
}
#: the data kinds explicit pairs may hold, and how their sides are read
_PAIR_ITEMS: dict[str, Callable[[str, Any, Any, np.ndarray], PairItems]] = {
    "tabular": _table_pairs,
    "image": _array_pairs,
    "sequence": _array_pairs,
}

register_schema("pair", PairSchema.from_dict)
