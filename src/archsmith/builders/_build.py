"""Assemble a model: inputs + in-model preprocessing -> searched blocks -> task head."""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras

from archsmith.builders._families import FAMILY_BLOCKS
from archsmith.builders._families import OUTPUT_BLOCKS
from archsmith.builders._families import TASK_HEADS
from archsmith.builders._gnn import graph_inputs
from archsmith.builders._image import IMAGE_BLOCKS
from archsmith.builders._image import PATH_BLOCKS
from archsmith.builders._image import layer_counts
from archsmith.builders._kinds import array_inputs
from archsmith.builders._kinds import kind_head
from archsmith.builders._kinds import pool_features
from archsmith.builders._kinds import seasonal_base
from archsmith.builders._kinds import window_scale
from archsmith.builders._layers import NumericFeatures
from archsmith.builders._sequence import SEQUENCE_BLOCKS
from archsmith.builders._tab_encodings import ENCODING_BLOCKS
from archsmith.builders._tabular import BLOCKS
from archsmith.builders._text import TEXT_BLOCKS
from archsmith.datasets import NUMERIC_KEY
from archsmith.datasets import ONE_HOT_MAX
from archsmith.datasets import ArraySchema
from archsmith.datasets import GraphSchema
from archsmith.datasets import InputSchema
from archsmith.datasets import PairSchema
from archsmith.datasets import Target
from archsmith.exceptions import TrialFailed


def _inputs(schema: InputSchema | ArraySchema) -> tuple[dict[str, Any], Any]:
    """The training inputs (see ``InputSchema.model_inputs``) and the feature vector."""
    if isinstance(schema, GraphSchema):  # adjacency + node features (or a held graph)
        return graph_inputs(schema)
    if isinstance(schema, ArraySchema):  # images, sequences, texts
        return array_inputs(schema)
    inputs: dict[str, Any] = {}
    parts: list[Any] = []
    numeric = schema.numeric
    if numeric:
        inputs[NUMERIC_KEY] = keras.Input(shape=(len(numeric),), name=NUMERIC_KEY)
        parts.append(
            NumericFeatures(
                [c.mean for c in numeric],
                [c.std for c in numeric],
                [i for i, c in enumerate(numeric) if c.has_missing],
                name="archsmith_numeric_features",
            )(inputs[NUMERIC_KEY])
        )
    for col in schema.columns:
        if col.kind != "categorical":
            continue
        inputs[col.key] = keras.Input(shape=(1,), name=col.key, dtype="int64")
        tokens = len(col.vocabulary) + 1  # index 0: unknown or missing
        if tokens <= ONE_HOT_MAX:
            encode = keras.layers.CategoryEncoding(
                tokens, output_mode="one_hot", name=f"archsmith_{col.key}_onehot"
            )
            parts.append(encode(inputs[col.key]))
        else:
            dim = int(min(32, round(1.6 * tokens**0.56)))
            emb = keras.layers.Embedding(tokens, dim, name=f"archsmith_{col.key}_embedding")
            parts.append(keras.layers.Flatten()(emb(inputs[col.key])))
    if len(parts) == 1:
        return inputs, parts[0]
    return inputs, keras.layers.Concatenate(name="archsmith_features")(parts)


def _head(x: Any, target: Target) -> Any:
    if target.kind in ("multilabel", "forecast"):
        return kind_head(x, target)
    x = pool_features(x)  # a block that left a feature map or a sequence
    if target.kind == "binary":
        return keras.layers.Dense(1, activation="sigmoid", name="archsmith_probability")(x)
    if target.kind == "multiclass":
        return keras.layers.Dense(
            len(target.classes), activation="softmax", name="archsmith_probabilities"
        )(x)
    z = keras.layers.Dense(1, name="archsmith_standardised")(x)
    # the network learns the standardised target; this fixed layer restores its units
    return keras.layers.Rescaling(
        scale=target.std, offset=target.mean, name="archsmith_prediction"
    )(z)


def _block(name: str, schema: InputSchema | ArraySchema) -> Callable[..., Any]:
    """The builder function of block ``name`` (text blocks get the schema's vocabulary)."""
    if name in TEXT_BLOCKS:
        return functools.partial(TEXT_BLOCKS[name], schema=schema)
    if name in ENCODING_BLOCKS:  # they read which features are the numeric columns
        return functools.partial(ENCODING_BLOCKS[name], schema=schema)
    if name in BLOCKS:
        return BLOCKS[name]  # type: ignore[return-value]
    return {**IMAGE_BLOCKS, **SEQUENCE_BLOCKS, **FAMILY_BLOCKS}[name]


def build_model(
    config: Mapping[str, Any],
    schema: InputSchema | ArraySchema,
    target: Target,
    base_dir: Path | None = None,
) -> keras.Model:
    """Build the (uncompiled) network of one trial.

    Args:
        config: the resolved architecture (``SearchSpace.resolve``): ``model`` is a list of
            ``{block_name: {args}}``.
        schema: input columns and their statistics.
        target: the task's target (sets the head).
        base_dir: folder that relative file paths of blocks (a backbone's ``source`` and
            ``weights``) are read against: the declaration's folder; None: the working
            directory.

    Raises:
        TrialFailed: the config cannot be built (its message names the block).
    """
    if target.kind == "similarity":  # a Siamese pair model around the searched encoder
        from archsmith.builders._siamese import pair_model

        return pair_model(config, schema, _inputs, _block)
    inputs, x = _inputs(schema)
    features = x
    stats = base = None
    if target.kind == "forecast":  # each window scaled by its own level and spread
        x, stats = window_scale(x)
        base = seasonal_base(x, target)  # the model learns a correction of seasonal naive
    for i, block in enumerate(config["model"]):
        ((name, args),) = block.items()
        extra: dict[str, Any] = {"target": target} if name in OUTPUT_BLOCKS else {}
        if name in PATH_BLOCKS:
            extra["base_dir"] = base_dir
        try:
            x = _block(name, schema)(x, **args, **extra)
        except (ValueError, TypeError) as exc:
            raise TrialFailed(f"model.{i}.{name}: cannot build block: {exc}") from exc
    family = str(config.get("family", "model"))
    if config["model"] and next(iter(config["model"][-1])) in OUTPUT_BLOCKS:
        return keras.Model(inputs, x, name=family)
    if target.kind in TASK_HEADS:  # heads that also read the features (anomaly scores …)
        return keras.Model(inputs, TASK_HEADS[target.kind](x, features, schema), name=family)
    head = kind_head(x, target, stats, base) if stats is not None else _head(x, target)
    return keras.Model(inputs, head, name=family)


def export_model(model: keras.Model, schema: InputSchema | ArraySchema) -> keras.Model:
    """A model that takes raw rows: one input per column (``InputSchema.raw_inputs``).

    Numbers are floats (NaN for missing). Categories are strings on the TensorFlow backend
    (a ``StringLookup`` front end); on backends without string tensors (JAX, PyTorch) they
    are integer codes (``raw_inputs(frame, strings=False)``). Image, sequence and text
    models already take raw data (``ArraySchema.raw_inputs``): they are returned as is.
    """
    if isinstance(schema, ArraySchema | PairSchema):  # pair models take model inputs
        return model
    strings = keras.backend.backend() == "tensorflow"
    raw: dict[str, Any] = {}
    fed: dict[str, Any] = {}
    for col in schema.columns:
        if col.kind != "categorical":
            raw[col.key] = keras.Input(shape=(1,), name=col.key, dtype="float32")
        elif strings:
            raw[col.key] = keras.Input(shape=(1,), name=col.key, dtype="string")
            lookup = keras.layers.StringLookup(
                vocabulary=list(col.vocabulary),
                num_oov_indices=1,
                output_mode="int",
                name=f"archsmith_{col.key}_lookup",
            )
            fed[col.key] = lookup(raw[col.key])
        else:
            raw[col.key] = keras.Input(shape=(1,), name=col.key, dtype="int64")
            fed[col.key] = raw[col.key]
    numeric = [raw[c.key] for c in schema.numeric]
    if len(numeric) == 1:
        fed[NUMERIC_KEY] = numeric[0]
    elif numeric:
        fed[NUMERIC_KEY] = keras.layers.Concatenate(name="archsmith_columns")(numeric)
    return keras.Model(raw, model(fed), name=f"{model.name}_raw")


def count_params(model: keras.Model) -> int:
    return int(model.count_params())


def model_facts(model: keras.Model) -> dict[str, float]:
    """Numbers worth logging about a built model beyond its size.

    ``backbone_layers_trainable`` and ``backbone_layers_frozen`` (weighted layers of a
    transfer-learning backbone) when the model has one; otherwise empty.
    """
    return layer_counts(model)


def load_model(path: str | Path) -> keras.Model:
    """Load a ``.keras`` file in safe mode (archsmith's custom layers are registered)."""
    return keras.saving.load_model(path, safe_mode=True)


def takes_strings(model: keras.Model) -> bool:
    """Whether a model's categorical inputs are raw strings (an exported model)."""
    return any("string" in str(t.dtype) for t in model.inputs)
