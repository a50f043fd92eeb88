"""Issue 13 for tables: training knobs as space params, class weights and the tuned binary
threshold, group-aware and time-ordered splits, presets and the default tabular spaces.

One tiny search (2 trials of 2 epochs on generated rows) is shared by the assertions that
need a trained model; the rest check declarations, splits and Keras objects directly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from archsmith import AutoModel
from archsmith import training
from archsmith.builders import CATALOG
from archsmith.builders import load_model
from archsmith.datasets import default_spaces
from archsmith.datasets import load_dataset
from archsmith.exceptions import DataError
from archsmith.exceptions import SpecError
from archsmith.families.losses import SmoothedSparseCrossentropy
from archsmith.runner import run_search
from archsmith.search_space import load_space
from archsmith.served import load_served
from archsmith.spec import PRESETS
from archsmith.spec import load_experiment
from conftest import SHIPPED_DEFAULT_SPACES
from conftest import mixed_frame

KNOBS = """name: knobs
for: [tabular]
model:
  - dense_stack: {layers: 1, units: 8}
optimizer:
  name: sgd
  learning_rate: 0.05
  weight_decay: 0.001
  schedule: {type: choice, values: [cosine, plateau]}
label_smoothing: 0.1
batch_size: 32
"""


def imbalanced(n: int = 300) -> pd.DataFrame:
    """The mixed frame with few 'churn' rows and a group column (8 rows per customer)."""
    frame = mixed_frame(n)
    frame = pd.concat([frame[frame.y == "stay"], frame[frame.y == "churn"].head(40)])
    frame = frame.reset_index(drop=True)
    frame["customer"] = [f"c{i // 8}" for i in range(len(frame))]
    return frame


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("tables")
    (root / "knobs.yaml").write_text(KNOBS)
    frame = imbalanced()
    result = run_search(
        {
            "name": "tables",
            "preset": "fast",
            "task": {
                "type": "classification",
                "target": "y",
                "metric": "balanced_accuracy",
                "threshold": "tune",
            },
            "data": {"test": 0.2, "split": {"group": "customer"}},
            "search": {"max_trials": 2, "space": str(root / "knobs.yaml"), "seed": 0},
            "training": {"epochs": 2, "class_weight": "balanced"},
            "tracking": {"uri": str(root / "mlruns")},
        },
        frame,
    )
    return result, frame, root


def test_the_schedule_is_a_searched_param_and_every_knob_trains(searched) -> None:
    result, _, _ = searched
    assert [t.state.value for t in result.trials] == ["COMPLETE", "COMPLETE"]
    assert {t.params["optimizer.schedule"] for t in result.trials} <= {"cosine", "plateau"}


def test_the_preset_fills_what_the_declaration_leaves_out_and_is_recorded(searched) -> None:
    result, _, _ = searched
    exp = result.experiment
    assert exp.preset == "fast"
    assert (exp.search.max_trials, exp.training.epochs) == (2, 2)  # declared: they win
    assert exp.search.pruner == "median" and exp.training.early_stopping.patience == 5
    assert exp.search.time_budget == 90  # the preset's, over the default (none)
    params = MlflowClient(result.tracking_uri).get_run(result.run_id).data.params
    assert params["preset"] == "fast" and params["max_trials"] == "2"


def test_the_tuned_threshold_is_logged_and_served(searched) -> None:
    result, frame, root = searched
    threshold = result.dataset.target.threshold
    metrics = MlflowClient(result.tracking_uri).get_run(result.run_id).data.metrics
    assert metrics["decision_threshold"] == pytest.approx(threshold)
    assert "threshold.val.balanced_accuracy" in metrics
    served = load_served("tables", str(root / "mlruns"))
    rows = frame.drop(columns=["y", "customer"]).head(40)
    p = training.outputs(served.model, served.schema.raw_inputs(rows, served.strings)).reshape(-1)
    expected = np.where(p >= threshold, "stay", "churn")  # classes sorted: churn, stay
    assert served.target.threshold == pytest.approx(threshold)
    assert served.predict(rows).tolist() == expected.tolist()


def test_the_group_split_keeps_each_group_on_one_side(searched) -> None:
    result, frame, _ = searched
    dataset = load_dataset(
        frame.assign(copy=frame["customer"]),
        task=result.experiment.task,
        data=result.experiment.data,
    )
    sides = [set(s.frame["copy"]) for s in (dataset.train, dataset.validation, dataset.test)]
    assert all(sides) and not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    assert "customer" not in dataset.train.frame.columns  # the group is not a feature


def test_a_time_split_holds_out_the_latest_rows() -> None:
    frame = mixed_frame(300).assign(when=lambda f: np.arange(len(f)))
    frame["day"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame["when"], unit="D")
    frame["day"] = frame["day"].dt.strftime("%Y-%m-%d")  # dates as text: read as dates
    frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    exp = load_experiment(
        task={"type": "classification", "target": "y"},
        data={"test": 0.2, "split": {"time": "day"}},
    )
    dataset = load_dataset(frame, task=exp.task, data=exp.data)
    train, val, test = (s.frame["when"] for s in (dataset.train, dataset.validation, dataset.test))
    assert train.max() < val.min() and val.max() < test.min()
    assert len(test) == round(0.2 * len(frame))


@pytest.mark.parametrize(
    ("split", "change", "says"),
    [
        ({"group": "nope"}, {}, "data.split.group names column 'nope', which is not in the data"),
        ({"group": "one"}, {"one": "a"}, "data.split.group: column 'one' has 1 group(s)"),
        ({"time": "when"}, {"when": "soon"}, "data.split.time: column 'when' cannot be ordered"),
        ({"time": "when"}, {"when": None}, "data.split.time: column 'when' has 300 missing"),
    ],
)
def test_a_split_column_that_cannot_split_is_a_data_error_naming_the_field(
    split: dict[str, str], change: dict[str, object], says: str
) -> None:
    frame = mixed_frame(300).assign(**change)
    exp = load_experiment(task={"type": "classification", "target": "y"}, data={"split": split})
    with pytest.raises(DataError, match=re.escape(says)):
        load_dataset(frame, task=exp.task, data=exp.data)


def test_class_weights_balanced_a_mapping_and_their_errors() -> None:
    exp = load_experiment(task={"type": "classification"}, training={"class_weight": "balanced"})
    dataset = load_dataset(
        imbalanced(), task=exp.task.model_copy(update={"target": "y"}), data=exp.data
    )
    y = dataset.train.y
    weights = training.class_weights(exp.training, dataset.target, y)
    assert weights is not None and sum(weights[c] * (y == c).sum() for c in (0, 1)) == (
        pytest.approx(len(y))
    )
    assert weights[0] > 1 > weights[1]  # the rare class 'churn' weighs more
    mapping = load_experiment(exp, training={"class_weight": {"churn": 3}}).training
    assert training.class_weights(mapping, dataset.target, y) == {0: 3.0, 1: 1.0}
    wrong = load_experiment(exp, training={"class_weight": {"leave": 3}}).training
    with pytest.raises(SpecError, match="names \\['leave'\\], which are not classes"):
        training.class_weights(wrong, dataset.target, y)
    regression = load_experiment(
        task={"type": "regression", "target": "age"}, training={"class_weight": "balanced"}
    )
    values = load_dataset(
        mixed_frame().drop(columns="y").dropna(), task=regression.task, data=regression.data
    )
    with pytest.raises(SpecError, match=r"training\.class_weight weighs the classes"):
        training.class_weights(regression.training, values.target, values.train.y)


def test_the_cosine_schedule_decays_to_zero_over_the_epochs() -> None:
    exp = load_experiment(task={"type": "regression"}, training={"epochs": 4})
    config = {"optimizer": {"name": "adam", "learning_rate": 0.01, "schedule": "cosine"}}
    (cosine,) = training.schedule_callbacks(config, exp.training)
    rates = [cosine.schedule(e) for e in range(4)]
    assert rates[0] == pytest.approx(0.01) and rates == sorted(rates, reverse=True)
    plateau = {"optimizer": {"name": "adam", "schedule": "plateau"}}
    assert type(training.schedule_callbacks(plateau, exp.training)[0]).__name__ == (
        "ReduceLROnPlateau"
    )
    assert training.make_optimizer({"name": "sgd", "weight_decay": 0.01, "schedule": "cosine"})


def test_a_smoothed_sparse_loss_reloads_in_safe_mode(tmp_path: Path) -> None:
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(inputs))
    model.compile(optimizer="adam", loss=SmoothedSparseCrossentropy(0.1, 4))
    y = np.array([0, 1, 2, 3])
    loss = float(model.evaluate(np.eye(4, 3, dtype="float32"), y, verbose=0))
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.loss.label_smoothing == 0.1
    assert float(loaded.evaluate(np.eye(4, 3, dtype="float32"), y, verbose=0)) == (
        pytest.approx(loss, rel=1e-5)
    )


def test_presets_override_order_and_bad_values() -> None:
    task = {"type": "classification"}
    balanced = load_experiment(preset="balanced", task=task, training={"epochs": 5})
    assert (balanced.training.epochs, balanced.training.early_stopping.patience) == (5, 10)
    assert (balanced.search.max_trials, balanced.search.pruner) == (12, "median")
    plain = load_experiment(task=task)
    assert (plain.search.max_trials, plain.training.epochs) == (20, 50)  # defaults
    random = load_experiment(preset="best", task=task, search={"engine": "random"})
    assert random.search.pruner == "none"  # the random engine cannot prune
    with pytest.raises(SpecError, match=r"preset: unknown .*'balance'.*did you mean 'balanced'"):
        load_experiment(preset="balance", task=task)
    with pytest.raises(SpecError, match=r"task\.threshold: threshold: tune"):
        load_experiment(task={**task, "metric": "roc_auc", "threshold": "tune"})
    with pytest.raises(SpecError, match=r"data\.split: give exactly one of group"):
        load_experiment(task=task, data={"split": {"group": "a", "time": "b"}})


@pytest.mark.parametrize(
    "task,pooled",
    [
        ({"type": "forecasting", "horizon": 2}, (True, True, None)),  # no random folds
        ({"type": "anomaly_detection"}, (False, False, None)),
        ({"type": "clustering"}, (False, False, None)),
        ({"type": "regression"}, (True, True, 5)),
    ],
)
def test_presets_leave_out_the_pooling_a_task_cannot_take(
    task: dict[str, Any], pooled: tuple[bool, bool, int | None]
) -> None:
    for preset in PRESETS:
        exp = load_experiment(preset=preset, task=task)
        got = (exp.search.ensemble is not None, exp.search.refit, exp.data.folds)
        wanted = {"fast": (False, False, None), "balanced": (*pooled[:2], None), "best": pooled}
        assert got == wanted[preset], preset
        assert exp.search.max_trials == PRESETS[preset]["search"]["max_trials"]
        # forecasting trials take seconds, on noisy epoch curves: no pruner from a preset
        pruned = task["type"] != "forecasting"
        assert (exp.search.pruner != "none") == pruned, preset
    declared = load_experiment(preset="balanced", task=task, search={"pruner": "median"})
    assert declared.search.pruner == "median"  # a declared pruner always runs


def test_automodel_arguments_left_at_their_defaults_take_the_presets() -> None:
    exp = AutoModel(preset="balanced", epochs=7, tracking_uri="unused")._declaration(None)
    assert (exp.preset, exp.training.epochs, exp.search.max_trials) == ("balanced", 7, 12)
    assert exp.training.early_stopping.patience == 10
    assert AutoModel(tracking_uri="unused")._declaration(None).search.max_trials == 10


def test_the_default_table_spaces_are_realmlp_and_tabm_with_their_portfolio() -> None:
    assert SHIPPED_DEFAULT_SPACES["tabular"] == ("realmlp", "tabm")
    space = load_space(list(SHIPPED_DEFAULT_SPACES["tabular"]), CATALOG)
    assert [p["family"] for p in space.first_trials] == ["realmlp", "tabm"] * 2 + ["tabm"]
    assert default_spaces("image") == ("cnn", "resnet")
