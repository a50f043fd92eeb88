"""Array inputs: images ``(N, H, W[, C])``, sequences ``(N, T[, C])`` and texts (whose
schema, :class:`~archsmith.datasets.TextSchema`, lives in the texts module).

An :class:`ArraySchema` plays the part :class:`~archsmith.datasets.InputSchema` plays for
tables: it records the per-example shape and the training statistics that the model's own
preprocessing layers need (per-channel mean and standard deviation; the n-gram vocabulary of
texts), and it turns raw data into the arrays the network takes. Images and sequences go in
as float32 arrays, texts as strings: the network standardises, vectorises and embeds them
itself, so the exported model takes raw data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Literal

import numpy as np
import pandas as pd

from archsmith.datasets._schema import read_schema
from archsmith.datasets._schema import register_schema
from archsmith.exceptions import DataError

ArrayKind = Literal["image", "sequence", "text", "graph"]
#: key of the single network input of each array kind
ARRAY_KEYS: dict[str, str] = {
    "image": "archsmith_image",
    "sequence": "archsmith_sequence",
    "text": "archsmith_text",
}
#: n-gram orders counted for text vocabularies (the ``ngrams`` argument goes up to this)
MAX_NGRAMS = 3
#: tokens kept per n-gram order in a text vocabulary
MAX_VOCABULARY = 20_000


@dataclass(frozen=True)
class ArraySchema:
    """Shape and training statistics of an image, sequence or text input.

    Attributes:
        kind: ``image``, ``sequence`` or ``text``.
        shape: shape of one example without the batch axis: ``(H, W, C)``, ``(T, C)`` or
            ``()`` for a text.
        mean, std: per-channel training statistics (images, sequences).
        name: the input's name: the text column, or the kind.
        vocabulary: text tokens (1- to 3-grams), most frequent first within each order.
        orders: the n-gram order of each vocabulary token.
        length: 95th percentile of the number of words of the training texts.
        padded: series of different lengths, padded at the end with NaN (``data.pad``): the
            model masks the padding.
    """

    kind: ArrayKind
    shape: tuple[int, ...]
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()
    name: str = ""
    vocabulary: tuple[str, ...] = ()
    orders: tuple[int, ...] = ()
    length: int = 0
    padded: bool = False

    @property
    def key(self) -> str:
        """Name of the network's (and the exported model's) input."""
        return ARRAY_KEYS[self.kind]

    @property
    def columns(self) -> tuple[()]:
        """No table columns (kept so code written for tables can count columns)."""
        return ()

    @property
    def names(self) -> tuple[str, ...]:
        """Column names of the flat table form (``as_table``) of this input."""
        return tuple(f"{self.kind}_{i}" for i in range(int(np.prod(self.shape))))

    def vocabulary_for(self, ngrams: int, max_tokens: int) -> list[str]:
        """The ``max_tokens`` most useful tokens of orders up to ``ngrams``.

        Tokens are taken round-robin from the orders (most frequent first within each), so
        a small vocabulary still holds the common words.
        """
        by_order: list[list[str]] = [[] for _ in range(MAX_NGRAMS)]
        for token, order in zip(self.vocabulary, self.orders, strict=True):
            by_order[order - 1].append(token)
        chosen: list[str] = []
        pools = [iter(p) for p in by_order[:ngrams]]
        while pools and len(chosen) < max_tokens:
            for pool in list(pools):
                word = next(pool, None)
                if word is None:
                    pools.remove(pool)
                elif len(chosen) < max_tokens:
                    chosen.append(word)
        return chosen

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "shape": list(self.shape),
            "mean": list(self.mean),
            "std": list(self.std),
            "name": self.name,
            "vocabulary": list(self.vocabulary),
            "orders": list(self.orders),
            "length": self.length,
            **({"padded": True} if self.padded else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArraySchema:
        """The schema ``to_dict`` wrote, of any kind (see :func:`read_schema`)."""
        return read_schema(data)

    @classmethod
    def _read(cls, data: dict[str, Any]) -> ArraySchema:
        return cls(
            data["kind"],
            tuple(data["shape"]),
            tuple(data["mean"]),
            tuple(data["std"]),
            data["name"],
            tuple(data["vocabulary"]),
            tuple(data["orders"]),
            data["length"],
            bool(data.get("padded", False)),
        )

    # -- raw data -> network inputs --------------------------------------------------------
    def as_array(self, data: Any, what: str = "X") -> np.ndarray:
        """Images or sequences (arrays, flat tables, lists) -> ``(N, *shape)`` float32."""
        if isinstance(data, pd.DataFrame):
            arr = data.to_numpy(dtype="float32")
        else:
            length = self.shape[0] if self.padded else None
            arr = as_float_array(data, what, pad=self.padded, length=length)
        size = int(np.prod(self.shape))
        if arr.shape[1:] == self.shape:
            return arr
        if arr.ndim == len(self.shape) and arr.shape[1:] == self.shape[:-1] and self.shape[-1] == 1:
            return arr[..., None]
        if arr.ndim == 2 and arr.shape[1] == size:
            return arr.reshape((-1, *self.shape))
        raise DataError(
            f"{what} has {self.kind}s of shape {arr.shape[1:]}, but the model was fit on "
            f"{self.kind}s of shape {self.shape}; resize them (or pass {size} flat columns)"
        )

    def model_inputs(self, data: Any) -> dict[str, np.ndarray]:
        """Arrays for the trained network: one input under :attr:`key`."""
        return {self.key: self.as_array(data)}

    def raw_inputs(self, data: Any, strings: bool = True) -> dict[str, np.ndarray]:
        """Arrays for the exported model (the same as :meth:`model_inputs`)."""
        return self.model_inputs(data)

    def as_table(self, data: Any) -> pd.DataFrame:
        """The flat table form: one column per value."""
        arr = self.as_array(data)
        # float64: an MLflow signature of doubles accepts float32 and float64 columns
        flat = arr.reshape(len(arr), -1).astype("float64")
        return pd.DataFrame(flat, columns=list(self.names))


def as_float_array(
    data: Any, what: str = "X", *, pad: bool = False, length: int | None = None
) -> np.ndarray:
    """Numbers -> float32 array, with a clear error for ragged data (mixed shapes).

    ``pad``: series of different lengths (same channels) are padded at the end with NaN to
    the longest (or ``length``) steps, the padding the model masks (``data.pad``).
    """
    if isinstance(data, list | tuple) and data and hasattr(data[0], "shape"):
        shapes = [tuple(np.shape(a)) for a in data]
        if len(set(shapes)) > 1 or (pad and length is not None):
            first = shapes[0]
            i = next((i for i, s in enumerate(shapes) if s != first), 0)
            if pad and len({s[1:] for s in shapes}) == 1 and len(first) in (1, 2):
                return padded_series(data, what, length=length)
            raise DataError(
                f"{what} has examples of mixed shapes: example 0 is {first} but example {i} is "
                f"{shapes[i]}; every image (or series) must have the same shape, so resize or "
                "pad them first (an image folder is resized to data.image_size for you; for "
                "series of different lengths set data.pad: true to pad them at the end and "
                "mask the padding)"
            )
    try:
        arr = np.asarray(data, dtype="float32")
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"{what} cannot be read as an array of numbers ({exc}); images and series must be "
            "numeric arrays of one shape, e.g. (N, H, W, C) or (N, T, C)"
        ) from None
    return arr


def padded_series(data: Sequence[Any], what: str = "X", *, length: int | None = None) -> np.ndarray:
    """Series of different lengths ``(steps[, channels])`` -> ``(N, length, C)`` float32,
    padded at the end with NaN to ``length`` (default: the longest), the padding the model
    masks (``data.pad``).

    Raises:
        DataError: a series longer than ``length`` (the length the model was fit on).
    """
    lengths = [len(a) for a in data]
    steps = max(lengths) if length is None else length
    if max(lengths) > steps:
        i = int(np.argmax(lengths))
        raise DataError(
            f"{what}: series {i} has {lengths[i]} steps, longer than the {steps} steps the "
            "model was fit on (data.pad pads to the longest training series); cut it"
        )
    rows = [np.asarray(a, dtype="float32").reshape(len(a), -1) for a in data]
    out = np.full((len(rows), steps, rows[0].shape[1]), np.nan, dtype="float32")
    for k, row in enumerate(rows):
        out[k, : len(row)] = row
    return out


def _channel_stats(arr: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    flat = arr.reshape(-1, arr.shape[-1]).astype("float64")
    padded = np.isnan(flat).any()  # padding of series of different lengths (data.pad)
    mean = np.nanmean(flat, axis=0) if padded else flat.mean(axis=0)
    std = np.nanstd(flat, axis=0) if padded else flat.std(axis=0)
    std[std == 0] = 1.0
    return tuple(float(m) for m in mean), tuple(float(s) for s in std)


def image_schema(train: np.ndarray) -> ArraySchema:
    """Schema of ``(N, H, W, C)`` training images."""
    mean, std = _channel_stats(train)
    return ArraySchema("image", tuple(int(d) for d in train.shape[1:]), mean, std, name="image")


def sequence_schema(train: np.ndarray) -> ArraySchema:
    """Schema of ``(N, T, C)`` training sequences (NaN steps at the end: padding)."""
    mean, std = _channel_stats(train)
    padded = bool(np.isnan(train).any())
    shape = tuple(int(d) for d in train.shape[1:])
    return ArraySchema("sequence", shape, mean, std, name="sequence", padded=padded)


def array_kind(x: Any, declared: str = "auto") -> str:
    """``image``, ``sequence`` or ``tabular`` for array-like ``x`` (text is found on columns).

    4-D arrays are images; 3-D arrays are images when their last two axes are equal (square
    grey images such as 8x8 digits), otherwise sequences ``(N, T, C)``. ``declared`` (the
    ``data.kind`` field) overrides the guess.
    """
    if declared != "auto":
        return declared
    if isinstance(x, pd.DataFrame | dict | str) or x is None:
        return "tabular"
    if isinstance(x, list | tuple) and x and hasattr(x[0], "shape"):
        ndim = np.ndim(x[0]) + 1
        shape = (len(x), *np.shape(x[0]))
    else:
        try:
            arr = np.asarray(x)
        except ValueError:  # ragged nested lists
            return "tabular"
        ndim, shape = arr.ndim, arr.shape
    if ndim == 4:
        return "image"
    if ndim == 3:
        return "image" if shape[1] == shape[2] and shape[1] >= 8 else "sequence"
    return "tabular"


register_schema("image", ArraySchema._read)
register_schema("sequence", ArraySchema._read)
