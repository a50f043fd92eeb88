"""Transfer learning: a pretrained backbone (a local .keras file or keras.applications)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras

from archsmith.families._layers import check_image
from archsmith.families._layers import pool_image


def _local(path: str, base_dir: Path | None) -> Path:
    """``path``, read against ``base_dir`` (the declaration's folder) when relative."""
    local = Path(path)
    return local if local.is_absolute() or base_dir is None else base_dir / local


def _backbone_model(
    source: str, weights: str, shape: tuple[int, ...], base_dir: Path | None
) -> keras.Model:
    """A backbone from a local ``.keras`` file or a ``keras.applications`` name."""
    if source.endswith(".keras"):
        path = _local(source, base_dir)
        if not path.is_file():
            raise ValueError(f"backbone file not found: {path}")
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    name = source.removeprefix("keras.applications.")
    factory = getattr(keras.applications, name, None)
    if factory is None or not callable(factory):
        raise ValueError(
            f"unknown backbone {source!r}; expected a .keras file or a keras.applications "
            "model name such as MobileNetV2"
        )
    local = str(_local(weights, base_dir)) if weights else None
    if local and not Path(local).is_file():
        raise ValueError(f"backbone weights file not found: {local}")
    # weights=None never downloads; a local file is loaded by Keras itself
    return factory(include_top=False, weights=local, input_shape=shape)


def backbone(
    x: Any,
    *,
    source: str,
    weights: str,
    fine_tune: int,
    global_pool: str,
    dropout: float,
    base_dir: Path | None = None,
) -> Any:
    """Transfer learning: a pretrained network as a feature extractor.

    Every layer of the backbone is frozen except its last ``fine_tune`` layers that have
    weights (0: a frozen feature extractor). Frozen layers run in inference mode (their
    batch-normalisation statistics stay as trained).

    Args:
        source: a local ``.keras`` file, or a ``keras.applications`` model name.
        weights: local weights file of a ``keras.applications`` model ('' = random init).
        fine_tune: how many of the backbone's last weighted layers are trained.
        base_dir: folder relative ``source`` and ``weights`` paths are read against (the
            declaration's folder); None: the working directory.
    """
    check_image(x, "backbone")
    net = _backbone_model(source, weights, tuple(int(d) for d in x.shape[1:]), base_dir)
    net.name = "archsmith_backbone"
    weighted = [layer for layer in net.layers if layer.weights]
    trainable = set(map(id, weighted[len(weighted) - fine_tune :])) if fine_tune > 0 else set()
    for layer in net.layers:  # frozen batch normalisation runs in inference mode
        layer.trainable = id(layer) in trainable
    h = net(x)
    if len(h.shape) == 4:
        h = pool_image(h, global_pool)
    if dropout > 0:
        h = keras.layers.Dropout(dropout)(h)
    return h


def layer_counts(model: keras.Model) -> dict[str, float]:
    """Frozen and trainable weighted layers of the backbones in ``model`` (transfer learning)."""
    counts: dict[str, float] = {}
    for layer in model.layers:
        if layer.name == "archsmith_backbone":
            weighted = [sub for sub in layer.layers if sub.weights]
            trainable = sum(1 for sub in weighted if sub.trainable)
            counts["backbone_layers_trainable"] = float(trainable)
            counts["backbone_layers_frozen"] = float(len(weighted) - trainable)
    return counts
