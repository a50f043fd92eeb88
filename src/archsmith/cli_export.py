"""``archsmith export NAME PATH --format keras|savedmodel|tflite|onnx [--int8] [--data FILE]``.

``NAME`` is a search name (its latest search's model) or a registered model version
(``models:/NAME/VERSION``, ``models:/NAME/latest``); the model is read without running
anything from the store. ``--data`` rows (CSV, Parquet; flat columns for images and
sequences) calibrate ``--int8`` (the first 256) and check the export's outputs against
the Keras model (up to 256 rows).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

FORMATS = ("keras", "savedmodel", "tflite", "onnx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="search name, or a registered model models:/NAME/VERSION")
    parser.add_argument("path", help="file to write (the format's suffix is added if missing)")
    parser.add_argument("--format", choices=FORMATS, default="keras", help="default: keras")
    parser.add_argument(
        "--int8",
        action="store_true",
        help="tflite: int8 post-training quantisation calibrated on --data rows",
    )
    parser.add_argument(
        "--data",
        default=None,
        help="training rows (CSV/Parquet) to calibrate --int8 and check the export on",
    )


def run(args: argparse.Namespace, store: str) -> int:
    from archsmith.datasets import as_frame
    from archsmith.exceptions import ArchsmithError
    from archsmith.exports import CHECK_ROWS
    from archsmith.exports import export_file
    from archsmith.served import load_served
    from archsmith.tracking import open_tracker

    if args.format == "keras" and not args.name.startswith("models:/") and args.data is None:
        # the best trial's own file, as before
        source, trial = open_tracker(store).best_model_file(args.name)
        path = Path(args.path)
        path = path if path.suffix == ".keras" else path.with_suffix(".keras")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        print(
            f"trial {trial} of '{args.name}' exported to {path}; load it with "
            "archsmith.load_model (Keras safe mode)"
        )
        return 0
    if args.int8 and args.data is None:
        raise ArchsmithError("--int8 needs --data: training rows to calibrate the quantisation")
    served = load_served(args.name, store)
    rows = as_frame(args.data) if args.data is not None else None
    report = export_file(
        served.model,
        served.schema,
        served.target,
        args.path,
        args.format,
        int8=args.int8,
        calibration=rows,
        check=None if rows is None else rows.iloc[:CHECK_ROWS],
    )
    checked = (
        f"; max output difference from Keras {report.max_difference:.2g} on "
        f"{report.rows_checked} rows"
        if report.rows_checked
        else ""
    )
    if report.agreement is not None:
        checked += f", same label on {report.agreement:.1%}"
    print(
        f"'{args.name}' exported as {args.format}{' int8' if report.int8 else ''} to "
        f"{report.path} ({report.bytes} bytes){checked}"
    )
    return 0
