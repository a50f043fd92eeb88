"""archsmith is written against Keras 3 (``keras``, ``keras.ops``), never ``tf.keras``: a
search runs, exports and reloads on every Keras backend that is installed.

The backend is fixed when Keras is first imported, so each backend runs in a subprocess.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SPACE = """
name: small
for: [tabular]
model:
  - dense_stack: {layers: 1, units: 32, activation: relu, dropout: 0.0, batch_norm: false}
optimizer: {name: adam, learning_rate: 0.01}
batch_size: {type: choice, values: [16, 32]}
"""

SCRIPT = r"""
import json, sys
import numpy as np
import pandas as pd
import keras
from archsmith import AutoModel, load_model

rng = np.random.default_rng(0)
n = 200
frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                      "c": rng.choice(["x", "y", "z"], n)})
frame["y"] = np.where(frame["a"] + 2 * (frame["c"] == "x") > 0.7, "pos", "neg")
model = AutoModel(task="classification", max_trials=1, epochs=15, tracking_uri=sys.argv[1],
                  space=sys.argv[3], verbose=0)
model.fit(frame, target="y")
model.export(sys.argv[2])
loaded = load_model(sys.argv[2])
print(json.dumps({"backend": keras.backend.backend(), "score": model.best_score_,
                  "predictions": model.predict(frame.head(20)).tolist(),
                  "loaded_inputs": sorted(t.name for t in loaded.inputs)}))
"""


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_search_runs_exports_and_reloads_on_the_backend(backend: str, tmp_path: Path) -> None:
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend, "MLFLOW_DISABLE_TELEMETRY": "true"}
    space = tmp_path / "small.yaml"
    space.write_text(SPACE)
    args = [str(tmp_path / "mlruns"), str(tmp_path / "m.keras"), str(space)]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["backend"] == backend
    assert out["score"] > 0.75  # a learnable rule; a broken model stays near the base rate
    assert set(out["predictions"]) <= {"pos", "neg"}
    assert out["loaded_inputs"] == ["a", "b", "c"]
