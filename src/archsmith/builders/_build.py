"""Assemble a model: inputs + in-model preprocessing -> searched blocks -> task head."""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras

from archsmith.builders._ensemble import WeightedMean  # noqa: F401 (registered for load_model)
from archsmith.builders._heads import HEADS
from archsmith.builders._heads import PREPARE
from archsmith.builders._heads import WRAPPERS
from archsmith.builders._heads import Trunk
from archsmith.builders._inputs import model_inputs
from archsmith.builders._views import close_views
from archsmith.datasets import NUMERIC_KEY
from archsmith.datasets import ArraySchema
from archsmith.datasets import InputSchema
from archsmith.datasets import PairSchema
from archsmith.datasets import Target
from archsmith.exceptions import TrialFailed
from archsmith.families import block as family_block
from archsmith.families import block_function
from archsmith.families import fact_functions
from archsmith.families import import_blocks

import_blocks()  # every family's layers are registered before a model is built or loaded


def _block(name: str, schema: InputSchema | ArraySchema) -> Callable[..., Any]:
    """The builder function of block ``name`` (blocks that take the schema get it bound)."""
    function = block_function(name)
    if "schema" in family_block(name).takes:
        return functools.partial(function, schema=schema)
    return function


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
    wrapper = WRAPPERS.get(target.kind)
    if wrapper is not None:  # a Siamese pair model around the searched encoder
        return wrapper(config, schema, model_inputs, _block)
    inputs, x = model_inputs(schema)
    trunk = Trunk(features=x, schema=schema, target=target)
    prepare = PREPARE.get(target.kind)
    if prepare is not None:  # forecast: each window scaled by its own level and spread
        x, trunk = prepare(x, trunk, config)
    passed = {"target": target, "base_dir": base_dir}
    for i, block in enumerate(config["model"]):
        ((name, args),) = block.items()
        extra = {k: passed[k] for k in family_block(name).takes if k in passed}
        try:
            x = _block(name, schema)(x, **args, **extra)
        except (ValueError, TypeError) as exc:
            raise TrialFailed(f"model.{i}.{name}: cannot build block: {exc}") from exc
    family = str(config.get("family", "model"))
    if not (config["model"] and family_block(next(iter(config["model"][-1]))).output):
        x = HEADS[target.kind](x, trunk)  # else an output block made the output
    return close_views(keras.Model(inputs, x, name=family))


def export_model(
    model: keras.Model, schema: InputSchema | ArraySchema, strings: bool | None = None
) -> keras.Model:
    """A model that takes raw rows: one input per column (``InputSchema.raw_inputs``).

    Numbers are floats (NaN for missing). Categories are strings on the TensorFlow backend
    (a ``StringLookup`` front end); on backends without string tensors (JAX, PyTorch) they
    are integer codes (``raw_inputs(frame, strings=False)``), as they are with
    ``strings=False`` on any backend. Image, sequence and text models already take raw data
    (``ArraySchema.raw_inputs``): they are returned as is.
    """
    if isinstance(schema, ArraySchema | PairSchema):  # pair models take model inputs
        return model
    if strings is None:
        strings = keras.backend.backend() == "tensorflow"
    raw: dict[str, Any] = {}
    fed: dict[str, Any] = {}
    for col in schema.columns:
        if not col.categorical:
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


def codes_model(model: keras.Model, schema: Any) -> keras.Model:
    """The exported ``model`` with integer codes instead of strings for its categorical
    columns (for runtimes without string tensors, e.g. ONNX); ``model`` itself when it
    takes no strings."""
    inner = next((layer for layer in model.layers if isinstance(layer, keras.Model)), None)
    if not takes_strings(model) or inner is None:  # texts take strings themselves
        return model
    return export_model(inner, schema, strings=False)


def count_params(model: keras.Model) -> int:
    return int(model.count_params())


def model_facts(model: keras.Model) -> dict[str, float]:
    """Numbers worth logging about a built model beyond its size (``Family.facts``).

    ``backbone_layers_trainable`` and ``backbone_layers_frozen`` (weighted layers of a
    transfer-learning backbone) when the model has one; otherwise empty.
    """
    facts: dict[str, float] = {}
    for hook in fact_functions():
        facts.update(hook(model))
    return facts


def load_model(path: str | Path) -> keras.Model:
    """Load a ``.keras`` file in safe mode (archsmith's custom layers are registered)."""
    return keras.saving.load_model(path, safe_mode=True)


def takes_strings(model: keras.Model) -> bool:
    """Whether a model's categorical inputs are raw strings (an exported model)."""
    return any("string" in str(t.dtype) for t in model.inputs)
