"""One search per family of issue 7 (RBF, autoencoder, spiking, DBN, SOM, capsule, GAN,
Siamese, GNN, convolutional autoencoder, GAN with the Wasserstein-GP loss only): a row
each with the task, the metric, the best validation score, the trials and the wall time.

The data are those of the examples (``examples/families/``): a radial regression problem
for RBF, breast cancer with injected anomalies for the autoencoder, scikit-learn's digits
(64 numeric columns) for the spiking network, the DBN, the SOM and the capsule network, a
2-D mixture of four Gaussians for the GAN (``gan_wgan_gp``: the shipped ``gan`` space with
``loss`` fixed to ``wasserstein_gp``), the digits as 8x8 images (same/different pairs) for
the Siamese network, generated cycles and trees (graph classification) and a two-community
graph with noisy features (node classification) for the GNN, the 8x8 digit images with
digits 0-2 normal and 8 images of each other digit as anomalies for the convolutional
autoencoder. Everything is tracked in a fresh MLflow folder (a temporary one unless
``--store`` is given).

Usage:
    python benchmarks/families_tabular.py [--trials 10] [--epochs 30] [--only rbf,som]
        [--store DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from sklearn.datasets import load_digits

from archsmith.runner import run_search
from archsmith.search_space import shipped_spaces

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples" / "families"))

from autoencoder_anomalies import with_anomalies  # noqa: E402
from conv_autoencoder_digits import digits_with_anomalies  # noqa: E402
from gan_mixture import mixture  # noqa: E402
from gnn_cycles import cycles_and_trees  # noqa: E402
from gnn_cycles import two_communities  # noqa: E402
from rbf_radial import radial  # noqa: E402

#: rows whose family's space has another name (node classification with the gnn space)
SPACES = {"gnn_nodes": "gnn"}


def cases() -> dict[str, tuple[dict[str, Any], Any, Any]]:
    """Family -> (task, X, y)."""
    digits_x, digits_y = load_digits(return_X_y=True, as_frame=True)
    anomalies = with_anomalies()
    radial_x, radial_y = radial()
    return {
        "rbf": ({"type": "regression", "metric": "r2"}, radial_x, radial_y),
        "autoencoder": (
            {"type": "anomaly_detection", "metric": "roc_auc"},
            anomalies.drop(columns="anomaly"),
            anomalies["anomaly"],
        ),
        "spiking": ({"type": "classification", "metric": "accuracy"}, digits_x, digits_y),
        "dbn": ({"type": "classification", "metric": "accuracy"}, digits_x, digits_y),
        "som": ({"type": "clustering", "metric": "purity"}, digits_x, digits_y),
        "capsule": ({"type": "classification", "metric": "accuracy"}, digits_x, digits_y),
        "gan": ({"type": "generation", "metric": "mmd"}, mixture(), None),
        "siamese": (
            {"type": "similarity", "metric": "verification_accuracy"},
            load_digits().images,
            digits_y,
        ),
        "gnn": ({"type": "classification", "metric": "accuracy"}, *cycles_and_trees()),
        "gnn_nodes": ({"type": "classification", "metric": "accuracy"}, *two_communities()),
        "conv_autoencoder": (
            {"type": "anomaly_detection", "metric": "roc_auc"},
            *digits_with_anomalies(),
        ),
        "gan_wgan_gp": ({"type": "generation", "metric": "mmd"}, mixture(), None),
    }


def space(family: str, store: Path) -> str:
    """The space of a row: the shipped one of its name, or a variant written to ``store``."""
    if family != "gan_wgan_gp":
        return SPACES.get(family, family)
    shipped = yaml.safe_load((shipped_spaces()["gan"]).read_text())
    shipped["name"] = family
    shipped["model"][0]["gan"]["loss"] = "wasserstein_gp"
    path = store / f"{family}.yaml"
    path.write_text(yaml.safe_dump(shipped, sort_keys=False))
    return str(path)


#: validation fraction of each row (the anomaly rows keep more anomalies to score)
VALIDATION = {"autoencoder": 0.3, "conv_autoencoder": 0.4}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--only", default=None, help="comma-separated families")
    parser.add_argument("--store", default=None, help="tracking folder (default: temporary)")
    args = parser.parse_args()

    store = Path(args.store or tempfile.mkdtemp(prefix="archsmith-families-"))
    store.mkdir(parents=True, exist_ok=True)
    rows = []
    for family, (task, x, y) in cases().items():
        if args.only and family not in args.only.split(","):
            continue
        start = time.perf_counter()
        result = run_search(
            {
                "name": f"bench-{family}",
                "task": task,
                "data": {"validation": VALIDATION.get(family, 0.2)},
                "search": {"space": space(family, store), "max_trials": args.trials},
                "training": {"epochs": args.epochs, "early_stopping": {"patience": 5}},
                "tracking": {"uri": str(store / "mlruns")},
            },
            x,
            y,
        )
        wall = time.perf_counter() - start
        done = sum(r.state.value == "COMPLETE" for r in result.trials)
        best = result.best.value if result.best else float("nan")
        rows.append((family, task["type"], task["metric"], best, done, len(result.trials), wall))
        print(f"{family}: best {task['metric']} {best:.4f} in {wall:.0f} s", flush=True)
    print(f"\nepochs {args.epochs} (early stopping patience 5), tracking in {store}\n")
    print("| Family | Task | Metric | Best validation score | Trials (complete/run) | Wall time |")
    print("|--------|------|--------|-----------------------|-----------------------|-----------|")
    for family, kind, metric, best, done, total, wall in rows:
        print(f"| {family} | {kind} | {metric} | {best:.4f} | {done}/{total} | {wall:.0f} s |")


if __name__ == "__main__":
    main()
