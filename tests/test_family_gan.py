"""The GAN family and the generation task: a 2-D mixture of four Gaussians."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest

from archsmith.builders import build_model
from archsmith.builders import export_model
from archsmith.builders import load_model
from archsmith.datasets import load_dataset
from archsmith.exceptions import DataError
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from archsmith.training import outputs
from families_helpers import example

CONFIG = {
    "model": [
        {
            "gan": {
                "latent": 8,
                "layers": 2,
                "units": 64,
                "activation": "leaky_relu",
                "disc_layers": 2,
                "disc_units": 64,
            }
        }
    ],
    "optimizer": {"name": "adam", "learning_rate": 1e-3, "beta_1": 0.5},
    "batch_size": 64,
}


def test_gan_covers_every_mode_of_a_mixture_and_reloads(tmp_path: Path) -> None:
    from archsmith.tasks import all_scores

    mix = example("gan_mixture.py")
    exp = load_experiment(
        task={"type": "generation"}, training={"epochs": 40, "early_stopping": {"patience": 15}}
    )
    data = load_dataset(mix.mixture(), task=exp.task, data=exp.data)
    keras.utils.set_random_seed(0)
    model = build_model(CONFIG, data.schema, data.target)
    result = fit(model, data, CONFIG, exp.training)
    samples = outputs(model, data.validation.x)
    assert samples.shape == data.validation.y.shape  # one generated row per input row
    # measured at 40 epochs: all 4 modes with seeds 0 and 1, 3 of 4 with seed 2
    assert mix.modes_covered(samples) == 4
    # a generator collapsed onto one mode scores far worse
    collapsed = mix.CENTRES[0] + np.random.default_rng(0).normal(0, 0.2, samples.shape)
    worst = all_scores(data.validation.y, collapsed, data.target)["mmd"]
    assert result.scores["mmd"] < 0.5 * worst
    assert {"d_loss", "g_loss", "val_mmd"} <= set(result.history)
    assert result.artifacts["plots/samples.png"].startswith(b"\x89PNG")
    path = tmp_path / "gan.keras"
    export_model(model, data.schema).save(path)
    reloaded = load_model(path)  # the discriminator is saved with the generator layer
    raw = data.schema.raw_inputs(mix.mixture(1000, seed=1))
    assert mix.modes_covered(outputs(reloaded, raw)) == 4


def test_generation_bad_input_is_a_clear_error() -> None:
    exp = load_experiment(task={"type": "generation"})
    frame = pd.DataFrame({"u": np.arange(20.0), "kind": ["a", "b"] * 10})
    with pytest.raises(DataError, match=r"needs numeric columns, but \['kind'\]"):
        load_dataset(frame, task=exp.task, data=exp.data)
    with pytest.raises(DataError, match="takes no target; pass X only"):
        load_dataset(frame[["u"]], np.zeros(20), task=exp.task, data=exp.data)
    holes = pd.DataFrame({"u": [np.nan] + [1.0] * 19, "v": np.arange(20.0)})
    with pytest.raises(DataError, match=r"without missing values, but columns \['u'\]"):
        load_dataset(holes, task=exp.task, data=exp.data)
    assert exp.direction == "minimize"


def test_gan_example_searches_and_tracks_the_family(in_tmp: Path) -> None:
    import mlflow

    model = example("gan_mixture.py").main(["--max-trials", "1", "--epochs", "3"])
    result = model.search_
    client = mlflow.tracking.MlflowClient(result.tracking_uri)
    run_id = result.best.attrs["mlflow_run_id"]
    run = client.get_run(run_id)
    assert run.data.params["family"] == "gan"
    assert "val.mmd" in run.data.metrics
    assert len(client.get_metric_history(run_id, "val_mmd")) == 3  # one per epoch
    assert [a.path for a in client.list_artifacts(run_id, "plots")] == ["plots/samples.png"]
