"""Image classification on scikit-learn's 8x8 digits with the image families.

No space is given, so AutoModel searches the image defaults: a choice between the `cnn`
and `resnet` families (the `family` param of each trial says which one it used).

Usage:
    python examples/digits_images.py [--max-trials N] [--epochs N]
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from archsmith import AutoModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()

    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.images, digits.target, test_size=0.2, random_state=0, stratify=digits.target
    )
    model = AutoModel(max_trials=args.max_trials, epochs=args.epochs, name="digits-images")
    model.fit(x_train, y_train)  # (N, 8, 8) arrays: images
    print(model.leaderboard_[["trial", "state", "score", "family"]].to_string(index=False))
    print(f"test accuracy: {model.score(x_test, y_test):.4f}")
    print("predicted:", model.predict(x_test[:10]), "true:", y_test[:10])


if __name__ == "__main__":
    main()
