"""NumPy data files (.npz, .npy) named by a declaration, and tables that mix text with columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from archsmith.datasets import Dataset
from archsmith.datasets import load_dataset
from archsmith.exceptions import DataError
from archsmith.spec import load_experiment

ROOT = Path(__file__).resolve().parents[1]


def load(folder: Path, train: str, task: str = "classification", **data: object) -> Dataset:
    exp = load_experiment(task={"type": task}, data={"train": train, **data})
    return load_dataset(None, task=exp.task, data=exp.data, base_dir=folder)


def test_npz_sequences_images_texts_and_declared_keys(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    series = rng.normal(size=(60, 12, 2)).astype("float32")
    np.savez(tmp_path / "series.npz", x=series, y=y)
    ds = load(tmp_path, "series.npz")
    assert ds.kind == "sequence" and ds.schema.shape == (12, 2)
    assert len(ds.train) + len(ds.validation) == 60
    # (N, T) arrays are tables unless the declaration says they are sequences
    np.savez(tmp_path / "flat.npz", inputs=series[..., 0], labels=y)
    assert load(tmp_path, "flat.npz", x_key="inputs", y_key="labels").kind == "tabular"
    flat = load(tmp_path, "flat.npz", x_key="inputs", y_key="labels", kind="sequence")
    assert flat.kind == "sequence" and flat.schema.shape == (12, 1)
    np.savez(tmp_path / "images.npz", x=rng.integers(0, 255, (60, 8, 8), dtype="uint8"), y=y)
    assert load(tmp_path, "images.npz").schema.shape == (8, 8, 1)
    texts = np.array(["a fine film indeed"] * 30 + ["a dull film sadly"] * 30)
    np.savez(tmp_path / "texts.npz", x=texts, y=np.array(["pos"] * 30 + ["neg"] * 30))
    assert load(tmp_path, "texts.npz").kind == "text"
    labels = (rng.random((60, 3)) > 0.5).astype(int)
    np.savez(tmp_path / "tags.npz", x=series, y=labels)
    classes = load(tmp_path, "tags.npz", "multilabel").target.classes
    assert classes == ("label_0", "label_1", "label_2")
    # one series in an .npy file serves forecasting, which takes no target array
    np.save(tmp_path / "sales.npy", np.sin(np.arange(200) / 3.0) + 5)
    exp = load_experiment(
        task={"type": "forecasting", "horizon": 3, "lookback": 12, "seasonality": 6},
        data={"train": "sales.npy"},
    )
    windows = load_dataset(None, task=exp.task, data=exp.data, base_dir=tmp_path)
    assert windows.train.x["archsmith_sequence"].shape[1:] == (12, 1)


@pytest.mark.parametrize(
    ("arrays", "data", "message"),
    [
        (
            {"inputs": np.zeros((20, 4, 1)), "y": np.zeros(20)},
            {},
            "has no array 'x' for the inputs (data.x_key); it holds ['inputs', 'y']",
        ),
        (
            {"x": np.zeros((20, 4, 1)), "y": np.zeros(20)},
            {"y_key": "label"},
            "has no array 'label' for the targets (data.y_key); it holds ['x', 'y']",
        ),
        (
            {"x": np.zeros(20), "y": np.zeros(20)},
            {},
            "array 'x' (data.x_key) has shape (20,), but the inputs must hold one example per row",
        ),
        (
            {"x": np.zeros((20, 2, 2, 2, 2)), "y": np.zeros(20)},
            {},
            "has shape (20, 2, 2, 2, 2), but the inputs must hold one example per row",
        ),
        (
            {"x": np.zeros((20, 4, 1)), "y": np.zeros((20, 2))},
            {},
            "array 'y' (data.y_key) has shape (20, 2); the targets of a classification task "
            "must have shape (N,)",
        ),
        (
            {"x": np.zeros((20, 4, 1)), "y": np.zeros(18)},
            {},
            "the inputs hold 20 examples but array 'y' holds 18 targets",
        ),
        (
            {"x": np.array([{"a": 1}] * 20, dtype=object), "y": np.zeros(20)},
            {},
            "array 'x' holds Python objects, which NumPy can only load by unpickling",
        ),
    ],
)
def test_npz_errors_name_the_file_and_the_array(
    tmp_path: Path, arrays: dict, data: dict, message: str
) -> None:
    np.savez(tmp_path / "d.npz", **arrays)
    with pytest.raises(DataError) as err:
        load(tmp_path, "d.npz", **data)
    assert message in str(err.value)
    assert str(tmp_path / "d.npz") in str(err.value)


def test_npy_and_unreadable_files(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.zeros((20, 4, 1)))
    with pytest.raises(DataError, match=r"an \.npy file holds one array .*np\.savez"):
        load(tmp_path, "x.npy")
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(DataError, match=r"junk\.npz is not a NumPy \.npz file"):
        load(tmp_path, "junk.npz")
    # a pickled .npy is refused before anything is unpickled
    np.save(tmp_path / "obj.npy", np.array([object()] * 3, dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="does not unpickle data files"):
        load(tmp_path, "obj.npy", "clustering")
    with pytest.raises(DataError, match="data file not found"):
        load(tmp_path, "none.npz")


def test_a_table_mixing_a_text_column_with_other_columns_is_refused() -> None:
    frame = pd.read_csv(ROOT / "examples" / "data" / "reviews.csv")
    frame["length"] = frame["review"].str.len()
    exp = load_experiment(task={"type": "classification", "target": "sentiment"})
    with pytest.raises(DataError) as err:
        load_dataset(frame.drop(columns=["tags"]), task=exp.task, data=exp.data)
    message = str(err.value)
    assert "column(s) ['review'] hold free text" in message
    assert "mixes a text column with other columns is not supported" in message
    assert "data.drop" in message and "data.kind: tabular" in message
    # what the message advises works: the text alone is a text dataset ...
    alone = load_experiment(
        task={"type": "classification", "target": "sentiment"},
        data={"drop": ["tags", "length"]},
    )
    assert load_dataset(frame, task=alone.task, data=alone.data).kind == "text"
    # ... and data.kind: tabular reads the reviews as categories (they repeat)
    tabular = load_experiment(
        task={"type": "classification", "target": "sentiment"},
        data={"drop": ["tags"], "kind": "tabular"},
    )
    ds = load_dataset(frame, task=tabular.task, data=tabular.data)
    assert [c.kind for c in ds.schema.columns] == ["categorical", "numeric"]
