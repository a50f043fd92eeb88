"""The GAN family's Wasserstein loss with gradient penalty (WGAN-GP), on every backend."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from archsmith.builders import build_model
from archsmith.datasets import load_dataset
from archsmith.spec import load_experiment
from archsmith.tasks import fit
from archsmith.training import outputs
from conftest import ROOT
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
                "loss": "wasserstein_gp",
                "gp_weight": 1.0,
                "critic_steps": 2,
            }
        }
    ],
    "optimizer": {"name": "adam", "learning_rate": 5e-3, "beta_1": 0.5, "beta_2": 0.9},
    "batch_size": 64,
}

# The penalty on each backend, checked against its closed form: a linear critic
# D(x) = w.x has grad_x D = w everywhere, so each row's loss is w.(fake - real) +
# gp_weight * (|w| - 1)^2, and one SGD step with real = fake moves w by
# lr * 2 * gp_weight * (|w| - 1) * w / |w| (a gradient through the input gradient).
# Then two epochs of the whole WGAN-GP training step.
SCRIPT = r"""
import json, sys
import keras
import numpy as np


def check(examples):
    from archsmith.builders import build_model
    from archsmith.datasets import load_dataset
    from archsmith.spec import load_experiment
    from archsmith.tasks import fit
    from archsmith.tasks.generation._wgan import CriticLoss, mean_output

    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    critic.layers[0].set_weights([np.array([[3.0], [4.0]], "float32"), np.zeros(1, "float32")])
    rows = [keras.Input((2,)), keras.Input((2,)), keras.Input((1,))]
    trainer = keras.Model(rows, CriticLoss(critic, 2.0)(rows))
    real, fake = np.ones((4, 2), "float32"), np.zeros((4, 2), "float32")
    mix = np.full((4, 1), 0.5, "float32")
    per_row = keras.ops.convert_to_numpy(trainer([real, fake, mix])).ravel().tolist()
    trainer.compile(optimizer=keras.optimizers.SGD(0.01), loss=mean_output)
    trainer.train_on_batch([real, real, mix], np.zeros((4, 1), "float32"))
    w = critic.layers[0].get_weights()[0].ravel().tolist()

    sys.path.insert(0, examples)
    import gan_mixture

    gan = {"latent": 4, "layers": 1, "units": 16, "activation": "relu", "disc_layers": 1,
           "disc_units": 16, "loss": "wasserstein_gp", "gp_weight": 1.0, "critic_steps": 2}
    config = {"model": [{"gan": gan}], "optimizer": {"name": "adam", "learning_rate": 1e-3},
              "batch_size": 64}
    exp = load_experiment(task={"type": "generation"}, training={"epochs": 2})
    # 256 training rows: whole batches of 64, so each compiled step keeps one shape
    data = load_dataset(gan_mixture.mixture(320), task=exp.task, data=exp.data)
    result = fit(build_model(config, data.schema, data.target), data, config, exp.training)
    return {"backend": keras.backend.backend(), "per_row": per_row, "w": w,
            "mmd": result.scores["mmd"], "d_loss": result.history["d_loss"]}


if __name__ == "__main__":
    print(json.dumps(check(sys.argv[1])))
"""


def test_wgan_gp_covers_every_mode_of_a_mixture() -> None:
    mix = example("gan_mixture.py")
    exp = load_experiment(
        task={"type": "generation"}, training={"epochs": 12, "early_stopping": {"patience": 15}}
    )
    data = load_dataset(mix.mixture(), task=exp.task, data=exp.data)
    keras.utils.set_random_seed(0)
    model = build_model(CONFIG, data.schema, data.target)
    result = fit(model, data, CONFIG, exp.training)
    samples = outputs(model, data.validation.x)
    # measured at 12 epochs: all 4 modes with seeds 0-3, validation MMD 0.025-0.04
    assert mix.modes_covered(samples) == 4
    assert result.scores["mmd"] < 0.08
    history = result.history
    assert len(history["d_loss"]) == 12 and np.isfinite(history["g_loss"]).all()
    gan = model.get_layer("archsmith_gan")
    assert (gan.loss, gan.gp_weight, gan.critic_steps) == ("wasserstein_gp", 1.0, 2)


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_the_gradient_penalty_is_exact_and_trains_on_the_backend(
    backend: str, tmp_path: Path
) -> None:
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    examples = str(ROOT / "examples" / "families")
    if backend == keras.backend.backend():  # this process's backend: no new process
        namespace: dict[str, Any] = {"__name__": "wgan_check"}
        exec(SCRIPT, namespace)
        out = namespace["check"](examples)
    else:  # the backend is fixed when Keras is first imported
        env = {**os.environ, "KERAS_BACKEND": backend, "MLFLOW_DISABLE_TELEMETRY": "true"}
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, examples],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["backend"] == backend
    # w = (3, 4): w.(0 - 1) + 2 * (5 - 1)^2 = -7 + 32; the step: w -= 0.01 * 2*2*4 * w / 5
    np.testing.assert_allclose(out["per_row"], [25.0] * 4, rtol=1e-5)
    np.testing.assert_allclose(out["w"], [3 - 0.096, 4 - 0.128], rtol=1e-5)
    assert np.isfinite(out["d_loss"]).all() and np.isfinite(out["mmd"])
