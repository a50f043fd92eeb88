"""Keras imported with TensorFlow's C++ start-up lines filtered out of standard error.

Used by the command line before a training command and by ``archsmith.AutoModel`` (and the
other names of ``archsmith`` that load Keras), so that neither a search's terminal output
nor a notebook shows "oneDNN custom operations are on ..." and the like. Imports nothing
heavy itself.
"""

from __future__ import annotations

import os
import sys
import tempfile

# TensorFlow's C++ start-up lines. TF_CPP_MIN_LOG_LEVEL=2 no longer hides them: TensorFlow
# 2.21 writes them through absl before its log level is read.
_STARTUP_NOISE = (
    "All log messages before absl::InitializeLog()",
    "oneDNN custom operations are on",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "To enable the following instructions",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
    "TF-TRT Warning: Could not find TensorRT",
)


def import_backend_quietly() -> None:
    """Import Keras (and so its backend) with TensorFlow's start-up lines filtered out of
    standard error; every other line written meanwhile is passed on.

    The lines come from C++ code, so they are caught at the file-descriptor level: standard
    error goes to a temporary file during the import, then the file is replayed without
    them. ``TF_CPP_MIN_LOG_LEVEL`` is set to 2 first unless the user set it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "keras" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as caught:
        os.dup2(caught.fileno(), 2)
        try:
            import keras  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            lines = caught.read().decode("utf-8", "replace").splitlines(keepends=True)
    kept = [line for line in lines if not any(n in line for n in _STARTUP_NOISE)]
    if kept:
        sys.stderr.write("".join(kept))
        sys.stderr.flush()


__all__ = ["import_backend_quietly"]
