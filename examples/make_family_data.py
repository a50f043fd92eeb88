"""Write the small example data of the image, text and time-series families (committed).

- reviews.csv: short generated film reviews (column ``review``) and their ``sentiment``
  (pos/neg), decided by the opinion words they contain (with negations), plus ``tags``:
  the topics each review mentions, joined by ``|`` (a multilabel target).
- sales.csv: long-format daily sales of three shops (``shop``, ``day``, ``sales``) with a
  weekly season, a trend and noise: a forecasting example.

Usage:
    python examples/make_family_data.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

GOOD = ["great", "wonderful", "superb", "moving", "brilliant", "delightful"]
BAD = ["awful", "boring", "dull", "clumsy", "tedious", "weak"]
TOPICS = {
    "acting": ["acting", "cast", "performances"],
    "music": ["music", "score", "soundtrack"],
    "story": ["story", "plot", "script"],
}


def reviews(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        positive = bool(rng.random() < 0.5)
        topics = [t for t in TOPICS if rng.random() < 0.45] or [str(rng.choice(list(TOPICS)))]
        parts = []
        for topic in topics:
            noun = str(rng.choice(TOPICS[topic]))
            negate = rng.random() < 0.2
            word = str(rng.choice(BAD if positive == negate else GOOD))
            parts.append(f"the {noun} was {'not ' if negate else ''}{word}")
        rows.append(
            {
                "review": " and ".join(parts).capitalize() + ".",
                "sentiment": "pos" if positive else "neg",
                "tags": "|".join(topics),
            }
        )
    return pd.DataFrame(rows)


def sales(days: int = 240, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    week = np.array([1.0, 0.9, 0.95, 1.05, 1.3, 1.6, 0.7])
    rows = []
    for shop, level in (("north", 120.0), ("south", 80.0), ("east", 200.0)):
        for day in range(days):
            value = level * week[day % 7] * (1 + day / 1000) + rng.normal(0, 0.05 * level)
            rows.append({"shop": shop, "day": day, "sales": round(float(value), 2)})
    return pd.DataFrame(rows)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    reviews().to_csv(out / "reviews.csv", index=False)
    sales().to_csv(out / "sales.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "data")
