"""What archsmith trains on (backend, devices), mixed precision's rule, and out-of-memory
trials recorded FAILED while the search goes on. Runs where no GPU is present; the GPU
side (memory growth, mixed policies) runs on a lent machine (benchmarks/gpu.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import pytest
import yaml
from mlflow.tracking import MlflowClient

from archsmith import devices
from archsmith.exceptions import SpecError
from archsmith.exceptions import TrialFailed
from archsmith.runner import run_search
from conftest import ROOT
from conftest import mixed_frame

NO_GPU = not devices.gpu_visible()


def declaration(tmp: Path, **training) -> dict:
    return {
        "name": "dev",
        "task": {"type": "classification", "target": "y", "metric": "accuracy"},
        "search": {"max_trials": 3, "engine": "random", "space": ["mlp"], "seed": 0},
        "training": {"epochs": 1, "early_stopping": None, **training},
        "tracking": {"uri": str(tmp / "mlruns")},
    }


def test_environment_names_the_backend_and_its_devices() -> None:
    env = devices.environment()
    assert env.backend == keras.backend.backend()
    assert env.devices[-1].kind == "CPU" and env.devices[-1].memory_bytes
    text = "\n".join(env.lines())
    assert f"backend: {env.backend} " in text and "trains on: " in text
    if not env.gpus:  # and it says why
        assert env.notes and "GPU" in " ".join(env.notes)
        assert "trains on: CPU" in text
    assert env.params()["backend"].startswith(env.backend)


def test_env_command_prints_what_it_will_train_on(capsys: pytest.CaptureFixture[str]) -> None:
    from archsmith.cli import main

    assert main(["env"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"backend: {keras.backend.backend()}")
    assert "devices:" in out and "trains on:" in out


@pytest.mark.skipif(not NO_GPU, reason="the refusal is for machines without a GPU")
def test_mixed_precision_is_refused_without_a_gpu(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        run_search(declaration(tmp_path, mixed_precision=True), mixed_frame(60))
    assert caught.value.path == "training.mixed_precision"
    message = str(caught.value)
    assert "needs a GPU" in message and "slower" in message
    assert not (tmp_path / "mlruns").exists()  # refused before anything was recorded


def test_mixed_precision_off_changes_nothing() -> None:
    assert devices.mixed_precision_policy(False) is None
    assert keras.config.dtype_policy().name == "float32"


def test_float32_outputs_under_a_mixed_policy() -> None:
    keras.config.set_dtype_policy("mixed_bfloat16")  # runs on CPU too
    try:
        inputs = keras.Input((3,))
        hidden = keras.layers.Dense(4)(inputs)
        model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(hidden))
    finally:
        keras.config.set_dtype_policy("float32")
    devices.float32_outputs(model)
    out = model(keras.ops.ones((2, 3)))
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    assert model.layers[1].compute_dtype == "bfloat16"  # the body stays mixed


class ResourceExhaustedError(Exception):  # named like TensorFlow's
    pass


class XlaRuntimeError(RuntimeError):  # named like JAX's
    pass


class OutOfMemoryError(RuntimeError):  # named like torch.cuda's
    pass


@pytest.mark.parametrize(
    ("error", "oom"),
    [
        (MemoryError(), True),
        (ResourceExhaustedError("OOM when allocating tensor with shape[4096,4096]"), True),
        (XlaRuntimeError("RESOURCE_EXHAUSTED: Out of memory allocating 1.5GiB"), True),
        (OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"), True),
        (ValueError("shapes (3,) and (4,) do not match"), False),
        (XlaRuntimeError("INVALID_ARGUMENT: bad shape"), False),
    ],
)
def test_out_of_memory_errors_are_recognised(error: BaseException, oom: bool) -> None:
    assert devices.out_of_memory(error) is oom
    reason = devices.failure_reason(error, {"units": 4096, "layers": 3})
    if oom:
        assert reason is not None and reason.startswith("out of memory")
        assert "layers=3, units=4096" in reason
    else:
        assert reason is None


def test_out_of_memory_while_building_is_recognised_through_the_cause() -> None:
    try:
        try:
            raise MemoryError("cannot allocate")
        except MemoryError as exc:
            raise TrialFailed("cannot build the model: MemoryError") from exc
    except TrialFailed as failed:
        assert devices.failure_reason(failed, {"units": 9}) is not None


def test_an_out_of_memory_trial_is_failed_with_its_params_and_the_search_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archsmith import tasks

    real = tasks.fit
    calls = {"n": 0}

    def first_runs_out(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise MemoryError("Unable to allocate 3.2 GiB for an array")
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "fit", first_runs_out)
    result = run_search(declaration(tmp_path), mixed_frame(80))
    states = [r.state.value for r in result.trials]
    assert states == ["FAILED", "COMPLETE", "COMPLETE"]
    reason = result.trials[0].attrs["reason"]
    assert reason.startswith("out of memory (host, MemoryError: Unable to allocate")
    assert "units=" in reason  # the params that ran out
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}")
    parent = client.get_run(result.run_id)
    assert parent.data.tags["archsmith.backend"].startswith(keras.backend.backend())
    assert (
        "CPU" in parent.data.tags["archsmith.devices"]
        or "GPU" in parent.data.tags["archsmith.devices"]
    )


SUBPROCESS_SEARCH = """
import json, resource, sys
from archsmith import builders, runner

real = builders.build_model


def build(*args, **kwargs):  # each model is built under a soft address-space limit
    status = open("/proc/self/status").read().split("VmSize:")[1].split()[0]
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (int(status) * 1024 + 400 * 2**20, hard))
    try:
        return real(*args, **kwargs)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


builders.build_model = build
result = runner.run_search(sys.argv[1])
for t in result.trials:
    print(json.dumps([t.state.value, t.params, t.attrs.get("reason", "")]))
"""


@pytest.mark.long  # make test-long (CI runs it): too long for make test's 15 minutes
@pytest.mark.slow
def test_a_model_too_big_for_the_process_memory_limit_fails_and_the_search_goes_on(
    tmp_path: Path,
) -> None:
    """A real allocation failure where no GPU is present: each model is built while the
    process may address only 400 MB more than it does (a soft ``RLIMIT_AS``); the weights
    of a 12000x12000 layer (576 MB) do not fit, those of an 8-unit model do."""
    pytest.importorskip("tensorflow")  # JAX's CPU client aborts on a failed allocation
    (tmp_path / "big.yaml").write_text(
        textwrap.dedent(
            """
            name: big
            for: [tabular]
            model:
              - dense_stack: {layers: 2, units: {type: choice, values: [12000, 8]}}
            optimizer: {name: sgd, learning_rate: 0.01}
            batch_size: 32
            """
        )
    )
    mixed_frame(64).to_csv(tmp_path / "data.csv", index=False)
    decl = declaration(tmp_path)
    decl["data"] = {"train": "data.csv", "validation": 0.25}
    # no build check before trial 0: it would build the big model outside the memory limit
    decl["search"].update(space="big.yaml", max_trials=4, seed=2, build_check="off")
    (tmp_path / "big_search.yaml").write_text(yaml.safe_dump(decl))
    out = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_SEARCH, str(tmp_path / "big_search.yaml")],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "KERAS_BACKEND": "tensorflow"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    trials = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("[")]
    assert len(trials) == 4
    big = [t for t in trials if 12000 in t[1].values()]
    small = [t for t in trials if 8 in t[1].values()]
    assert big and small, trials
    for state, _params, reason in big:
        assert state == "FAILED" and reason.startswith("out of memory"), reason
        assert "12000" in reason
    assert all(state == "COMPLETE" for state, _, _ in small), small


def _backend_in_child(tmp: Path, plugin: bool = True, **env: str) -> str:
    """``KERAS_BACKEND`` after ``import archsmith`` in a fresh process on a machine that
    looks like ``archsmith[gpu]`` on an NVIDIA host: an ``nvidia-smi`` on PATH and JAX's
    CUDA plugin importable (empty stand-ins: only their presence is read)."""
    (tmp / "bin").mkdir(exist_ok=True)
    smi = tmp / "bin" / "nvidia-smi"
    smi.write_text("#!/bin/sh\nexit 0\n")
    smi.chmod(0o755)
    (tmp / "site").mkdir(exist_ok=True)
    if plugin:
        (tmp / "site" / "jax_cuda12_plugin.py").write_text("")
    else:
        (tmp / "site" / "jax_cuda12_plugin.py").unlink(missing_ok=True)
    child = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    child.update(
        PATH=f"{tmp / 'bin'}{os.pathsep}{os.environ['PATH']}",
        PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{tmp / 'site'}",
        KERAS_HOME=str(tmp / "keras-home"),
        **env,
    )
    code = "import os, archsmith; print(os.environ.get('KERAS_BACKEND'))"
    out = subprocess.run([sys.executable, "-c", code], env=child, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_gpu_extra_makes_jax_the_default_backend_unless_the_user_chose(tmp_path: Path) -> None:
    assert _backend_in_child(tmp_path) == "jax"
    assert _backend_in_child(tmp_path, KERAS_BACKEND="tensorflow") == "tensorflow"
    (tmp_path / "keras-home").mkdir()
    (tmp_path / "keras-home" / "keras.json").write_text(json.dumps({"backend": "torch"}))
    assert _backend_in_child(tmp_path) == "None"  # keras.json names torch: Keras reads it
    # Keras writes keras.json with "tensorflow" on its first import: not a user's choice
    (tmp_path / "keras-home" / "keras.json").write_text(json.dumps({"backend": "tensorflow"}))
    assert _backend_in_child(tmp_path) == "jax"
    # the default install (no JAX CUDA plugin): nothing is set, TensorFlow stays
    assert _backend_in_child(tmp_path, plugin=False) == "None"
