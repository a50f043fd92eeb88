"""Images: ``(N, H, W[, C])`` arrays, or an image folder with one sub-folder per class,
each holding that class's images."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from archsmith.datasets._arrays import ArraySchema
from archsmith.datasets._arrays import image_schema
from archsmith.exceptions import DataError
from archsmith.spec import DataSpec

#: file suffixes read as images (the formats Keras' ``image_dataset_from_directory`` reads)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def read_image_folder(root: str | Path, data: DataSpec) -> tuple[np.ndarray, list[str]]:
    """All images under ``root/<class>/`` resized to ``data.image_size`` in
    ``data.color_mode``, and their class names.

    Images are read with Pillow (the library Keras' own image utilities use), because the
    data layer may not import Keras; classes are the sub-folder names, in sorted order.
    Images of different sizes are resized to one only where ``data.image_size`` is
    declared (squashing them is the user's choice, not a silent default).

    Returns:
        ``(N, H, W, C)`` uint8 images (C is 3 for ``rgb``, 1 for ``grayscale``) and the
        class of each.

    Raises:
        DataError: the folder does not exist, has no class sub-folders, or no images; or
            its images differ in size and ``data.image_size`` is not declared, naming two.
    """
    files = image_files(root)
    paths = [f for f, _ in files]
    sizes: list[tuple[int, int]] = []
    images = read_images(paths, data.image_size, data.color_mode, sizes)
    if "image_size" not in data.model_fields_set and len(set(sizes)) > 1:
        first = sizes[0]
        other = next(i for i, size in enumerate(sizes) if size != first)
        raise DataError(
            f"image folder {root}: images differ in size ({paths[0]} is {first[0]}x{first[1]}, "
            f"{paths[other]} is {sizes[other][0]}x{sizes[other][1]}, width x height); "
            "declare data.image_size: [height, width] to resize every image to one size, "
            "or make them one size"
        )
    return images, [c for _, c in files]


def image_files(root: str | Path) -> list[tuple[Path, str]]:
    """The image files under ``root/<class>/`` and the class of each (sorted).

    Raises:
        DataError: the folder does not exist, has no class sub-folders, or no images.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"image folder not found: {root}")
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    files = [
        (f, c.name)
        for c in classes
        for f in sorted(c.rglob("*"))
        if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES
    ]
    if not files:
        where = (
            f"its sub-folders {[c.name for c in classes][:10]}"
            if classes
            else "it has no sub-folders"
        )
        raise DataError(
            f"image folder {root} has no images ({where}); expected one sub-folder per class "
            f"holding {', '.join(IMAGE_SUFFIXES)} files"
        )
    return files


def read_images(
    paths: list[Path],
    image_size: tuple[int, int],
    color_mode: str = "rgb",
    sizes: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """The images in ``paths`` resized to ``image_size``: ``(N, H, W, C)`` uint8; each
    image's own (width, height) is appended to ``sizes`` when given.

    Raises:
        DataError: a file cannot be read as an image, naming it.
    """
    from PIL import Image

    mode = "L" if color_mode == "grayscale" else "RGB"
    height, width = image_size
    images = np.empty((len(paths), height, width, 1 if mode == "L" else 3), dtype="uint8")
    for i, path in enumerate(paths):
        try:
            with Image.open(path) as img:
                if sizes is not None:
                    sizes.append(img.size)
                pixels = np.asarray(img.convert(mode).resize((width, height)))
        except OSError as exc:
            raise DataError(f"cannot read image {path}: {exc}") from None
        images[i] = pixels.reshape(images.shape[1:])
    return images


def image_array(arr: np.ndarray) -> np.ndarray:
    """Images ``(N, H, W)`` or ``(N, H, W, C)`` -> ``(N, H, W, C)`` float32 with finite values.

    Raises:
        DataError: another number of axes, NaN or infinite values.
    """
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.ndim != 4:
        raise DataError(
            f"images must be an array (N, H, W) or (N, H, W, C), but got shape {arr.shape}"
        )
    arr = arr.astype("float32", copy=False)
    if not np.isfinite(arr).all():
        raise DataError("the images hold NaN or infinite values; fill them first")
    return arr


def image_inputs(inputs: np.ndarray, train: np.ndarray) -> tuple[ArraySchema, Any, list[bytes]]:
    """The schema, rows and fingerprint parts of images; ``train`` indexes the training
    images."""
    arr = image_array(inputs)
    return image_schema(arr[train]), arr, [np.ascontiguousarray(arr).tobytes()]
