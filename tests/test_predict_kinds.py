"""Predict on every data kind that fit takes (issue 16, item 4): an image folder and image
files, ``.npz`` sequences, texts in a CSV and as a list, through ``AutoModel.predict`` and
``archsmith predict``, with clear errors for data of the wrong kind or shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from archsmith import AutoModel
from archsmith.cli import main
from archsmith.exceptions import DataError


def write_digits(root: Path, n: int = 60) -> Path:
    """``n`` 8x8 digits (classes 0 and 1) as PNG files, one sub-folder per class."""
    digits = load_digits(n_class=2)
    for i in range(n):
        folder = root / f"digit{int(digits.target[i])}"
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((digits.images[i] * 16).astype("uint8")).save(folder / f"{i:03d}.png")
    return root


def declaration(name: str, space: str, store: str) -> dict:
    """A 1-trial, 1-epoch search of one space (no build check: the trial builds it)."""
    return {
        "name": name,
        "task": {"type": "classification"},
        "search": {"space": [space], "max_trials": 1, "build_check": "off"},
        "training": {"epochs": 1},
        "tracking": {"uri": store},
    }


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory):
    """One tiny search on an image folder (1 trial, 2 epochs), shared by the tests."""
    root = tmp_path_factory.mktemp("images")
    folder = write_digits(root / "digits")
    declaration = {
        "name": "digits-folder",
        "task": {"type": "classification"},
        "data": {"image_size": [8, 8], "color_mode": "grayscale"},
        "search": {"space": ["cnn"], "max_trials": 1, "build_check": "off"},
        "training": {"epochs": 2},
        "tracking": {"uri": str(root / "mlruns")},
    }
    model = AutoModel(experiment=declaration, verbose=0)
    model.fit(str(folder))
    return model, folder, root


def test_predict_on_an_image_folder_and_files(images) -> None:
    model, folder, _ = images
    labels = model.predict(str(folder))
    assert labels.shape == (60,)
    assert set(labels) <= {"digit0", "digit1"}
    assert (labels == model.predict(folder)).all()  # a Path as well as a string
    one = next(iter(sorted((folder / "digit1").glob("*.png"))))
    assert model.predict(str(one)).shape == (1,)
    # a folder with no class sub-folders is read as it is
    assert model.predict(folder / "digit0").shape == (len(list((folder / "digit0").glob("*"))),)


def test_cli_predicts_an_image_folder_with_a_file_column(images, capsys) -> None:
    model, folder, root = images
    code = main(["predict", "digits-folder", str(folder), "--tracking-uri", str(root / "mlruns")])
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "file,prediction"
    rows = [line.split(",") for line in out[1:]]
    assert len(rows) == 60 and rows[0][0].endswith(".png")
    expected = model.predict(str(folder))
    assert [r[1] for r in rows] == list(expected)
    # explain: integrated gradients per pixel, the top positions printed and logged
    store = str(root / "mlruns")
    assert main(["explain", "digits-folder", str(folder / "digit1"), "--tracking-uri", store]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "integrated gradients: the 10 most important positions"
    assert out[1].split() == ["row", "column", "channel", "mean_abs_attribution"]
    assert out[-1].startswith("logged to the search's run: explain/integrated_gradients.csv")


def test_wrong_images_and_unknown_files_are_clear_errors(images, tmp_path: Path, capsys) -> None:
    model, _, root = images
    with pytest.raises(DataError, match=r"shape \(4, 4, 1\).*\(8, 8, 1\)"):
        model.predict(np.zeros((2, 4, 4, 1)))
    odd = tmp_path / "rows.xyz"
    odd.write_text("1,2\n")
    with pytest.raises(DataError, match="unknown kind of data file"):
        model.predict(str(odd))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="has no images"):
        model.predict(empty)
    store = str(root / "mlruns")
    assert main(["predict", "digits-folder", str(odd), "--tracking-uri", store]) == 2
    assert "unknown kind of data file" in capsys.readouterr().err


def test_predict_on_npz_sequences(tmp_path: Path, capsys) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 12, 1)).astype("float32")
    y = (x[:, :6, 0].mean(axis=1) > 0).astype(int)
    np.savez(tmp_path / "train.npz", x=x, y=y)
    store = str(tmp_path / "mlruns")
    model = AutoModel(experiment=declaration("seq", "conv1d", store), verbose=0)
    model.fit(str(tmp_path / "train.npz"))
    np.savez(tmp_path / "new.npz", x=x[:5])
    assert (model.predict(str(tmp_path / "new.npz")) == model.predict(x[:5])).all()
    np.save(tmp_path / "new.npy", x[:5, :, 0])  # (N, T): one channel
    assert model.predict(str(tmp_path / "new.npy")).shape == (5,)
    assert main(["predict", "seq", str(tmp_path / "new.npz"), "--tracking-uri", store]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "prediction" and len(out) == 6
    explanation = model.explain(str(tmp_path / "new.npz"))  # integrated gradients
    assert explanation.method == "integrated_gradients"
    assert explanation.attributions is not None and explanation.attributions.shape == (5, 12, 1)
    assert list(explanation.table.columns) == ["step", "channel", "mean_abs_attribution"]
    np.savez(tmp_path / "bad.npz", x=x[:5, :8])
    with pytest.raises(DataError, match=r"shape \(8, 1\).*\(12, 1\)"):
        model.predict(str(tmp_path / "bad.npz"))


def test_predict_on_texts_from_a_csv_and_a_list(tmp_path: Path, capsys) -> None:
    good = ["great fun film", "lovely acting and story", "a joy to watch", "superb cast"]
    bad = ["dull and slow", "awful plot", "boring mess of a film", "waste of time"]
    texts = (good + bad) * 4
    frame = pd.DataFrame({"review": texts, "y": (["pos"] * 4 + ["neg"] * 4) * 4})
    store = str(tmp_path / "mlruns")
    model = AutoModel(experiment=declaration("texts", "text_bag", store), verbose=0)
    model.fit(frame["review"], frame["y"])  # a Series of texts, named like its column
    assert model.predict(["superb fun", "awful mess"]).shape == (2,)
    frame[["review"]].head(3).to_csv(tmp_path / "new.csv", index=False)
    assert model.predict(str(tmp_path / "new.csv")).shape == (3,)
    assert main(["predict", "texts", str(tmp_path / "new.csv"), "--tracking-uri", store]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    pd.DataFrame({"other": ["a", "b"], "more": ["c", "d"]}).to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(DataError, match="no text column 'review'"):
        model.predict(str(tmp_path / "x.csv"))
