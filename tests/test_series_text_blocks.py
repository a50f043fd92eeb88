"""Published time-series blocks, per-series z-normalisation and the TF-IDF text block."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest

from archsmith import builders
from archsmith.builders import build_model
from archsmith.builders import load_model
from archsmith.datasets import Target
from archsmith.datasets._arrays import sequence_schema
from archsmith.datasets._texts import text_schema
from archsmith.datasets._texts import tokens
from archsmith.runner import run_search
from archsmith.search_space import load_space
from archsmith.training._init import initialise_layers

TARGET = Target("y", "multiclass", classes=(0, 1, 2))
ADAM = {"name": "adam", "learning_rate": 1e-3}


def series(n: int = 24, steps: int = 32, channels: int = 2, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, steps, channels)) * 3 + 7).astype("float32")


def model_of(blocks: list[dict], schema, target: Target = TARGET) -> keras.Model:
    keras.utils.set_random_seed(0)
    return build_model({"model": blocks, "optimizer": ADAM}, schema, target)


def predict(model: keras.Model, x: dict) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(model(x, training=False)))


BLOCKS = {
    "fcn": {"fcn": {"filters": 8, "kernel": 8, "dropout": 0.0}},
    "resnet1d": {"resnet1d": {"blocks": 2, "filters": 4, "kernel": 8, "dropout": 0.1}},
    "inception": {
        "inception": {"depth": 3, "filters": 4, "kernel": 8, "bottleneck": 4, "residual": True}
    },
}


@pytest.mark.parametrize("name", list(BLOCKS))
def test_series_blocks_reload_in_safe_mode_with_identical_predictions(
    name: str, tmp_path: Path
) -> None:
    x = series()
    schema = sequence_schema(x)
    model = model_of([{"series_norm": {"mode": "series"}}, BLOCKS[name]], schema)
    feed = {schema.key: x}
    path = tmp_path / f"{name}.keras"
    model.save(path)
    again = load_model(path)
    np.testing.assert_allclose(predict(again, feed), predict(model, feed), rtol=1e-5, atol=1e-6)


def test_published_shapes() -> None:
    x = series(steps=64, channels=1)
    schema = sequence_schema(x)
    fcn = model_of([{"fcn": {"filters": 128, "kernel": 8, "dropout": 0.0}}], schema)
    convs = [layer for layer in fcn.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [(c.filters, c.kernel_size[0]) for c in convs] == [(128, 8), (256, 5), (128, 3)]
    resnet = model_of(
        [{"resnet1d": {"blocks": 3, "filters": 64, "kernel": 8, "dropout": 0.0}}], schema
    )
    wide = [c.filters for c in resnet.layers if isinstance(c, keras.layers.Conv1D)]
    assert sorted(set(wide)) == [64, 128] and wide.count(64) == 4  # 3 convs + 1 shortcut
    incep = model_of(
        [
            {
                "inception": {
                    "depth": 6,
                    "filters": 32,
                    "kernel": 40,
                    "bottleneck": 32,
                    "residual": True,
                }
            }
        ],
        schema,
    )
    sizes = {c.kernel_size[0] for c in incep.layers if isinstance(c, keras.layers.Conv1D)}
    assert {40, 20, 10, 1} <= sizes


def test_series_normalisation_makes_predictions_shift_and_scale_invariant(tmp_path: Path) -> None:
    x = series()
    schema = sequence_schema(x)
    model = model_of([{"series_norm": {"mode": "series"}}, BLOCKS["fcn"]], schema)
    model.save(tmp_path / "m.keras")
    exported = load_model(tmp_path / "m.keras")
    moved = 4.0 * x - 11.0  # every series shifted and scaled
    np.testing.assert_allclose(
        predict(exported, {schema.key: moved}),
        predict(exported, {schema.key: x}),
        rtol=1e-4,
        atol=1e-5,
    )
    # per dataset: the same copy gets other predictions
    plain = model_of([{"series_norm": {"mode": "dataset"}}, BLOCKS["fcn"]], schema)
    assert not np.allclose(predict(plain, {schema.key: moved}), predict(plain, {schema.key: x}))


CORPUS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog",
    "dogs and cats are friends",
    "the mat is red the log is brown",
    "a red cat",
]


def tfidf_model(ngrams: int, max_tokens: int = 1000, **kwargs) -> tuple[keras.Model, object]:
    schema = text_schema(pd.Series(CORPUS), "text")
    args = {"max_tokens": max_tokens, "ngrams": ngrams, "sublinear": False, "norm": "l2"}
    block = {"text_tfidf": {**args, "dropout": 0.0, **kwargs}}
    return model_of([block], schema, Target("y", "binary", classes=(0, 1))), schema


@pytest.mark.parametrize("ngrams", [1, 2, 3])
def test_tfidf_weights_match_scikit_learn(ngrams: int) -> None:
    """Comparable settings: the same tokens (archsmith's ``tokens``: lower case, Keras'
    punctuation stripped, split on whitespace), the same vocabulary, ``smooth_idf=True``,
    ``sublinear_tf=False``, ``norm="l2"`` (scikit-learn's defaults)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    model, schema = tfidf_model(ngrams)
    texts = np.asarray(CORPUS, dtype=object).reshape(-1, 1)
    initialise_layers(model, {schema.key: texts})
    layer = model.get_layer("archsmith_tfidf")
    features = predict(keras.Model(model.inputs, layer.output), {schema.key: texts})
    vocabulary = schema.vocabulary_for(ngrams, 1000)
    reference = TfidfVectorizer(
        tokenizer=tokens,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, ngrams),
        vocabulary=vocabulary,
    ).fit_transform(CORPUS)
    np.testing.assert_allclose(features, reference.toarray(), rtol=1e-5, atol=1e-6)


def test_linear_text_head_has_no_hidden_layer(tmp_path: Path) -> None:
    model, schema = tfidf_model(2)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert len(dense) == 1  # the head only: logistic regression on TF-IDF
    assert dense[0].input.shape[-1] == len(schema.vocabulary_for(2, 1000))
    texts = np.asarray(CORPUS, dtype=object).reshape(-1, 1)
    initialise_layers(model, {schema.key: texts})
    model.save(tmp_path / "t.keras")
    again = load_model(tmp_path / "t.keras")
    np.testing.assert_allclose(
        predict(again, {schema.key: texts}), predict(model, {schema.key: texts}), atol=1e-6
    )


@pytest.mark.parametrize("name", ["fcn", "resnet1d", "inception", "text_tfidf"])
def test_shipped_spaces_load(name: str) -> None:
    space = load_space(name, builders.CATALOG)
    assert space.name == name


def test_search_with_published_shape_and_reduced_learning_rate(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 16, 1)).astype("float32")
    y = (x[:, :8, 0].mean(axis=1) > x[:, 8:, 0].mean(axis=1)).astype(int)
    result = run_search(
        {
            "task": {"type": "classification"},
            "search": {"space": "fcn", "max_trials": 1, "engine": "random", "first_trials": False},
            "training": {"epochs": 2, "reduce_lr": {"patience": 1}},
            "tracking": {"uri": str(tmp_path / "mlruns")},
        },
        x,
        y,
    )
    assert result.best is not None


# -- series of different lengths: padding and masking (data.pad) ---------------------------
RNN = {
    "rnn": {
        "cell": "lstm",
        "units": 4,
        "layers": 1,
        "bidirectional": False,
        "dropout": 0.0,
        "recurrent_dropout": 0.0,
    }
}


def ragged(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(n, 2)) * 3 + 5).astype("float32") for n in (10, 16, 12, 16)]


#: one tiny block of each sequence family that takes padded series, after series_norm
PADDED = {
    "rnn": RNN,
    **BLOCKS,
    "conv1d": {
        "conv1d": {
            "style": "resnet",
            "filters": 4,
            "kernel": 5,
            "blocks": 1,
            "batch_norm": True,
            "dropout": 0.0,
            "activation": "relu",
            "pooling": "max",
        }
    },
    "transformer": {
        "transformer": {
            "blocks": 1,
            "heads": 2,
            "key_dim": 2,
            "ff_units": 4,
            "dropout": 0.0,
            "positional": "sinusoidal",
            "pooling": "last",
        }
    },
}


@pytest.mark.parametrize("name", list(PADDED))
def test_padded_series_are_masked_so_more_padding_does_not_change_a_prediction(
    name: str, tmp_path: Path
) -> None:
    from dataclasses import replace

    from archsmith.datasets._arrays import as_float_array

    xs = ragged()
    padded = as_float_array(xs, pad=True)
    schema = sequence_schema(padded)
    assert schema.padded and schema.shape == (16, 2) and np.isnan(padded[0, 10:]).all()
    blocks = [{"series_norm": {"mode": "series"}}, PADDED[name]]
    model = model_of(blocks, schema)
    model.save(tmp_path / "padded.keras")
    exported = load_model(tmp_path / "padded.keras")
    # the same weights on series padded to 40 steps: convolutions, batch norms, attention
    # and pooling see the real steps only, so the padding's length changes nothing
    longer = replace(schema, shape=(40, 2))
    more = model_of(blocks, longer)
    more.set_weights(model.get_weights())
    np.testing.assert_allclose(
        predict(exported, schema.model_inputs(xs[:2])),  # the first padded by 6 steps
        predict(more, longer.model_inputs(xs[:2])),  # by 30 and 24 steps
        rtol=1e-5,
        atol=1e-6,
    )


def test_series_of_different_lengths_without_padding_name_data_pad() -> None:
    from archsmith.datasets import load_dataset
    from archsmith.exceptions import DataError
    from archsmith.spec import load_experiment

    exp = load_experiment({"task": {"type": "classification"}})
    with pytest.raises(DataError, match=r"series 0|example 0 is \(10, 2\).*data\.pad: true"):
        load_dataset(ragged() * 4, [0, 1] * 8, task=exp.task, data=exp.data)


def test_series_norm_none_gives_the_raw_values() -> None:
    x = series()
    schema = sequence_schema(x)
    model = model_of([{"series_norm": {"mode": "none"}}, BLOCKS["fcn"]], schema)
    raw = keras.Model(model.inputs, model.get_layer("archsmith_series_raw").output)
    np.testing.assert_allclose(predict(raw, {schema.key: x}), x, rtol=1e-4, atol=1e-4)


def test_series_norm_auto_normalises_univariate_series_only() -> None:
    def normalised(channels: int) -> bool:
        schema = sequence_schema(series(n=4, steps=8, channels=channels))
        model = model_of([{"series_norm": {"mode": "auto"}}, BLOCKS["fcn"]], schema)
        return any(la.name == "archsmith_series_normalization" for la in model.layers)

    assert normalised(1) and not normalised(3)


def test_the_first_trials_of_the_default_searches_are_the_published_shapes() -> None:
    from archsmith.datasets import default_spaces

    def first(kind: str) -> list[dict]:
        return [dict(p) for p in load_space(default_spaces(kind), builders.CATALOG).first_trials]

    fcn, resnet, inception = first("sequence")
    assert (fcn["fcn.model.1.fcn.filters"], fcn["fcn.model.1.fcn.kernel"]) == (128, 8)
    assert resnet["resnet1d.model.1.resnet1d.blocks"] == 3
    assert resnet["resnet1d.model.1.resnet1d.filters"] == 64  # 64-128-128
    assert (
        inception["inception.model.1.inception.depth"],
        inception["inception.model.1.inception.filters"],
        inception["inception.model.1.inception.kernel"],
    ) == (6, 32, 40)
    # series_norm auto: each univariate series z-normalised, multivariate ones as a dataset
    points = zip(BLOCKS, (fcn, resnet, inception), strict=True)
    assert {p[f"{n}.model.0.series_norm.mode"] for n, p in points} == {"auto"}
    (tfidf,) = first("text")
    assert tfidf["family"] == "text_tfidf"  # the linear TF-IDF model first
    (small,) = first("image")
    assert small["family"] == "resnet" and small["resnet.model.1.resnet_stages.filters"] == 16
    assert default_spaces("sequence", "forecasting") == (
        "linear_forecast",
        "rnn",
        "conv1d",
        "transformer",
    )


def test_epochs_are_scaled_to_small_data_by_min_steps() -> None:
    from archsmith.spec import TrainingSpec
    from archsmith.training._schedule import scaled_to_data

    plain = TrainingSpec(epochs=50)
    assert scaled_to_data(plain, 40, 16) is plain  # min_steps unset: as declared
    small = TrainingSpec(epochs=50, min_steps=1500, early_stopping={"patience": 5})
    scaled = scaled_to_data(small, 40, 16)  # 3 steps an epoch -> 500 epochs
    assert scaled.epochs == 500 and scaled.early_stopping.patience == 50
    assert scaled_to_data(small, 1_000_000, 16).epochs == 50  # large data: as declared
    assert scaled_to_data(small, 8, 16).epochs == 1500  # 1 step an epoch
    assert scaled_to_data(TrainingSpec(min_steps=10**7), 8, 16).epochs == 2000  # the cap


def test_character_ngram_tfidf_learns_its_vocabulary_and_reloads(tmp_path: Path) -> None:
    model, schema = tfidf_model(1, max_tokens=64, analyzer="char", char_ngrams=3)
    texts = np.asarray(CORPUS, dtype=object).reshape(-1, 1)
    initialise_layers(model, {schema.key: texts})
    vocabulary = model.get_layer("archsmith_char_ngrams").get_vocabulary()
    assert "c a t" in vocabulary and len(vocabulary) == 64  # 2- and 3-grams of characters
    features = keras.Model(model.inputs, model.get_layer("archsmith_tfidf").output)
    rows = predict(features, {schema.key: texts})
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-5)
    assert len([la for la in model.layers if isinstance(la, keras.layers.Dense)]) == 1
    model.save(tmp_path / "c.keras")
    np.testing.assert_allclose(
        predict(load_model(tmp_path / "c.keras"), {schema.key: texts}),
        predict(model, {schema.key: texts}),
        atol=1e-6,
    )


def test_a_series_longer_than_the_padded_training_length_is_refused() -> None:
    from archsmith.datasets._arrays import as_float_array
    from archsmith.exceptions import DataError

    schema = sequence_schema(as_float_array(ragged(), pad=True))
    with pytest.raises(DataError, match=r"series 1 has 20 steps, longer than the 16"):
        schema.model_inputs([np.zeros((5, 2)), np.zeros((20, 2))])
