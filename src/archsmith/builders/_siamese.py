"""The Siamese network: one shared encoder embeds both examples of a pair; their distance
says whether they are of the same class (task ``similarity``).

The encoder is whatever the space's ``model`` list builds before its last block: a
``dense_stack``, a ``conv_stack`` or any other family's blocks (a block choice searches
among them). The last block, ``siamese``, projects to the embedding and sets the distance.
A space without a ``siamese`` block works too: its whole model is the encoder, compared by
Euclidean distance. Layers use ``keras.ops`` only, so every Keras backend runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import keras
from keras import ops

from archsmith.exceptions import TrialFailed

#: name of the shared encoder (a nested model: items -> embeddings), exportable on its own
ENCODER = "archsmith_encoder"
#: name of the layer giving the distance of a pair's embeddings
DISTANCE = "archsmith_pair_distance"
#: name of the output layer: ``[distance, same]`` with the threshold chosen on validation
DECISION = "archsmith_same"
#: blocks that take flat vectors: images or sequences are flattened before them
FLAT_BLOCKS = frozenset({"dense_stack", "residual_dense", "rbf", "spiking", "dbn"})
SIDES = ("a", "b")


@keras.saving.register_keras_serializable(package="archsmith")
class PairDistance(keras.layers.Layer):
    """The distance between two batches of embeddings, ``(batch, 1)``.

    Args:
        metric: ``euclidean`` (``||a - b||``) or ``cosine`` (``1 - cos(a, b)``, in [0, 2]).
    """

    def __init__(self, metric: str = "euclidean", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if metric not in ("euclidean", "cosine"):
            raise ValueError(f"metric must be euclidean or cosine, but got {metric!r}")
        self.metric = metric

    def call(self, inputs: Any) -> Any:
        a, b = inputs
        if self.metric == "cosine":
            a = a / ops.sqrt(ops.sum(ops.square(a), axis=-1, keepdims=True) + 1e-12)
            b = b / ops.sqrt(ops.sum(ops.square(b), axis=-1, keepdims=True) + 1e-12)
            return 1.0 - ops.sum(a * b, axis=-1, keepdims=True)
        # the small constant keeps the gradient finite for identical embeddings
        return ops.sqrt(ops.sum(ops.square(a - b), axis=-1, keepdims=True) + 1e-9)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0][0], 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "metric": self.metric}


@keras.saving.register_keras_serializable(package="archsmith")
class SameDecision(keras.layers.Layer):
    """``[distance, same]``: ``same`` is 1 when the distance is at most the threshold.

    The threshold is a non-trainable weight, set after training to the value that
    classifies the validation pairs best, and saved with the model.
    """

    def build(self, input_shape: Any) -> None:
        self.threshold = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(0.5),
            trainable=False,
            name="threshold",
        )

    def call(self, distance: Any) -> Any:
        same = ops.cast(ops.less_equal(distance, self.threshold), distance.dtype)
        return ops.concatenate([distance, same], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], 2)


def siamese(x: Any, **_: Any) -> Any:
    """The ``siamese`` block outside a similarity task: a clear build error."""
    raise ValueError(
        "the siamese block compares pairs and is the last block of a model for task "
        "similarity; use another block (or declare task: {type: similarity})"
    )


def pair_model(
    config: Mapping[str, Any],
    schema: Any,
    make_inputs: Callable[[Any], tuple[dict[str, Any], Any]],
    block: Callable[[str, Any], Callable[..., Any]],
) -> keras.Model:
    """The pair model of one trial: ``a_*`` and ``b_*`` inputs -> ``[distance, same]``.

    Args:
        config: the resolved trial config; ``model`` lists the encoder's blocks, ending
            (optionally) with ``{siamese: {embedding, distance, normalise}}``.
        schema: a ``PairSchema`` (its ``item`` is the schema of one example).
        make_inputs: the builder of one example's inputs and feature tensor.
        block: the builder function of a block by name.

    Raises:
        TrialFailed: a block cannot be built (the message names it).
    """
    item = schema.item
    inputs, x = make_inputs(item)
    blocks = list(config["model"])
    head: dict[str, Any] = {"embedding": 0, "distance": "euclidean", "normalise": False}
    if blocks and next(iter(blocks[-1])) == "siamese":
        head.update(blocks.pop()["siamese"])
    for i, spec in enumerate(blocks):
        ((name, args),) = spec.items()
        if name == "siamese":
            raise TrialFailed(f"model.{i}.siamese: the siamese block must be the last block")
        if name in FLAT_BLOCKS and len(x.shape) > 2:
            x = keras.layers.Flatten()(x)
        try:
            x = block(name, item)(x, **args)
        except (ValueError, TypeError) as exc:
            raise TrialFailed(f"model.{i}.{name}: cannot build block: {exc}") from exc
    if len(x.shape) > 2:
        x = keras.layers.Flatten(name="archsmith_flatten")(x)
    if head["embedding"]:
        x = keras.layers.Dense(int(head["embedding"]), name="archsmith_embedding")(x)
    if head["distance"] == "euclidean" and head.get("normalise"):
        x = keras.layers.UnitNormalization(name="archsmith_unit_embedding")(x)
    encoder = keras.Model(inputs, x, name=ENCODER)
    pair_inputs: dict[str, Any] = {}
    embeddings = []
    for side in SIDES:
        own = {
            k: keras.Input(shape=t.shape[1:], dtype=t.dtype, name=f"{side}_{k}")
            for k, t in inputs.items()
        }
        pair_inputs.update({f"{side}_{k}": v for k, v in own.items()})
        embeddings.append(encoder(own))
    distance = PairDistance(head["distance"], name=DISTANCE)(embeddings)
    return keras.Model(
        pair_inputs, SameDecision(name=DECISION)(distance), name=str(config.get("family", "model"))
    )


def encoder_of(model: keras.Model) -> keras.Model:
    """The shared encoder of a pair model: one example's inputs -> its embedding.

    Raises:
        ValueError: the model is not a similarity (pair) model.
    """
    try:
        return model.get_layer(ENCODER)
    except ValueError:
        raise ValueError(
            f"model '{model.name}' has no shared encoder ('{ENCODER}'): only models of task "
            "similarity have one"
        ) from None
