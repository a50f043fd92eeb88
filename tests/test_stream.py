"""Tables larger than memory: ``data.stream`` reads a CSV/Parquet file in batches.

The cheap checks read files without training; one search (marked ``long``: minutes)
trains on a CSV four times larger than the memory growth it is allowed, measured as peak
RSS (``RLIMIT_AS`` cannot
be used: TensorFlow reserves far more address space than it touches; see
``tests/stream_memory.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from archsmith.datasets import load_dataset
from archsmith.datasets._base import split_of
from archsmith.datasets._stream import streamed
from archsmith.exceptions import DataError
from archsmith.spec import load_experiment
from conftest import mixed_frame
from stream_memory import peak_growth
from stream_memory import write_table


def _load(folder: Path, train: str, task: str = "classification", **data):  # type: ignore[no-untyped-def]
    exp = load_experiment(
        {
            "name": "s",
            "task": {"type": task, "target": "y"},
            "data": {"train": train, "test": 0.1, **data},
        }
    )
    return load_dataset(None, task=exp.task, data=exp.data, base_dir=folder), exp.data


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tables")
    frame = mixed_frame(3000)
    frame.to_csv(folder / "t.csv", index=False)
    frame.to_parquet(folder / "t.parquet")
    return folder


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_a_streamed_table_is_split_sampled_and_batched_without_loading_it(
    tables: Path, name: str
) -> None:
    dataset, data = _load(tables, name, stream=True, stream_sample=500)
    assert dataset.stream is not None
    rows = dataset.stream.rows
    assert sum(rows) == 3000
    assert abs(rows[1] / 3000 - 0.2) < 0.03 and abs(rows[2] / 3000 - 0.1) < 0.03
    # statistics and the in-memory splits come from bounded samples
    assert len(dataset.train) == len(dataset.validation) == 500
    assert dataset.describe()["rows_train"] == rows[0]
    assert set(dataset.target.classes) == {"churn", "stay"}
    # one pass of batches gives every training row once, in batches of the asked size
    sizes = [len(y) for _, y in dataset.stream.batches(256)]
    assert sum(sizes) == rows[0] and set(sizes[:-1]) == {256}
    first_x, _ = next(dataset.stream.batches(256))
    assert set(first_x) == set(dataset.train.x)
    # the same rows fall in the same split on every pass (a hash of position and seed)
    assert np.array_equal(split_of(0, 3000, data), split_of(0, 3000, data))


def test_streaming_is_automatic_above_a_size_and_can_be_switched_off(tables: Path) -> None:
    _, data = _load(tables, "t.csv")
    assert not streamed(tables / "t.csv", data)  # 1 GiB by default
    _, small = _load(tables, "t.csv", stream_above_mb=0.01)
    assert streamed(tables / "t.csv", small)
    _, off = _load(tables, "t.csv", stream=False, stream_above_mb=0.01)
    assert not streamed(tables / "t.csv", off)
    dataset, _ = _load(tables, "t.csv", stream=False)
    assert dataset.stream is None and len(dataset.train) + len(dataset.validation) == 2700


def test_streamed_tables_refuse_what_they_cannot_read(tables: Path) -> None:
    with pytest.raises(DataError, match=r"data\.stream reads tables of"):
        _load(tables, "t.csv", task="multilabel", stream=True)
    with pytest.raises(DataError, match="target column 'nope' not found"):
        exp = load_experiment(
            {
                "name": "s",
                "task": {"type": "classification", "target": "nope"},
                "data": {"train": "t.csv", "stream": True},
            }
        )
        load_dataset(None, task=exp.task, data=exp.data, base_dir=tables)
    # a streamed file is split as it is read: no folds, no group or time split
    with pytest.raises(DataError, match=r"data\.folds: .*t\.csv is streamed"):
        _load(tables, "t.csv", stream=True, folds=3)
    with pytest.raises(DataError, match=r"data\.split: .*cannot be split by group"):
        _load(tables, "t.csv", stream=True, split={"group": "city"})
    bad = mixed_frame(3000)
    bad.loc[2900, "income"] = np.inf  # beyond the sample: found while batching
    bad.to_csv(tables / "bad.csv", index=False)
    dataset, _ = _load(tables, "bad.csv", stream=True, stream_sample=500)
    with pytest.raises(DataError, match="income"):
        for _ in dataset.stream.batches(256):
            pass


@pytest.mark.long  # minutes: two searches over a 192 MiB file (make test-all)
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux peak RSS")
def test_training_on_a_csv_larger_than_the_memory_it_may_use(tmp_path: Path) -> None:
    allowed = 48 * 2**20  # the growth of resident memory the search may cost
    write_table(tmp_path / "big.csv", 4 * allowed / 2**20)  # four times that
    size = (tmp_path / "big.csv").stat().st_size
    assert size > 3.5 * allowed
    used = peak_growth(tmp_path, "big.csv", stream=True)
    grown = used["peak"] - used["base"]
    print(f"\nstreamed {size / 2**20:.0f} MiB: peak RSS grew {grown / 2**20:.1f} MiB")
    assert used["rows"]["rows_train"] > 0.6 * sum(
        used["rows"][f"rows_{s}"] for s in ("train", "validation", "test")
    )
    assert grown < allowed, (
        f"peak RSS grew {grown / 2**20:.0f} MiB on a {size / 2**20:.0f} MiB file"
    )


def test_a_streamed_image_folder_reads_its_images_per_batch(tmp_path: Path) -> None:
    from PIL import Image

    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (tmp_path / "img" / label).mkdir(parents=True)
        for i in range(30):
            pixels = rng.integers(0, 255, (12, 10, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / "img" / label / f"{i}.png")
    dataset, _ = _load(tmp_path, "img", stream=True, image_size=[8, 8], stream_sample=100)
    assert dataset.stream is not None and dataset.kind == "image"
    assert sum(dataset.stream.rows) == 60 and dataset.stream.rows[1] == len(dataset.validation)
    sizes = []
    for x, y in dataset.stream.batches(16):
        assert x[dataset.schema.key].shape[1:] == (8, 8, 3) and len(y) == len(x[dataset.schema.key])
        sizes.append(len(y))
    assert sum(sizes) == dataset.stream.rows[0]
    _, auto = _load(tmp_path, "img", image_size=[8, 8], stream_above_mb=0.01)
    assert streamed(tmp_path / "img", auto)  # 60 decoded 8x8x3 float32 images > 10 KiB
