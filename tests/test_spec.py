"""Declaration loading (YAML file, mapping, keyword arguments) and its error messages."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from archsmith.exceptions import SpecError
from archsmith.spec import ClassificationTask
from archsmith.spec import Experiment
from archsmith.spec import RegressionTask
from archsmith.spec import load_experiment
from archsmith.spec import parse_yaml


def write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str, name: str = "x.yaml") -> SpecError:
    path = write(tmp_path, text, name)
    with pytest.raises(SpecError) as info:
        load_experiment(path)
    return info.value


# -- loading ----------------------------------------------------------------------------------


def test_load_from_yaml_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: houses\n"
        "task:\n"
        "  type: regression\n"
        "  target: price\n"
        "  metric: mae\n"
        "data:\n"
        "  train: houses.csv\n"
        "  validation: 0.25\n"
        "  drop: [id]\n"
        "search:\n"
        "  engine: random\n"
        "  max_trials: 7\n"
        "  time_budget: 20m\n"
        "training:\n"
        "  epochs: 3\n"
        "  early_stopping: null\n",
    )
    exp = load_experiment(path)
    assert isinstance(exp.task, RegressionTask)
    assert exp.name == "houses"
    assert exp.task.target == "price"
    assert exp.task.metric == "mae"
    assert exp.data.train == "houses.csv"
    assert exp.data.validation == 0.25
    assert exp.data.drop == ("id",)
    assert exp.search.engine == "random"
    assert exp.search.max_trials == 7
    assert exp.search.time_budget == 1200.0
    assert exp.training.epochs == 3
    assert exp.training.early_stopping is None
    assert exp.source == str(path)
    assert exp.base_dir == tmp_path.resolve()
    assert exp.direction == "minimize"


def test_load_from_str_path_equals_path(tmp_path: Path) -> None:
    path = write(tmp_path, "task: {type: classification, target: y}\n")
    assert load_experiment(str(path)) == load_experiment(path)


def test_load_from_mapping() -> None:
    exp = load_experiment(
        {"task": {"type": "classification", "target": "label"}, "search": {"max_trials": 3}}
    )
    assert isinstance(exp.task, ClassificationTask)
    assert exp.task.target == "label"
    assert exp.task.metric == "accuracy"
    assert exp.search.max_trials == 3
    assert exp.source is None
    assert exp.direction == "maximize"


def test_load_from_keyword_arguments() -> None:
    exp = load_experiment(
        name="kw", task={"type": "classification", "metric": "log_loss"}, search={"seed": None}
    )
    assert exp.name == "kw"
    assert exp.task.metric == "log_loss"
    assert exp.search.seed is None
    # log_loss is minimised although it is a classification metric
    assert exp.direction == "minimize"


def test_keyword_arguments_replace_sections_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "task: {type: regression}\nsearch: {max_trials: 3, engine: random}\n")
    exp = load_experiment(path, search={"max_trials": 9})
    assert exp.search.max_trials == 9
    # the whole section is replaced, not merged
    assert exp.search.engine == "optuna"
    assert exp.source == str(path)


def test_experiment_is_returned_as_is_or_with_replaced_sections() -> None:
    exp = load_experiment(task={"type": "classification", "target": "y"}, search={"max_trials": 3})
    assert load_experiment(exp) is exp
    changed = load_experiment(exp, search={"max_trials": 5})
    assert changed.search.max_trials == 5
    assert changed.task == exp.task
    assert exp.search.max_trials == 3


def test_experiment_is_frozen() -> None:
    exp = load_experiment(task={"type": "regression"})
    with pytest.raises(pydantic.ValidationError):
        exp.search = None  # type: ignore[misc]


def test_defaults() -> None:
    exp = load_experiment(task={"type": "regression"})
    assert exp.search.engine == "optuna"
    assert exp.search.algorithm is None
    assert exp.search.space == ("mlp",)
    assert exp.task.metric == "rmse"
    assert exp.direction == "minimize"
    assert exp.name == "archsmith"
    assert exp.experiment_name == "archsmith"
    assert exp.data.validation == 0.2
    assert exp.data.test == 0.0
    assert exp.training.early_stopping is not None
    assert exp.training.early_stopping.patience == 5
    assert exp.tracking.uri == "mlruns"


def test_tracking_experiment_overrides_name() -> None:
    exp = load_experiment(name="a", task={"type": "regression"}, tracking={"experiment": "b"})
    assert exp.experiment_name == "b"


@pytest.mark.parametrize(
    ("given", "seconds"),
    [
        ("20m", 1200.0),
        ("1h30m", 5400.0),
        ("90s", 90.0),
        ("1.5h", 5400.0),
        ("2h 5m 3s", 7503.0),
        (90, 90.0),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_durations(given: object, seconds: float | None) -> None:
    exp = load_experiment(task={"type": "regression"}, search={"time_budget": given})
    assert exp.search.time_budget == seconds


@pytest.mark.parametrize("given", ["abc", "m", "20 minutes", "10ms"])
def test_unreadable_duration(given: str) -> None:
    with pytest.raises(SpecError) as info:
        load_experiment(task={"type": "regression"}, search={"time_budget": given})
    assert info.value.path == "search.time_budget"
    assert f"cannot read {given!r} as a duration" in str(info.value)


def test_zero_duration_is_rejected() -> None:
    with pytest.raises(SpecError, match=r"search\.time_budget: input should be greater than 0"):
        load_experiment(task={"type": "regression"}, search={"time_budget": 0})


def test_space_string_becomes_tuple() -> None:
    exp = load_experiment(task={"type": "regression"}, search={"space": "mlp"})
    assert exp.search.space == ("mlp",)
    several = load_experiment(task={"type": "regression"}, search={"space": ["mlp", "x.yaml"]})
    assert several.search.space == ("mlp", "x.yaml")


def test_empty_space_list_is_rejected() -> None:
    with pytest.raises(SpecError, match=r"search\.space"):
        load_experiment(task={"type": "regression"}, search={"space": []})


# -- errors -----------------------------------------------------------------------------------


def test_spec_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        load_experiment(task={"type": "regression", "metrik": "rmse"})


def test_unknown_key_with_did_you_mean_and_file_line(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task:\n  type: regression\n  metrik: rmse\n")
    path = str(tmp_path / "x.yaml")
    assert str(err).startswith(f"{path}:3: task.metrik: unknown key 'metrik'")
    assert "did you mean 'metric'?" in str(err)
    assert "expected one of: metric, target, type" in str(err)
    assert err.line == 3
    assert err.path == "task.metrik"
    assert err.file == path
    assert len(err.issues) == 1
    assert err.issues[0].line == 3


def test_unknown_key_relative_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "name: n\ntask:\n  type: regression\n  metrik: rmse\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as info:
        load_experiment("x.yaml")
    assert str(info.value).startswith("x.yaml:4: task.metrik: unknown key 'metrik'")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task: {type: regression}\nserch:\n  max_trials: 3\n")
    assert err.path == "serch"
    assert err.line == 2
    assert "did you mean 'search'?" in str(err)


def test_unknown_key_from_mapping_has_no_file() -> None:
    with pytest.raises(SpecError) as info:
        load_experiment({"task": {"type": "regression", "metrik": "rmse"}})
    err = info.value
    assert str(err).startswith("task.metrik: unknown key 'metrik'")
    assert err.file is None
    assert err.line is None


def test_error_in_keyword_section_is_not_attributed_to_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "task:\n  type: regression\nsearch:\n  max_trials: 3\n")
    with pytest.raises(SpecError) as info:
        load_experiment(path, task={"type": "regression", "metrik": "rmse"})
    assert info.value.path == "task.metrik"
    assert info.value.line is None


def test_wrong_type(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task: {type: regression}\nsearch:\n  max_trials: many\n")
    assert err.path == "search.max_trials"
    assert err.line == 3
    assert "valid integer" in str(err)
    assert "'many'" in str(err)


def test_invalid_literal_with_did_you_mean(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task: {type: regression}\nsearch:\n  algorithm: tpee\n")
    assert err.path == "search.algorithm"
    assert err.line == 3
    assert "got 'tpee'; expected one of: tpe, random" in str(err)
    assert "did you mean 'tpe'?" in str(err)


def test_metric_of_the_other_task_is_rejected() -> None:
    with pytest.raises(SpecError) as info:
        load_experiment(task={"type": "regression", "metric": "accuracy"})
    assert info.value.path == "task.metric"
    assert "expected one of: rmse, mae, r2" in str(info.value)


def test_the_metric_table_is_the_declaration_s_metrics() -> None:
    from typing import get_args

    from archsmith.spec import METRICS
    from archsmith.spec import Experiment
    from archsmith.spec._models import Task

    models = get_args(get_args(Task)[0])
    assert {get_args(m.model_fields["type"].annotation)[0] for m in models} == set(METRICS)
    for task, row in METRICS.items():
        exp = Experiment.model_validate({"task": {"type": task}})
        assert exp.task.metric == next(iter(row))  # the first metric is the default
        for metric, way in row.items():
            exp = Experiment.model_validate({"task": {"type": task, "metric": metric}})
            assert exp.direction == ("maximize" if way == "max" else "minimize")


def test_unknown_task_type(tmp_path: Path) -> None:
    err = load_error(tmp_path, "name: t\ntask:\n  type: clasification\n")
    assert err.path == "task.type"
    assert err.line == 3
    assert "unknown type 'clasification'" in str(err)
    assert "did you mean 'classification'?" in str(err)


def test_missing_task_type() -> None:
    with pytest.raises(SpecError) as info:
        load_experiment(task={"target": "y"})
    assert info.value.path == "task.type"
    assert "required field is missing" in str(info.value)


def test_missing_task(tmp_path: Path) -> None:
    err = load_error(tmp_path, "search:\n  max_trials: 3\n")
    assert err.path == "task"
    assert "required field is missing" in str(err)


def test_validation_plus_test_must_leave_training_rows(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task: {type: regression}\ndata:\n  validation: 0.5\n  test: 0.5\n")
    assert err.path == "data"
    assert err.line == 2
    assert "validation + test must be < 1" in str(err)
    assert "validation=0.5 and test=0.5" in str(err)


def test_validation_plus_test_below_one_is_fine() -> None:
    exp = load_experiment(task={"type": "regression"}, data={"validation": 0.4, "test": 0.5})
    assert exp.data.test == 0.5


def test_several_problems_are_all_listed(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "task:\n  type: regression\n  metrik: rmse\nsearch:\n  max_trials: 0\n"
    )
    assert [(i.path, i.line) for i in err.issues] == [
        ("task.metrik", 3),
        ("search.max_trials", 5),
    ]
    assert len(str(err).splitlines()) == 2


def test_bad_name_pattern() -> None:
    with pytest.raises(SpecError) as info:
        load_experiment(name="bad name", task={"type": "regression"})
    assert info.value.path == "name"
    assert "'bad name'" in str(info.value)


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task:\n  type: regression\n  metric: rmse\n  metric: mae\n")
    assert err.line == 4
    assert err.path == "task.metric"
    assert "duplicate key 'metric'" in str(err)
    assert "first defined on line 3" in str(err)
    assert str(err).startswith(f"{tmp_path / 'x.yaml'}:4:")


def test_duplicate_top_level_keys(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task: {type: regression}\nname: a\ntask: {type: classification}\n")
    assert err.line == 3
    assert "duplicate key 'task' (first defined on line 1)" in str(err)


def test_tabs_in_yaml_report_the_line(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task:\n  type: regression\n\tmetric: rmse\n")
    assert err.line == 3
    assert str(err).startswith(f"{tmp_path / 'x.yaml'}:3: invalid YAML")
    assert "tab" in str(err).lower() or "\\t" in str(err)


def test_tabs_in_yaml_get_the_use_spaces_hint(tmp_path: Path) -> None:
    err = load_error(tmp_path, "task:\n\ttype: regression\n")
    assert "use spaces" in str(err)


def test_malformed_yaml_reports_the_line(tmp_path: Path) -> None:
    err = load_error(tmp_path, "name: a\ntask: {type: regression}\n b: 2\n")
    assert err.line == 3
    assert "invalid YAML" in str(err)
    assert str(err).startswith(f"{tmp_path / 'x.yaml'}:3:")


def test_parse_yaml_unclosed_bracket_line() -> None:
    with pytest.raises(SpecError) as info:
        parse_yaml("task:\n  type: regression\n  metric: [rmse\n", "y.yaml")
    assert info.value.file == "y.yaml"
    assert info.value.line == 4
    assert "expected ',' or ']'" in str(info.value)


def test_parse_yaml_records_lines() -> None:
    source = parse_yaml("a:\n  b: 1\n  c:\n    - x\n    - y\n", "f.yaml")
    assert source.data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert source.line_of(("a", "b")) == 2
    assert source.line_of(("a", "c", 1)) == 5
    # unknown paths fall back to the nearest ancestor
    assert source.line_of(("a", "b", "zzz")) == 2


def test_parse_yaml_is_safe() -> None:
    with pytest.raises(SpecError, match="invalid YAML"):
        parse_yaml("x: !!python/object/apply:os.system ['true']\n", "evil.yaml")


def test_yaml_list_instead_of_mapping(tmp_path: Path) -> None:
    err = load_error(tmp_path, "- task\n- data\n")
    assert err.line == 1
    assert "expected a mapping of sections" in str(err)
    assert "got list" in str(err)


def test_empty_yaml_file(tmp_path: Path) -> None:
    err = load_error(tmp_path, "")
    assert "got an empty document" in str(err)


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SpecError) as info:
        load_experiment(missing)
    assert "file not found" in str(info.value)
    assert str(missing) in str(info.value)
    assert info.value.file == str(missing)


def test_json_schema_lists_sections() -> None:
    schema = Experiment.model_json_schema()
    props = schema["properties"]
    for section in ("task", "data", "search", "training", "tracking"):
        assert section in props
    assert "task" in schema["required"]
    # field descriptions make it into the schema
    defs = schema["$defs"]
    assert defs["SearchSpec"]["properties"]["max_trials"]["description"]
    assert defs["SearchSpec"]["additionalProperties"] is False


def test_boolean_time_budget_is_not_one_second() -> None:
    with pytest.raises(SpecError, match="cannot read True as a duration"):
        load_experiment(task={"type": "regression"}, search={"time_budget": True})
