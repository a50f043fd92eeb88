"""What archsmith trains on: the Keras backend, its devices, and GPU-only settings.

Everything here asks the backend itself (``tf.config``, ``jax.devices()``,
``torch.cuda``) and is imported lazily: importing this module imports no backend.
GPU settings (memory growth, no preallocation, mixed precision) are applied only where
the backend sees a GPU, so a CPU search is unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from archsmith.exceptions import SpecError

#: Exception class names (anywhere in the exception's class hierarchy) that mean the trial
#: ran out of memory: TensorFlow, JAX/XLA, PyTorch, and Python's own.
OUT_OF_MEMORY_TYPES = frozenset(
    {"ResourceExhaustedError", "OutOfMemoryError", "MemoryError", "OutOfMemory"}
)
#: Text in an exception's message that means out of memory (XLA raises a generic
#: ``XlaRuntimeError`` / ``JaxRuntimeError`` with this status).
OUT_OF_MEMORY_TEXT = ("RESOURCE_EXHAUSTED", "CUDA out of memory", "out of memory")


@dataclass(frozen=True)
class Device:
    """One device a backend trains on.

    Attributes:
        kind: ``CPU`` or ``GPU``.
        name: the model name as the backend reports it (``NVIDIA H100 80GB HBM3``).
        memory_bytes: total memory of the device, if known.
    """

    kind: str
    name: str
    memory_bytes: int | None = None

    def __str__(self) -> str:
        memory = f", {self.memory_bytes / 2**30:.1f} GiB" if self.memory_bytes else ""
        return f"{self.kind} {self.name}{memory}"


@dataclass(frozen=True)
class Environment:
    """The backend archsmith will train with, its devices and why.

    Attributes:
        backend: ``tensorflow``, ``jax`` or ``torch``.
        version: the backend package's version.
        chosen_by: why that backend (``KERAS_BACKEND=jax``, a ``keras.json``, the default).
        devices: what the backend will place the models on, GPUs first.
        notes: why there is no GPU, or GPU settings applied.
    """

    backend: str
    version: str
    chosen_by: str
    devices: tuple[Device, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def gpus(self) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.kind == "GPU")

    def summary(self) -> str:
        """One line: ``jax 0.4.30 on GPU NVIDIA H100 (79.1 GiB)``."""
        shown = self.gpus or self.devices
        where = "; ".join(str(d) for d in shown) or "CPU"
        return f"{self.backend} {self.version} on {where}"

    def lines(self) -> list[str]:
        """What ``archsmith env`` prints."""
        out = [
            f"backend: {self.backend} {self.version} ({self.chosen_by})",
            "devices:",
            *(f"  {d}" for d in self.devices),
        ]
        out.append(f"trains on: {'GPU' if self.gpus else 'CPU'}")
        out += [f"note: {n}" for n in self.notes]
        return out

    def params(self) -> dict[str, str]:
        """What the search's parent run records (``backend``, ``devices``)."""
        return {"backend": f"{self.backend} {self.version}", "devices": self.summary()}


def _backend_choice() -> tuple[str, str]:
    """The backend Keras will load and why, read the way Keras reads it (no import)."""
    name = os.environ.get("KERAS_BACKEND")
    if name:
        return name, f"KERAS_BACKEND={name}"
    home = os.environ.get("KERAS_HOME") or str(Path.home() / ".keras")
    config = Path(home) / "keras.json"
    try:
        chosen = json.loads(config.read_text()).get("backend")
    except (OSError, ValueError, AttributeError):
        chosen = None
    if chosen and chosen != "tensorflow":
        return str(chosen), f"set in {config}"
    if gpu_extra_installed():
        return "jax", (
            "archsmith[gpu]: JAX with CUDA on an NVIDIA GPU, the installed TensorFlow is "
            "CPU-only; set KERAS_BACKEND=tensorflow to keep TensorFlow"
        )
    if chosen:  # Keras writes keras.json with its default backend on its first import
        return str(chosen), f"set in {config}"
    return "tensorflow", "Keras' default; set KERAS_BACKEND to change it"


def gpu_extra_installed() -> bool:
    """Whether ``pip install 'archsmith[gpu]'`` made JAX the way to this machine's GPU:
    JAX's CUDA plugin is installed, the NVIDIA driver is there, and TensorFlow is the
    CPU-only build (``tensorflow-cpu``, the default install; its files are the
    ``tensorflow`` package, so the CUDA build cannot be added beside it). Imports nothing."""
    import importlib.metadata
    import importlib.util

    if importlib.util.find_spec("jax_cuda12_plugin") is None or not nvidia_hardware():
        return False
    try:
        importlib.metadata.version("tensorflow-cpu")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def select_backend() -> None:
    """Set ``KERAS_BACKEND`` to the backend :func:`environment` reports, before Keras is
    imported, when archsmith (not the user) chooses it: ``archsmith[gpu]`` on a machine
    with an NVIDIA GPU (see :func:`gpu_extra_installed`). Anything the user set wins."""
    import sys

    if "keras" in sys.modules or os.environ.get("KERAS_BACKEND"):
        return
    name, why = _backend_choice()
    if why.startswith("archsmith[gpu]"):
        os.environ["KERAS_BACKEND"] = name


def nvidia_hardware() -> bool:
    """Whether this machine has an NVIDIA GPU and driver (no backend imported)."""
    return Path("/dev/nvidiactl").exists() or shutil.which("nvidia-smi") is not None


def _cpu() -> Device:
    name = "cpu"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        memory: int | None = int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        memory = None
    return Device("CPU", f"{name} ({os.cpu_count()} cores)", memory)


def _no_gpu_note(backend: str, built_with_cuda: bool, fix: str) -> str:
    hidden = os.environ.get("CUDA_VISIBLE_DEVICES")
    if hidden is not None and hidden.strip() in ("", "-1"):
        return f"CUDA_VISIBLE_DEVICES={hidden!r} hides every GPU"
    if not nvidia_hardware():
        return "no NVIDIA GPU on this machine (no /dev/nvidiactl, no nvidia-smi)"
    if not built_with_cuda:
        return f"an NVIDIA GPU is present but the installed {backend} has no CUDA support: {fix}"
    return f"an NVIDIA GPU is present but {backend} does not see it: check the driver and CUDA"


def _tensorflow() -> tuple[str, list[Device], list[str]]:
    import tensorflow as tf

    devices = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        devices.append(Device("GPU", str(details.get("device_name", gpu.name)), None))
    notes = []
    if not devices:
        notes.append(
            _no_gpu_note(
                "TensorFlow",
                tf.test.is_built_with_cuda(),
                "pip install 'tensorflow[and-cuda]' (see README, GPU)",
            )
        )
    return tf.__version__, devices, notes


def _jax() -> tuple[str, list[Device], list[str]]:
    import jax

    devices = []
    for device in jax.devices():
        if device.platform != "gpu":
            continue
        stats = device.memory_stats() or {}
        memory = stats.get("bytes_limit")
        devices.append(Device("GPU", str(device.device_kind), int(memory) if memory else None))
    notes = []
    if not devices:
        try:
            import jax_cuda12_plugin  # noqa: F401

            cuda = True
        except ImportError:
            cuda = False
        notes.append(_no_gpu_note("JAX", cuda, "pip install 'jax[cuda12]'"))
    return jax.__version__, devices, notes


def _torch() -> tuple[str, list[Device], list[str]]:
    import torch

    devices = []
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            devices.append(Device("GPU", str(props.name), int(props.total_memory)))
    notes = []
    if not devices:
        cuda = torch.version.cuda is not None
        notes.append(_no_gpu_note("PyTorch", cuda, "install a CUDA build of torch"))
    return str(torch.__version__), devices, notes


_PROBES = {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}


def _nvidia_memory() -> list[int]:
    """Total memory of each GPU from ``nvidia-smi`` (TensorFlow does not report it)."""
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        return [int(float(line)) * 2**20 for line in out.split()]
    except (OSError, subprocess.SubprocessError, ValueError):
        return []


_environment: Environment | None = None


def environment(refresh: bool = False) -> Environment:
    """The backend archsmith trains with and the devices it sees (asked once per process)."""
    global _environment
    if _environment is not None and not refresh:
        return _environment
    backend, chosen_by = _backend_choice()
    prepare_gpu_memory()
    probe = _PROBES.get(backend)
    notes: list[str] = []
    gpus: list[Device] = []
    version = "?"
    if probe is None:
        notes.append(f"unknown backend {backend!r}")
    else:
        try:
            version, gpus, notes = probe()
        except ImportError as exc:
            notes.append(f"{backend} is not installed: {exc}")
    if backend == "tensorflow" and gpus and all(g.memory_bytes is None for g in gpus):
        totals = _nvidia_memory()
        if len(totals) == len(gpus):
            gpus = [Device(g.kind, g.name, m) for g, m in zip(gpus, totals, strict=True)]
    if gpus:
        notes.extend(_GPU_NOTES.get(backend, ()))
    _environment = Environment(backend, version, chosen_by, (*gpus, _cpu()), tuple(notes))
    return _environment


_GPU_NOTES = {
    "tensorflow": ("GPU memory grows as needed (tf.config memory growth)",),
    "jax": ("no GPU memory preallocation (XLA_PYTHON_CLIENT_PREALLOCATE=false)",),
    "torch": ("PyTorch's CUDA cache is emptied after every trial",),
}


def gpu_visible() -> bool:
    """Whether the Keras backend sees at least one GPU."""
    return bool(environment().gpus)


def prepare_gpu_memory() -> None:
    """Keep GPU memory from growing over a search; nothing happens without a GPU.

    JAX: no preallocation of 75 % of the card (``XLA_PYTHON_CLIENT_PREALLOCATE=false``,
    effective when JAX has not used a device yet; a value the user set is kept).
    TensorFlow: memory growth on every GPU (only possible before the GPU is first used).
    """
    if not nvidia_hardware():
        return
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    if _backend_choice()[0] != "tensorflow":
        return
    try:
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
    except (ImportError, RuntimeError, ValueError):  # RuntimeError: GPU already initialised
        return


def release_gpu_memory() -> None:
    """Return the trial's cached GPU memory to the device (PyTorch; no-op elsewhere)."""
    if _environment is None or not _environment.gpus or _environment.backend != "torch":
        return
    import torch

    torch.cuda.empty_cache()


def mixed_precision_policy(requested: bool) -> str | None:
    """The Keras dtype policy for ``training.mixed_precision`` (None when not requested).

    ``mixed_bfloat16`` on GPUs with bfloat16 tensor cores (compute capability 8.0 and
    later: A100, H100 …), ``mixed_float16`` on older ones.

    Raises:
        SpecError: mixed precision requested but the backend sees no GPU (on CPU it is
            slower than float32, not faster).
    """
    if not requested:
        return None
    env = environment()
    if not env.gpus:
        why = "; ".join(env.notes) or "no GPU"
        raise SpecError(
            f"true needs a GPU, but the {env.backend} backend sees none ({why}); mixed "
            "precision on a CPU is slower than float32: remove it or run on a GPU machine",
            path="training.mixed_precision",
        )
    return "mixed_bfloat16" if _bfloat16_capable() else "mixed_float16"


def _bfloat16_capable() -> bool:
    """Compute capability >= 8.0 on the first GPU, asked of the backend."""
    backend = environment().backend
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpu = tf.config.list_physical_devices("GPU")[0]
            major = tf.config.experimental.get_device_details(gpu).get("compute_capability")
            return bool(major) and int(major[0]) >= 8
        if backend == "torch":
            import torch

            return int(torch.cuda.get_device_capability(0)[0]) >= 8
        if backend == "jax":
            import jax

            capability = getattr(jax.devices("gpu")[0], "compute_capability", "0")
            return float(capability) >= 8.0
    except (ImportError, IndexError, ValueError, TypeError, RuntimeError):
        return False
    return False


def set_precision(policy: str | None) -> None:
    """Set Keras' global dtype policy for the models built next (``float32`` for None)."""
    import keras

    keras.config.set_dtype_policy(policy or "float32")


def float32_outputs(model: Any) -> Any:
    """Make the layers that produce a model's outputs compute in float32.

    Under a mixed policy every layer computes in float16/bfloat16; the output layer (the
    softmax or the regression head) computes in float32 so predictions, losses and saved
    models keep float32 outputs. Its weights are float32 under mixed policies already.
    """
    for tensor in getattr(model, "outputs", None) or ():
        history = getattr(tensor, "_keras_history", None)
        if history is not None:
            history[0].dtype_policy = "float32"
    return model


def out_of_memory(exc: BaseException) -> bool:
    """Whether an exception means the trial ran out of (GPU or host) memory."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & OUT_OF_MEMORY_TYPES:
        return True
    text = str(exc)
    return any(marker in text for marker in OUT_OF_MEMORY_TEXT) and "Error" in type(exc).__name__


def out_of_memory_reason(exc: BaseException, params: Mapping[str, Any]) -> str | None:
    """``out of memory (…): params …`` for an out-of-memory error, else None."""
    if not out_of_memory(exc):
        return None
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    where = "GPU" if _environment is not None and _environment.gpus else "host"
    return f"out of memory ({where}, {type(exc).__name__}: {first}); params: {shown}"


def failure_reason(exc: BaseException, params: Mapping[str, Any]) -> str | None:
    """The out-of-memory reason of a failed trial (the error or what caused it), else None."""
    seen: BaseException | None = exc
    while seen is not None:
        reason = out_of_memory_reason(seen, params)
        if reason is not None:
            return reason
        seen = seen.__cause__
    return None


__all__ = [
    "OUT_OF_MEMORY_TEXT",
    "OUT_OF_MEMORY_TYPES",
    "Device",
    "Environment",
    "environment",
    "failure_reason",
    "float32_outputs",
    "gpu_visible",
    "jit_compile",
    "mixed_precision_policy",
    "nvidia_hardware",
    "out_of_memory",
    "out_of_memory_reason",
    "prepare_gpu_memory",
    "release_gpu_memory",
    "set_precision",
]


def jit_compile(requested: bool) -> bool | str:
    """The ``jit_compile`` argument of ``model.compile`` for ``training.jit_compile``.

    TensorFlow and PyTorch get the declared value (False: TensorFlow graph mode, PyTorch
    eager). JAX has no compiled mode without XLA: ``False`` would run every training step
    op by op: 6 times the fit seconds of compiling it once per trial (churn search,
    docs/architecture.md#backends), so JAX always gets Keras' ``"auto"``
    (``jax.jit`` whenever the model supports it).
    """
    import keras

    if keras.backend.backend() == "jax":
        return "auto"
    return requested
