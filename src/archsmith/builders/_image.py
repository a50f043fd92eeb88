"""Image blocks: augmentation, convolution stacks, residual stages, pretrained backbones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras

#: batch-norm moving averages settle within the few hundred steps of small-data trials
BN_MOMENTUM = 0.9


def _pool(x: Any, how: str) -> Any:
    if how == "max":
        return keras.layers.GlobalMaxPooling2D()(x)
    if how == "flatten":
        return keras.layers.Flatten()(x)
    return keras.layers.GlobalAveragePooling2D()(x)


def _check_image(x: Any, block: str) -> None:
    if len(x.shape) != 4:
        raise ValueError(
            f"{block} takes images (batch, height, width, channels), but got a tensor of shape "
            f"{tuple(x.shape)}; use it in a space for: [image]"
        )


def augment(
    x: Any, *, flip: str, rotation: float, zoom: float, contrast: float, translation: float
) -> Any:
    """Random image transformations, active only in training (identity at inference)."""
    _check_image(x, "augment")
    if flip != "none":
        x = keras.layers.RandomFlip(flip)(x)
    if rotation > 0:
        x = keras.layers.RandomRotation(rotation, fill_mode="nearest")(x)
    if zoom > 0:
        x = keras.layers.RandomZoom(zoom, fill_mode="nearest")(x)
    if translation > 0:
        x = keras.layers.RandomTranslation(translation, translation, fill_mode="nearest")(x)
    if contrast > 0:
        # images are standardised before this block: no clipping to a pixel range
        x = keras.layers.RandomContrast(contrast, value_range=(-1e6, 1e6))(x)
    return x


def conv_stack(
    x: Any,
    *,
    blocks: int,
    filters: int,
    growth: float,
    kernel: int,
    convs: int,
    pooling: str,
    batch_norm: bool,
    dropout: float,
    activation: str,
    global_pool: str,
) -> Any:
    """``blocks`` x [``convs`` x (Conv2D -> BN -> act) -> pool -> dropout] -> global pool.

    Block ``b`` has ``filters * growth**b`` filters; pooling stops once the feature map is
    1 pixel wide.
    """
    _check_image(x, "conv_stack")
    for b in range(blocks):
        width = max(1, round(filters * growth**b))
        for _ in range(convs):
            x = keras.layers.Conv2D(width, kernel, padding="same", use_bias=not batch_norm)(x)
            if batch_norm:
                x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
            x = keras.layers.Activation(activation)(x)
        if pooling != "none" and min(x.shape[1], x.shape[2]) >= 2:
            pool = keras.layers.MaxPooling2D if pooling == "max" else keras.layers.AveragePooling2D
            x = pool(2)(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout)(x)
    return _pool(x, global_pool)


def resnet_stages(
    x: Any,
    *,
    stages: int,
    blocks: int,
    filters: int,
    kernel: int,
    batch_norm: bool,
    dropout: float,
    activation: str,
    global_pool: str,
) -> Any:
    """A ResNet: a stem convolution, then ``stages`` stages of ``blocks`` basic residual blocks.

    Stage ``s`` has ``filters * 2**s`` filters and halves the feature map (stride 2) at its
    first block while the map is at least 2 pixels wide.
    """
    _check_image(x, "resnet_stages")

    def norm(h: Any) -> Any:
        return keras.layers.BatchNormalization(momentum=BN_MOMENTUM)(h) if batch_norm else h

    x = keras.layers.Conv2D(filters, kernel, padding="same", use_bias=not batch_norm)(x)
    x = keras.layers.Activation(activation)(norm(x))
    for s in range(stages):
        width = filters * 2**s
        for b in range(blocks):
            stride = 2 if s > 0 and b == 0 and min(x.shape[1], x.shape[2]) >= 2 else 1
            h = keras.layers.Conv2D(width, kernel, strides=stride, padding="same")(x)
            h = keras.layers.Activation(activation)(norm(h))
            h = norm(keras.layers.Conv2D(width, kernel, padding="same")(h))
            shortcut = x
            if stride != 1 or x.shape[-1] != width:
                shortcut = keras.layers.Conv2D(width, 1, strides=stride, padding="same")(x)
            x = keras.layers.Activation(activation)(keras.layers.Add()([shortcut, h]))
            if dropout > 0:
                x = keras.layers.Dropout(dropout)(x)
    return _pool(x, global_pool)


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
    _check_image(x, "backbone")
    net = _backbone_model(source, weights, tuple(int(d) for d in x.shape[1:]), base_dir)
    net.name = "archsmith_backbone"
    weighted = [layer for layer in net.layers if layer.weights]
    trainable = set(map(id, weighted[len(weighted) - fine_tune :])) if fine_tune > 0 else set()
    for layer in net.layers:  # frozen batch normalisation runs in inference mode
        layer.trainable = id(layer) in trainable
    h = net(x)
    if len(h.shape) == 4:
        h = _pool(h, global_pool)
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


#: blocks that read files: they also take ``base_dir``, the declaration's folder
PATH_BLOCKS = frozenset({"backbone"})

IMAGE_BLOCKS: dict[str, Callable[..., Any]] = {
    "augment": augment,
    "conv_stack": conv_stack,
    "resnet_stages": resnet_stages,
    "backbone": backbone,
}
