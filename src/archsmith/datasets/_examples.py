"""Data to predict on, read as ``fit`` reads it: image folders and image files, ``.npz`` and
``.npy`` arrays, CSV/Parquet tables (texts in a column, flat images or sequences), lists of
strings, arrays and DataFrames; then turned into the inputs of a fitted model's network.

:func:`read_examples` reads a path into the data a schema takes, and names the example of
each row (``files``: the image paths of a folder); :func:`network_inputs` is what
``AutoModel.predict`` and ``archsmith predict`` hand to the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._files import _load
from archsmith.datasets._files import is_array_file
from archsmith.datasets._graphs import GraphSchema
from archsmith.datasets._images import IMAGE_SUFFIXES
from archsmith.datasets._pairs import PairSchema
from archsmith.datasets._readers import as_frame
from archsmith.datasets._readers import read_table
from archsmith.datasets._schema import InputSchema
from archsmith.exceptions import DataError

#: file suffixes read as tables
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")


@dataclass(frozen=True)
class Examples:
    """Data read for prediction: ``data`` as a schema takes it, and ``files`` (the image
    file of each example, when read from images; else empty)."""

    data: Any
    files: tuple[str, ...] = ()


def read_examples(x: Any, schema: Any, *, x_key: str = "x") -> Examples:
    """Read ``x`` as ``fit`` would for a model of ``schema``; anything but a path is kept.

    Args:
        x: a path (image folder or file, ``.npz``/``.npy``, CSV/Parquet) or in-memory data.
        schema: the fitted model's input schema (images need its size and channels).
        x_key: the inputs' array in an ``.npz`` file (the search's ``data.x_key``).

    Raises:
        DataError: a missing file, an unknown file kind, images for a model that takes no
            images, an ``.npz`` without the inputs' array.
    """
    if not isinstance(x, str | Path):
        return Examples(x)
    path = Path(x)
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        return _images(path, schema)
    if not path.exists():
        raise DataError(f"data file not found: {path}")
    if is_array_file(path):
        arrays = _load(path)
        if "" in arrays:  # .npy: its one array
            return Examples(arrays[""])
        if x_key not in arrays:
            if len(arrays) != 1:
                raise DataError(
                    f"{path} has no array '{x_key}' for the inputs; it holds {sorted(arrays)}; "
                    f"save the inputs under '{x_key}' (np.savez(path, {x_key}=X))"
                )
            return Examples(next(iter(arrays.values())))
        return Examples(arrays[x_key])
    if path.suffix.lower() in TABLE_SUFFIXES:
        return Examples(read_table(path))
    raise DataError(
        f"unknown kind of data file {path}: expected a table ({', '.join(TABLE_SUFFIXES)}), "
        f"NumPy arrays (.npz, .npy), an image ({', '.join(IMAGE_SUFFIXES)}) or a folder "
        "of images"
    )


def _images(path: Path, schema: Any) -> Examples:
    """Every image of a folder (sub-folders too, sorted by path), or one image file, read
    at the size and in the colours the model was fit on."""
    from PIL import Image

    shape = tuple(getattr(schema, "shape", ()))
    what = "folder of images" if path.is_dir() else "image file"
    if len(shape) != 3:
        kind = getattr(schema, "kind", "tabular")
        raise DataError(
            f"{path} is a {what}, but the model was fit on {kind} data, not images; "
            "pass data of that kind"
        )
    if path.is_dir():
        files = sorted(
            f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES
        )
        if not files:
            raise DataError(
                f"image folder {path} has no images ({', '.join(IMAGE_SUFFIXES)} files)"
            )
    elif path.is_file():
        files = [path]
    else:
        raise DataError(f"image file not found: {path}")
    height, width, channels = (int(d) for d in shape)
    mode = "L" if channels == 1 else "RGB"
    images = np.empty((len(files), height, width, channels), dtype="float32")
    for i, file in enumerate(files):
        try:
            with Image.open(file) as img:
                pixels = np.asarray(img.convert(mode).resize((width, height)))
        except OSError as exc:
            raise DataError(f"cannot read image {file}: {exc}") from None
        images[i] = pixels.reshape(images.shape[1:])
    return Examples(images, tuple(str(f) for f in files))


def network_inputs(x: Any, schema: Any, strings: bool = True) -> dict[str, np.ndarray]:
    """The inputs of a fitted model's (raw-row) network for data ``x`` of any kind ``fit``
    takes (see :func:`read_examples`).

    Raises:
        DataError: the data does not fit the schema (shape, columns, values).
    """
    if isinstance(schema, PairSchema | GraphSchema):  # they read their own files
        return schema.raw_inputs(x, strings)
    data = read_examples(x, schema).data
    if isinstance(schema, ArraySchema):  # images, sequences, texts as they are
        return schema.raw_inputs(data, strings)
    assert isinstance(schema, InputSchema)
    return schema.raw_inputs(as_frame(data), strings)
