"""GAN on a generated 2-D mixture of four Gaussians; searched on the MMD of generated rows
(the shipped space chooses between the non-saturating and the Wasserstein-GP loss;
``--loss`` fixes one, in a copy of the space written to a temporary folder).

Usage:
    python examples/families/gan_mixture.py [--max-trials N] [--epochs N]
        [--loss non_saturating|wasserstein_gp]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from archsmith import AutoModel
from archsmith.search_space import shipped_spaces

CENTRES = np.array([[2.0, 2.0], [-2.0, 2.0], [2.0, -2.0], [-2.0, -2.0]])


def mixture(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """``n`` rows from four Gaussians (std 0.2) at the corners of a square."""
    rng = np.random.default_rng(seed)
    rows = CENTRES[rng.integers(0, len(CENTRES), n)] + rng.normal(0, 0.2, (n, 2))
    return pd.DataFrame(rows, columns=["u", "v"])


def modes_covered(rows: np.ndarray, radius: float = 0.6, share: float = 0.05) -> int:
    """How many centres have at least ``share`` of the rows within ``radius``."""
    near = np.linalg.norm(rows[:, None, :] - CENTRES[None], axis=-1)
    counts = np.bincount(near.argmin(axis=1)[near.min(axis=1) < radius], minlength=len(CENTRES))
    return int((counts >= share * len(rows)).sum())


def space_with_loss(loss: str, folder: Path) -> str:
    """The shipped ``gan`` space with ``loss`` fixed, written to ``folder``; its path."""
    shipped = shipped_spaces()["gan"]
    space = yaml.safe_load(shipped.read_text())
    space["name"] = f"gan_{loss}"
    space["model"][0]["gan"]["loss"] = loss
    path = folder / f"gan_{loss}.yaml"
    path.write_text(yaml.safe_dump(space, sort_keys=False))
    return str(path)


def main(argv: Sequence[str] | None = None) -> AutoModel:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--loss", choices=["non_saturating", "wasserstein_gp"], default=None)
    args = parser.parse_args(argv)

    space = "gan"
    if args.loss is not None:
        space = space_with_loss(args.loss, Path(tempfile.mkdtemp(prefix="archsmith-gan-")))
    model = AutoModel(
        task="generation",
        space=space,
        max_trials=args.max_trials,
        epochs=args.epochs,
        patience=10,
        name="gan-mixture",
    )
    model.fit(mixture())
    print("best params:", model.best_params_)
    print(f"validation mmd: {model.best_score_:.4f}")
    samples = model.predict(mixture(1000, seed=1))  # 1000 generated rows (inputs unused)
    print(f"modes covered: {modes_covered(samples)} of {len(CENTRES)}")
    return model


if __name__ == "__main__":
    main()
