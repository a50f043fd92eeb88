"""``archsmith explain NAME DATA``: which inputs the model of a search depends on
(permutation importance for tables, integrated gradients for images and sequences), logged
to the search's MLflow run and the top features printed. Kept apart from ``cli.py``; it
imports nothing heavy up front."""

from __future__ import annotations

import argparse

from archsmith.cli_support import Command
from archsmith.cli_support import existing_store
from archsmith.cli_support import positive_int


class Explain(Command):
    """The ``explain`` subcommand."""

    name = "explain"
    trains = True  # imports Keras: its backend's start-up lines are filtered first
    help = "explain the model of the latest search of an experiment on some data"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", help="experiment (declaration) name")
        parser.add_argument(
            "data",
            help="data like the training data: a CSV/Parquet table with the target column, "
            ".npz/.npy arrays, an image or a folder of images",
        )
        parser.add_argument(
            "--target", default=None, help="target column of a table (default: the search's)"
        )
        parser.add_argument(
            "--top", type=positive_int, default=10, help="features or positions to print"
        )
        parser.add_argument(
            "--tracking-uri",
            default="mlruns",
            help="MLflow store: a folder (default: mlruns) or a tracking URI",
        )

    def run(self, args: argparse.Namespace) -> int:
        import pandas as pd

        from archsmith.explain import explain_search

        store = existing_store(args.tracking_uri)
        explanation = explain_search(args.name, store, args.data, target=args.target)
        what = "columns" if explanation.attributions is None else "positions"
        print(f"{explanation.method.replace('_', ' ')}: the {args.top} most important {what}")
        with pd.option_context("display.width", 200, "display.float_format", "{:.4g}".format):
            print(explanation.top(args.top).to_string(index=False))
        print(f"logged to the search's run: {', '.join(explanation.files)}")
        return 0


__all__ = ["Explain"]
