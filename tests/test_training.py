"""Training internals that a search depends on for flat memory."""

from __future__ import annotations

import keras
import pytest

from archsmith.builders import CATALOG
from archsmith.builders import build_model
from archsmith.datasets import load_dataset
from archsmith.search_space import load_space
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from conftest import mixed_frame


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow-only leak")
def test_fit_leaves_no_graph_holding_gradient_entries() -> None:
    """TF <= 2.21 keeps every traced train step alive through its gradient registry."""
    from tensorflow.python.framework import ops as tf_ops

    exp = load_experiment(task={"type": "classification", "target": "y"}, training={"epochs": 2})
    data = load_dataset(mixed_frame(), task=exp.task, data=exp.data)
    space = load_space("mlp", CATALOG)
    config = space.resolve(
        {
            "model.0.dense_stack.layers": 1,
            "model.0.dense_stack.units": 16,
            "model.0.dense_stack.activation": "relu",
            "model.0.dense_stack.dropout": 0.0,
            "model.0.dense_stack.batch_norm": False,
            "optimizer.name": "adam",
            "optimizer.learning_rate": 0.01,
            "batch_size": 32,
        }
    )

    def entries() -> set[str]:
        return {n for n in tf_ops._gradient_registry._registry if n.startswith("CustomGradient")}

    before = entries()
    for _ in range(2):
        result = fit(build_model(config, data.schema, data.target), data, config, exp.training)
        assert result.epochs == 2
    assert entries() == before
