"""Data kinds (images, sequences, texts, multilabel, forecasting): inference, splits, errors.

No training here: these run in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from archsmith.datasets import ArraySchema
from archsmith.datasets import InputSchema
from archsmith.datasets import load_dataset
from archsmith.datasets import pooled
from archsmith.datasets import refit_rows
from archsmith.datasets import seasonal_naive
from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError
from archsmith.spec import load_experiment

ROOT = Path(__file__).resolve().parents[1]

TEXTS = [
    f"{text} (seen on day {i})"
    for i, text in enumerate(
        [
            "the movie was great fun",
            "an awful and boring film",
            "I loved the great acting",
            "a terrible plot, really boring",
            "wonderful story and great music",
            "dull characters and a boring end",
        ]
        * 4
    )
]
SENTIMENT = ["pos", "neg"] * 12


def load(x, y=None, task=None, **data):  # type: ignore[no-untyped-def]
    exp = load_experiment(task=task or {"type": "classification"}, data=data)
    return load_dataset(x, y, task=exp.task, data=exp.data)


def write_folder(root: Path, n: int = 30) -> Path:
    digits = load_digits()
    for i in range(n):
        label = int(digits.target[i])
        folder = root / f"digit{label}"
        folder.mkdir(parents=True, exist_ok=True)
        pixels = (digits.images[i] * 16).astype("uint8")
        Image.fromarray(pixels).save(folder / f"{i}.png")
    return root


# -- inference of the data kind ------------------------------------------------------------
def test_digits_images_are_images_with_channel_statistics() -> None:
    digits = load_digits()
    ds = load(digits.images, digits.target, test=0.2)
    assert ds.kind == "image" and isinstance(ds.schema, ArraySchema)
    assert ds.schema.shape == (8, 8, 1)
    assert ds.train.x["archsmith_image"].shape == (len(ds.train), 8, 8, 1)
    assert abs(ds.schema.mean[0] - digits.images.mean()) < 0.2
    # the flat table form (what the exported model and MLflow signature see) round-trips
    assert ds.test is not None and ds.test.frame.shape == (len(ds.test), 64)
    back = ds.schema.raw_inputs(ds.test.frame)["archsmith_image"]
    np.testing.assert_array_equal(back, ds.test.x["archsmith_image"])
    assert ds.describe()["kind"] == "image"


def test_rgb_images_and_3d_sequences_are_told_apart() -> None:
    rng = np.random.default_rng(0)
    y = np.arange(40) % 2
    assert load(rng.random((40, 16, 16, 3)), y).kind == "image"
    seq = load(rng.random((40, 30, 2)), y)
    assert seq.kind == "sequence" and seq.schema.shape == (30, 2)
    # a square 3-D array is a grey image unless data.kind says otherwise
    assert load(rng.random((40, 12, 12)), y).kind == "image"
    assert load(rng.random((40, 12, 12)), y, kind="sequence").kind == "sequence"


def test_texts_as_a_list_and_as_a_column() -> None:
    listed = load(TEXTS, SENTIMENT)
    assert listed.kind == "text" and listed.train.x["archsmith_text"].dtype == object
    frame = pd.DataFrame({"review": TEXTS, "label": SENTIMENT})
    column = load(frame, task={"type": "classification", "target": "label"})
    assert column.kind == "text" and column.schema.name == "review"
    schema = column.schema
    assert isinstance(schema, ArraySchema)
    assert "boring" in schema.vocabulary and "great" in schema.vocabulary
    # n-gram vocabularies: bigrams only when asked for, within max_tokens
    assert not any(" " in t for t in schema.vocabulary_for(1, 50))
    both = schema.vocabulary_for(2, 8)
    assert len(both) == 8 and any(" " in t for t in both)
    # a table of short categories stays tabular
    short = pd.DataFrame({"city": ["paris", "lyon"] * 10, "y": [0, 1] * 10})
    assert isinstance(
        load(short, task={"type": "classification", "target": "y"}).schema, InputSchema
    )


def test_image_folder_is_read_resized_with_class_names(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "digits")
    ds = load(None, train=str(root), image_size=(16, 16), color_mode="grayscale")
    assert ds.kind == "image" and ds.schema.shape == (16, 16, 1)
    assert set(ds.target.classes) <= {f"digit{i}" for i in range(10)}
    assert len(ds.target.classes) == 10


def test_schema_round_trips_through_json() -> None:
    ds = load(TEXTS, SENTIMENT)
    again = InputSchema.from_dict(ds.schema.to_dict())
    assert again == ds.schema


# -- targets -------------------------------------------------------------------------------
def test_multilabel_from_matrix_lists_and_strings() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3))
    matrix = pd.DataFrame({"red": [1, 0, 1] * 10, "blue": [0, 1, 1] * 10})
    ds = load(x, matrix, task={"type": "multilabel"})
    assert ds.target.kind == "multilabel" and ds.target.classes == ("red", "blue")
    assert ds.train.y.shape == (len(ds.train), 2)
    lists = load(x, [["a"], ["a", "b"], []] * 10, task={"type": "multilabel"})
    assert lists.target.classes == ("a", "b")
    assert sorted(map(tuple, lists.train.y.tolist()))[0] == (0.0, 0.0)
    joined = load(x, ["a|b", "b", ""] * 10, task={"type": "multilabel"})
    assert joined.target.classes == ("a", "b")


def test_forecasting_windows_split_in_time_order_with_a_naive_baseline() -> None:
    t = np.arange(200)
    series = np.sin(2 * np.pi * t / 12)
    ds = load(
        series,
        task={"type": "forecasting", "horizon": 3, "lookback": 24, "seasonality": 12},
        test=0.2,
    )
    assert ds.kind == "sequence" and ds.target.kind == "forecast"
    assert ds.train.x["archsmith_sequence"].shape[1:] == (24, 1)
    assert ds.train.y.shape[1] == 3 and ds.test is not None
    # a pure seasonal series: the seasonal-naive forecast is exact
    naive = seasonal_naive(ds.validation.x["archsmith_sequence"], 3, 12)
    np.testing.assert_allclose(naive, ds.validation.y, atol=1e-5)


def test_a_forecasting_refit_takes_every_window_before_the_test_cut() -> None:
    """The windows whose targets straddle the training and validation parts join a refit
    (``refit_rows``); none of its targets reaches the test part (time order kept)."""
    values = np.arange(100, dtype="float32")  # each window's values are its time steps
    task = {"type": "forecasting", "horizon": 3, "lookback": 10, "seasonality": 1}
    ds = load(values, task=task, validation=0.2, test=0.2)
    assert ds.between is not None and len(ds.between) == 2  # targets over step 60
    rows = refit_rows(ds)
    assert len(rows) == len(ds.train) + len(ds.validation) + 2
    origins = sorted(int(w[-1]) + 1 for w in rows.x["archsmith_sequence"][..., 0])
    assert origins == list(range(10, 78))  # every origin whose 3 targets end before step 80
    assert rows.y.max() == 79.0 and ds.test is not None and ds.test.y.min() == 80.0


def test_forecasting_folds_are_time_ordered_blocks_with_expanding_history() -> None:
    """``data.folds`` on forecasting: fold j validates on the j-th block of
    ``data.validation`` back from the test cut (the last one is the validation split) and
    trains on the windows whose targets end before that block."""
    values = np.arange(100, dtype="float32")  # each window's values are its time steps
    task = {"type": "forecasting", "horizon": 3, "lookback": 10, "seasonality": 1}
    ds = load(values, task=task, validation=0.2, test=0.2, folds=3)
    assert ds.time_folds is not None and len(ds.time_folds) == 3
    rows = pooled(ds)
    starts = rows.x["archsmith_sequence"][:, -1, 0] + 1  # each window's first target step
    for (kept, held), block in zip(ds.time_folds, (20, 40, 60), strict=True):
        assert sorted(starts[held]) == list(range(block, block + 18))  # targets inside
        assert rows.y[kept].max() < block  # history only
        assert starts[kept].min() == 10
    last_kept, last_held = ds.time_folds[-1]
    assert len(last_held) == len(ds.validation) and len(last_kept) == len(ds.train)
    with pytest.raises(
        SpecError, match=r"data.folds is 4: .*fold 1 no training window.*use at most 3 folds"
    ) as info:
        load(values, task=task, validation=0.2, test=0.2, folds=4)
    assert info.value.path == "data.folds"


def test_long_format_table_gives_windows_per_series() -> None:
    rows = [
        {"shop": s, "day": d, "sales": float(d % 7 + 10 * s)} for s in (1, 2) for d in range(60)
    ]
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # rows out of order
    task = {
        "type": "forecasting",
        "target": "sales",
        "series_id": "shop",
        "timestamp": "day",
        "horizon": 2,
        "lookback": 14,
        "seasonality": 7,
    }
    ds = load(frame, task=task)
    windows = ds.train.x["archsmith_sequence"][..., 0]
    # each window is one shop's consecutive days: sorted by timestamp, never mixing shops
    assert set(np.round(windows.max(axis=1) - windows.min(axis=1))) == {6.0}


# -- clear errors (acceptance 5) -----------------------------------------------------------
def test_images_with_mixed_shapes() -> None:
    images = [np.zeros((8, 8))] * 12 + [np.zeros((9, 8))]
    with pytest.raises(DataError, match=r"mixed shapes: example 0 is \(8, 8\) but example 12"):
        load(images, [0, 1] * 6 + [0])


def test_image_folder_with_mixed_sizes_names_two_files(tmp_path: Path) -> None:
    """Images of different sizes are not squashed to one silently: without a declared
    ``data.image_size`` the error names two of them; declared, every image is resized."""
    root = write_folder(tmp_path / "mixed", n=20)
    odd = root / "digit0" / "odd.png"
    Image.fromarray(np.zeros((20, 12, 3), dtype="uint8")).save(odd)
    with pytest.raises(
        DataError, match=r"images differ in size .*odd.png is 12x20.*data.image_size"
    ):
        load(str(root))
    ds = load(str(root), image_size=[16, 16])
    assert ds.train.x["archsmith_image"].shape[1:3] == (16, 16)


def test_text_column_with_non_strings() -> None:
    frame = pd.DataFrame({"review": [*TEXTS[:-1], 42], "label": SENTIMENT})
    with pytest.raises(DataError, match=r"'review' must hold strings.*row 23 holds 42 of type int"):
        load(frame, task={"type": "classification", "target": "label"}, kind="text")


def test_series_shorter_than_lookback_plus_horizon() -> None:
    task = {"type": "forecasting", "horizon": 6, "lookback": 24}
    with pytest.raises(DataError, match=r"has 20 values, shorter than lookback \+ horizon = 24"):
        load(np.arange(20.0), task=task)


def test_multilabel_target_with_one_label() -> None:
    with pytest.raises(DataError, match=r"has 1 label.*at least 2 labels"):
        load(np.zeros((20, 2)), [["spam"], []] * 10, task={"type": "multilabel"})


def test_image_folder_without_images(tmp_path: Path) -> None:
    (tmp_path / "empty" / "cats").mkdir(parents=True)
    (tmp_path / "empty" / "cats" / "notes.txt").write_text("no image here")
    with pytest.raises(DataError, match=r"has no images \(its sub-folders \['cats'\]\)"):
        load(None, train=str(tmp_path / "empty"))


def test_forecasting_declaration_checks_seasonality_against_lookback() -> None:
    with pytest.raises(SpecError, match="seasonality must be <= lookback"):
        load_experiment(task={"type": "forecasting", "lookback": 6, "seasonality": 12})


def test_family_example_data_is_what_make_family_data_writes(tmp_path: Path) -> None:
    import runpy

    runpy.run_path(str(ROOT / "examples" / "make_family_data.py"), run_name="not_main")["main"](
        tmp_path
    )
    for name in ("reviews.csv", "sales.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / name), pd.read_csv(ROOT / "examples" / "data" / name)
        )


# -- fingerprints --------------------------------------------------------------------------
def test_fingerprints_stay_what_earlier_searches_logged() -> None:
    # a search logs its dataset fingerprint and a resumed search checks it: the values of
    # every loader are pinned (computed before the loaders moved into one module per kind)
    n = 40
    table = pd.DataFrame(
        {"a": np.arange(n) * 0.5, "b": ["u", "v"] * (n // 2), "y": [0, 1, 2, 3] * (n // 4)}
    )
    images = (np.arange(n * 64).reshape(n, 8, 8) % 7).astype("float32")
    graphs = [
        {"edges": np.array([[0, 1], [1, 2]]), "features": np.full((3, 1), float(i))}
        for i in range(n)
    ]
    pairs = (np.arange(n * 3).reshape(n, 3) * 1.0, np.arange(n * 3).reshape(n, 3) * 2.0)
    flags = [0, 1] * (n // 2)
    assert load(table, task={"type": "classification", "target": "y"}).fingerprint == (
        "a4eb23d3e009fb2d"
    )
    assert load(images, flags, test=0.1).fingerprint == "82cd5febca9de0d3"
    assert load(graphs, flags).fingerprint == "fe682bd19f8ef0a2"
    assert load(pairs, flags, task={"type": "similarity"}).fingerprint == "20c6d6e6ed755578"
