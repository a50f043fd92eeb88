"""Write the small example tables in examples/data/ (run once; the files are committed).

- churn.csv: a generated customer-churn table with numeric, categorical-string, boolean
  columns and missing values; the target ``churned`` ("yes"/"no") follows a known rule plus
  noise, so a good model reaches about 0.85 ROC AUC.
- wine.csv: scikit-learn's bundled wine recognition data as a CSV (target column ``cultivar``).

Usage:
    python examples/make_data.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_wine


def churn(n: int = 1200, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    contract = rng.choice(["month-to-month", "one-year", "two-year"], n, p=[0.55, 0.25, 0.2])
    payment = rng.choice(["electronic", "mailed-check", "bank-transfer", "credit-card"], n)
    tenure = rng.integers(0, 72, n).astype(float)
    monthly = np.round(rng.normal(65, 25, n).clip(18, 120), 2)
    calls = rng.poisson(1.5, n)
    paperless = rng.random(n) < 0.6
    senior = rng.random(n) < 0.16
    logit = (
        -1.0
        + 1.6 * (contract == "month-to-month")
        - 1.2 * (contract == "two-year")
        - 0.045 * tenure
        + 0.02 * (monthly - 65)
        + 0.45 * calls
        + 0.6 * (payment == "electronic")
        + 0.4 * senior
    )
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "contract": contract,
            "payment_method": payment,
            "support_calls": calls,
            "paperless_billing": paperless,
            "senior": senior,
            "churned": np.where(churned, "yes", "no"),
        }
    )
    frame.loc[rng.random(n) < 0.05, "tenure_months"] = np.nan
    frame.loc[rng.random(n) < 0.04, "payment_method"] = np.nan
    return frame


def wine() -> pd.DataFrame:
    data = load_wine(as_frame=True)
    frame = data.frame.rename(columns={"target": "cultivar"})
    frame["cultivar"] = frame["cultivar"].map(dict(enumerate(data.target_names)))
    return frame


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    churn().to_csv(out / "churn.csv", index=False)
    wine().to_csv(out / "wine.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "data")
