"""The search-space language: shipped spaces, conditions, block choices, families, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from archsmith.builders import CATALOG
from archsmith.exceptions import SpecError
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Condition
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import Param
from archsmith.search_space import SearchSpace
from archsmith.search_space import find_space
from archsmith.search_space import load_space
from archsmith.search_space import parse_space
from archsmith.search_space import shipped_spaces
from archsmith.spec import parse_yaml

MLP_ADAM = {
    "model.0.dense_stack.layers": 2,
    "model.0.dense_stack.units": 32,
    "model.0.dense_stack.activation": "relu",
    "model.0.dense_stack.dropout": 0.1,
    "model.0.dense_stack.batch_norm": True,
    "optimizer.name": "adam",
    "optimizer.learning_rate": 0.001,
    "batch_size": 64,
}


def space(text: str) -> SearchSpace:
    return parse_space(parse_yaml(textwrap.dedent(text), "space.yaml"), CATALOG)


def space_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        space(text)
    return info.value


@pytest.fixture(scope="module")
def mlp() -> SearchSpace:
    return load_space("mlp", CATALOG)


# -- domains and conditions -------------------------------------------------------------------


def test_domain_constructors_validate() -> None:
    with pytest.raises(ValueError, match="`low <= high` must hold"):
        Int(5, 1)
    with pytest.raises(ValueError, match="`low <= high` must hold"):
        Float(1.0, 0.5)
    with pytest.raises(ValueError, match="log scale needs `low >= 1`"):
        Int(0, 4, log=True)
    with pytest.raises(ValueError, match="log scale needs `low > 0`"):
        Float(0.0, 1.0, log=True)
    with pytest.raises(ValueError, match="cannot be combined"):
        Float(0.1, 1.0, step=0.1, log=True)
    with pytest.raises(ValueError, match="distinct"):
        Choice(("a", "a"))
    with pytest.raises(ValueError, match="at least one value"):
        Choice(())


def test_domain_contains() -> None:
    grid = Int(2, 11, step=3)
    assert [v for v in range(0, 14) if grid.contains(v)] == [2, 5, 8, 11]
    assert not grid.contains(True)
    assert not grid.contains("5")
    assert Float(0.0, 1.0).contains(1.0)
    assert not Float(0.0, 1.0).contains(1.01)
    assert not Float(0.0, 1.0).contains(False)
    # a choice compares types, so True is not the choice value 1
    assert Choice((1, 2)).contains(1)
    assert not Choice((1, 2)).contains(True)
    assert not Choice((1, 2)).contains(1.0)
    assert Bool().contains(False)
    assert not Bool().contains(0)


def test_condition_and_is_active() -> None:
    cond = Condition("optimizer.name", ("sgd", "rmsprop"))
    param = Param("optimizer.momentum", Float(0.0, 0.9), (cond,))
    assert param.is_active({"optimizer.name": "sgd"})
    assert param.is_active({"optimizer.name": "rmsprop"})
    assert not param.is_active({"optimizer.name": "adam"})
    assert not param.is_active({})
    assert Param("x", Bool()).is_active({})
    # types must match: 1 == True in Python, but not for a condition
    assert not Param("y", Bool(), (Condition("n", (1,)),)).is_active({"n": True})


# -- the shipped spaces -----------------------------------------------------------------------


def test_shipped_spaces_are_listed() -> None:
    shipped = shipped_spaces()
    assert {"mlp", "resnet_mlp"} <= set(shipped)
    assert all(path.is_file() for path in shipped.values())


def test_mlp_space_names_and_domains(mlp: SearchSpace) -> None:
    assert mlp.name == "mlp"
    assert mlp.inputs == ("tabular",)
    assert mlp.fixed == {"family": "mlp"}
    assert "name: mlp" in mlp.sources["mlp"]
    assert "model.0.dense_stack.units" in mlp
    assert "optimizer.learning_rate" in mlp
    assert "batch_size" in mlp
    assert "units" not in mlp
    assert mlp["model.0.dense_stack.units"].domain == Int(16, 512, log=True)
    assert mlp["optimizer.learning_rate"].domain == Float(1e-4, 3e-2, log=True)
    assert mlp["batch_size"].domain == Choice((16, 32, 64, 128))
    assert mlp["model.0.dense_stack.batch_norm"].domain == Bool()
    assert mlp.block_choices() == ()


def test_mlp_conditional_params(mlp: SearchSpace) -> None:
    momentum = mlp["optimizer.momentum"]
    assert momentum.conditions == (Condition("optimizer.name", ("sgd", "rmsprop")),)
    assert momentum.is_active({"optimizer.name": "sgd"})
    assert momentum.is_active({"optimizer.name": "rmsprop"})
    assert not momentum.is_active({"optimizer.name": "adam"})
    assert mlp["optimizer.nesterov"].conditions == (Condition("optimizer.name", ("sgd",)),)
    assert mlp["optimizer.weight_decay"].conditions == (Condition("optimizer.name", ("adamw",)),)
    assert mlp["optimizer.learning_rate"].conditions == ()


def test_params_are_ordered_after_their_conditions(mlp: SearchSpace) -> None:
    names = mlp.names
    for param in mlp.params:
        for cond in param.conditions:
            assert names.index(cond.param) < names.index(param.name)


def test_condition_on_a_later_param_is_reordered() -> None:
    s = space(
        """
        model:
          - dense_stack: {units: 8}
        optimizer:
          momentum: {type: float, low: 0.0, high: 0.9, when: {name: sgd}}
          name: {type: choice, values: [sgd, adam]}
        """
    )
    assert s.names == ("optimizer.name", "optimizer.momentum")


def test_resolve_fills_defaults_and_drops_inactive(mlp: SearchSpace) -> None:
    config = mlp.resolve(MLP_ADAM)
    assert config == {
        "family": "mlp",
        "model": [
            {
                "dense_stack": {
                    "layers": 2,
                    "units": 32,
                    "activation": "relu",
                    "dropout": 0.1,
                    "batch_norm": True,
                    "l2": 0.0,
                }
            }
        ],
        "optimizer": {"name": "adam", "learning_rate": 0.001},
        "batch_size": 64,
    }


def test_resolve_keeps_active_conditional_params(mlp: SearchSpace) -> None:
    params = {
        **MLP_ADAM,
        "optimizer.name": "sgd",
        "optimizer.momentum": 0.9,
        "optimizer.nesterov": True,
    }
    optimizer = mlp.resolve(params)["optimizer"]
    assert optimizer == {
        "name": "sgd",
        "learning_rate": 0.001,
        "momentum": 0.9,
        "nesterov": True,
    }


def test_check_rejects_out_of_domain_value(mlp: SearchSpace) -> None:
    with pytest.raises(SpecError) as info:
        mlp.check({**MLP_ADAM, "batch_size": 33})
    assert info.value.path == "params"
    assert "batch_size: 33 is outside its domain (one of 16, 32, 64, 128)" in str(info.value)


def test_check_rejects_unknown_param(mlp: SearchSpace) -> None:
    with pytest.raises(SpecError, match="bogus: unknown param of space 'mlp'"):
        mlp.check({**MLP_ADAM, "bogus": 1})


def test_check_rejects_missing_active_param(mlp: SearchSpace) -> None:
    params = {**MLP_ADAM, "optimizer.name": "sgd"}
    with pytest.raises(SpecError, match=r"optimizer\.momentum: no value for this active param"):
        mlp.check(params)


def test_check_returns_active_values(mlp: SearchSpace) -> None:
    assert mlp.check({**MLP_ADAM, "family": "mlp"}) == MLP_ADAM


def test_check_rejects_value_of_inactive_param(mlp: SearchSpace) -> None:
    with pytest.raises(SpecError, match=r"optimizer\.momentum"):
        mlp.check({**MLP_ADAM, "optimizer.momentum": 0.5})


# -- block choices and families ---------------------------------------------------------------

BLOCK_CHOICE = """
model:
  - type: choice
    values:
      - dense_stack: {units: {type: int, low: 8, high: 16}}
      - residual_dense: {blocks: 2}
"""


def test_choice_between_blocks() -> None:
    s = space(BLOCK_CHOICE)
    slot = s["model.0"]
    assert slot.domain == Choice(("dense_stack", "residual_dense"), blocks=True)
    assert slot.conditions == ()
    units = s["model.0.dense_stack.units"]
    assert units.domain == Int(8, 16)
    assert units.conditions == (Condition("model.0", ("dense_stack",)),)
    assert s.block_choices() == (slot,)
    assert s.names == ("model.0", "model.0.dense_stack.units")


def test_resolve_picks_the_chosen_block() -> None:
    s = space(BLOCK_CHOICE)
    residual = s.resolve({"model.0": "residual_dense"})
    assert residual["model"] == [
        {
            "residual_dense": {
                "blocks": 2,
                "units": 64,
                "activation": "relu",
                "dropout": 0.0,
                "batch_norm": True,
            }
        }
    ]
    dense = s.resolve({"model.0": "dense_stack", "model.0.dense_stack.units": 9})
    assert list(dense["model"][0]) == ["dense_stack"]
    assert dense["model"][0]["dense_stack"]["units"] == 9
    assert dense["model"][0]["dense_stack"]["layers"] == 2
    assert dense["family"] == "space"


def test_model_slot_rejects_non_choice_param() -> None:
    err = space_error(
        """
        model:
          - {type: int, low: 1, high: 2}
        """
    )
    assert err.path == "model.0.type"
    assert "expected type: choice" in str(err)


def test_two_spaces_make_a_family_choice() -> None:
    s = load_space(["mlp", "resnet_mlp"], CATALOG)
    assert s.name == "mlp+resnet_mlp"
    assert s.params[0].name == "family"
    assert s.params[0].domain == Choice(("mlp", "resnet_mlp"), blocks=True)
    assert "mlp.model.0.dense_stack.units" in s
    assert "resnet_mlp.model.0.residual_dense.units" in s
    assert "model.0.dense_stack.units" not in s
    assert s["mlp.model.0.dense_stack.units"].conditions == (Condition("family", ("mlp",)),)
    momentum = s["mlp.optimizer.momentum"]
    assert Condition("family", ("mlp",)) in momentum.conditions
    assert Condition("mlp.optimizer.name", ("sgd", "rmsprop")) in momentum.conditions
    assert set(s.sources) == {"mlp", "resnet_mlp"}


def test_family_resolve_uses_only_the_chosen_family() -> None:
    s = load_space(["mlp", "resnet_mlp"], CATALOG)
    params = {
        "family": "resnet_mlp",
        "resnet_mlp.model.0.residual_dense.blocks": 3,
        "resnet_mlp.model.0.residual_dense.units": 56,
        "resnet_mlp.model.0.residual_dense.activation": "gelu",
        "resnet_mlp.model.0.residual_dense.dropout": 0.1,
        "resnet_mlp.model.0.residual_dense.batch_norm": False,
        "resnet_mlp.optimizer.name": "adam",
        "resnet_mlp.optimizer.learning_rate": 0.001,
        "resnet_mlp.batch_size": 128,
    }
    config = s.resolve(params)
    assert config["family"] == "resnet_mlp"
    assert list(config["model"][0]) == ["residual_dense"]
    assert config["model"][0]["residual_dense"]["units"] == 56
    assert config["optimizer"] == {"name": "adam", "learning_rate": 0.001}
    assert config["batch_size"] == 128


def test_same_space_twice_is_rejected() -> None:
    with pytest.raises(SpecError, match="distinct names"):
        load_space(["mlp", "mlp"], CATALOG)


def test_relative_when_names() -> None:
    s = space(
        """
        model:
          - dense_stack:
              units: {type: choice, values: [8, 16]}
              dropout: {type: float, low: 0.0, high: 0.5, when: {units: 16}}
        optimizer:
          name: {type: choice, values: [adam, sgd]}
          momentum: {type: float, low: 0.0, high: 0.9, when: {name: sgd}}
        """
    )
    assert s["optimizer.momentum"].conditions == (Condition("optimizer.name", ("sgd",)),)
    assert s["model.0.dense_stack.dropout"].conditions == (
        Condition("model.0.dense_stack.units", (16,)),
    )


def test_when_on_a_matching_literal_keeps_the_param() -> None:
    s = space(
        """
        model:
          - dense_stack: {units: 8}
        optimizer:
          name: sgd
          momentum: {type: float, low: 0.0, high: 0.9, when: {name: sgd}}
        """
    )
    assert s["optimizer.momentum"].conditions == ()
    assert s.resolve({"optimizer.momentum": 0.5})["optimizer"]["momentum"] == 0.5


def test_user_space_file_relative_to_base_dir(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nmodel:\n  - dense_stack: {layers: {type: int, low: 1, high: 3}}\n"
    )
    assert find_space("mine.yaml", tmp_path) == tmp_path / "mine.yaml"
    s = load_space("mine.yaml", CATALOG, base_dir=tmp_path)
    assert s.name == "mine"
    assert s.names == ("model.0.dense_stack.layers",)
    assert "dense_stack" in s.sources["mine"]


# -- errors -----------------------------------------------------------------------------------


def test_low_greater_than_high() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: {type: int, low: 16, high: 8}
        """
    )
    assert "`low <= high` must hold" in str(err)
    assert err.path == "model.0.dense_stack.units"
    assert err.line == 4
    assert err.file == "space.yaml"
    assert str(err).startswith("space.yaml:4: model.0.dense_stack.units:")


def test_log_scale_needs_positive_low() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              dropout: {type: float, low: 0.0, high: 0.5, log: true}
        """
    )
    assert "log scale needs `low > 0`" in str(err)
    assert err.line == 4


def test_unknown_param_type() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: {type: integer, low: 1, high: 8}
        """
    )
    assert err.path == "model.0.dense_stack.units.type"
    assert "unknown param type 'integer'" in str(err)
    assert "did you mean 'int'?" in str(err)
    assert err.line == 4


def test_param_with_unknown_field() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: {type: int, low: 1, hihg: 8}
        """
    )
    assert "hihg" in str(err)
    assert err.line == 4


def test_unknown_block() -> None:
    err = space_error(
        """
        model:
          - dense_stack: {units: 8}
          - dense_stak: {units: 8}
        """
    )
    assert err.path == "model.1"
    assert err.line == 4
    assert "unknown block 'dense_stak'" in str(err)
    assert "did you mean 'dense_stack'?" in str(err)


def test_unknown_block_argument() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              layers: 2
              unit: 8
        """
    )
    assert err.path == "model.0.dense_stack.unit"
    assert err.line == 5
    assert "unknown argument 'unit' of 'dense_stack'" in str(err)
    assert "did you mean 'units'?" in str(err)


def test_invalid_literal() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              activation: relux
        """
    )
    assert err.path == "model.0.dense_stack.activation"
    assert err.line == 4
    assert "got 'relux'" in str(err)
    assert "did you mean 'relu'?" in str(err)


def test_choice_with_invalid_value() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              activation: {type: choice, values: [relu, relux]}
        """
    )
    assert err.path == "model.0.dense_stack.activation.values"
    assert "invalid value(s) ['relux']" in str(err)
    assert "did you mean 'relu'?" in str(err)


def test_literal_of_wrong_type() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: many
        """
    )
    assert "got 'many'; expected an integer in [1, 65536]" in str(err)


def test_float_param_out_of_argument_range() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              dropout: {type: float, low: 0.0, high: 1.5}
        """
    )
    assert err.path == "model.0.dense_stack.dropout.high"
    assert "1.5 is out of range; expected a number in [0, 0.95]" in str(err)
    assert err.line == 4


def test_int_param_out_of_argument_range() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              layers: {type: int, low: 0, high: 4}
        """
    )
    assert err.path == "model.0.dense_stack.layers.low"
    assert "0 is out of range; expected an integer in [1, 64]" in str(err)


def test_param_of_the_wrong_kind_for_the_argument() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              batch_norm: {type: int, low: 0, high: 1}
        """
    )
    assert err.path == "model.0.dense_stack.batch_norm.type"
    assert "a int param cannot set this argument; expected true or false" in str(err)


def test_when_names_a_missing_param() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: {type: choice, values: [8, 16]}
              dropout:
                type: float
                low: 0.0
                high: 0.5
                when: {model.0.dense_stack.unitz: 16}
        """
    )
    assert len(err.issues) == 1
    assert err.path == "model.0.dense_stack.dropout.when.model.0.dense_stack.unitz"
    assert err.line == 9
    assert "condition names unknown param 'model.0.dense_stack.unitz'" in str(err)
    assert "did you mean 'model.0.dense_stack.units'?" in str(err)


def test_when_names_a_missing_optimizer_param() -> None:
    err = space_error(
        """
        model:
          - dense_stack: {units: 8}
        optimizer:
          name: {type: choice, values: [adam, sgd]}
          momentum: {type: float, low: 0.0, high: 0.9, when: {optimizer.nme: sgd}}
        """
    )
    assert err.path == "optimizer.momentum.when.optimizer.nme"
    assert err.line == 6
    assert "did you mean 'optimizer.name'?" in str(err)


def test_when_typo_of_a_relative_name_gets_did_you_mean() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: {type: choice, values: [8, 16]}
              dropout: {type: float, low: 0.0, high: 0.5, when: {unitz: 16}}
        """
    )
    assert err.path == "model.0.dense_stack.dropout.when.unitz"
    assert "condition names unknown param 'unitz'" in str(err)
    assert "did you mean" in str(err)


def test_when_value_outside_the_referenced_domain() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: {type: choice, values: [8, 16]}
              dropout: {type: float, low: 0.0, high: 0.5, when: {units: 32}}
        """
    )
    assert err.path == "model.0.dense_stack.dropout.when.units"
    assert "32 is not a value of 'units' (one of 8, 16)" in str(err)


def test_when_value_typo_gets_did_you_mean() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              activation: {type: choice, values: [relu, gelu]}
              dropout: {type: float, low: 0.0, high: 0.5, when: {activation: gelux}}
        """
    )
    assert "'gelux' is not a value of 'activation'" in str(err)
    assert "did you mean 'gelu'?" in str(err)


def test_condition_that_can_never_hold() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: 8
              dropout: {type: float, low: 0.0, high: 0.5, when: {units: 16}}
        """
    )
    assert len(err.issues) == 1
    assert err.path == "model.0.dense_stack.dropout.when.units"
    assert err.line == 5
    assert "can never be active: 'units' is fixed to 8, not [16]" in str(err)


def test_never_active_optimizer_arg_reports_one_issue() -> None:
    err = space_error(
        """
        model:
          - dense_stack: {units: 8}
        optimizer:
          name: adam
          momentum: {type: float, low: 0.0, high: 0.9, when: {name: sgd}}
        """
    )
    assert "can never be active" in str(err)
    assert len(err.issues) == 1


def test_conditions_that_form_a_cycle() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              batch_norm: {type: bool, when: {dropout: 0.5}}
              dropout: {type: choice, values: [0.0, 0.5], when: {batch_norm: true}}
        """
    )
    assert "conditions form a cycle between" in str(err)
    assert "model.0.dense_stack.batch_norm" in str(err)
    assert "model.0.dense_stack.dropout" in str(err)
    assert err.line == 4


def test_param_cannot_depend_on_itself() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              units: {type: choice, values: [8, 16], when: {units: 8}}
        """
    )
    assert "cannot depend on itself" in str(err)


def test_optimizer_argument_active_with_the_wrong_optimizer() -> None:
    err = space_error(
        """
        model:
          - dense_stack: {units: 8}
        optimizer:
          name: {type: choice, values: [adam, sgd]}
          momentum: {type: float, low: 0.0, high: 0.9}
        """
    )
    assert err.path == "optimizer.momentum"
    assert err.line == 6
    assert "only used when optimizer.name is one of ['sgd', 'rmsprop']" in str(err)
    assert "optimizer.name=adam" in str(err)


def test_optimizer_literal_argument_with_a_default_optimizer_it_does_not_fit() -> None:
    err = space_error(
        """
        model:
          - dense_stack: {units: 8}
        optimizer:
          momentum: 0.9
        """
    )
    assert "only used when optimizer.name" in str(err)


def test_optimizer_argument_with_a_matching_when_is_accepted() -> None:
    s = space(
        """
        model:
          - dense_stack: {units: 8}
        optimizer:
          name: {type: choice, values: [adam, sgd, rmsprop]}
          momentum: {type: float, low: 0.0, high: 0.9, when: {name: [sgd, rmsprop]}}
        """
    )
    assert s["optimizer.momentum"].conditions == (Condition("optimizer.name", ("sgd", "rmsprop")),)


def test_unknown_shipped_space() -> None:
    with pytest.raises(SpecError) as info:
        load_space("mlpp", CATALOG)
    assert info.value.path == "search.space"
    assert "unknown search space 'mlpp'" in str(info.value)
    assert "did you mean 'mlp'?" in str(info.value)


def test_missing_space_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="search space file not found"):
        load_space("nope.yaml", CATALOG, base_dir=tmp_path)


def test_missing_model() -> None:
    err = space_error(
        """
        optimizer:
          name: adam
        """
    )
    assert err.path == "model"
    assert "expected a non-empty list of blocks" in str(err)


def test_empty_model() -> None:
    err = space_error("model: []\n")
    assert "expected a non-empty list of blocks" in str(err)


def test_unknown_top_level_key() -> None:
    err = space_error(
        """
        model:
          - dense_stack: {units: 8}
        optimiser: {name: adam}
        """
    )
    assert err.path == "optimiser"
    assert err.line == 4
    assert "did you mean 'optimizer'?" in str(err)


def test_space_that_is_not_a_mapping() -> None:
    err = space_error("- dense_stack\n")
    assert "a search space is a mapping" in str(err)


def test_every_problem_is_reported() -> None:
    err = space_error(
        """
        model:
          - dense_stack:
              unit: 8
              activation: relux
        batch_size: 0
        """
    )
    assert [i.path for i in err.issues] == [
        "model.0.dense_stack.unit",
        "model.0.dense_stack.activation",
        "batch_size",
    ]


def test_optional_block_slot_is_left_out_when_inactive() -> None:
    space = parse_space(
        parse_yaml(
            "model:\n"
            "  - dense_stack: {units: {type: choice, values: [8, 16]}}\n"
            "  - type: choice\n"
            "    values: [{residual_dense: {blocks: 1}}]\n"
            "    when: {model.0.dense_stack.units: 16}\n",
            "space.yaml",
        ),
        CATALOG,
    )
    small = space.resolve({"model.0.dense_stack.units": 8})
    assert [next(iter(b)) for b in small["model"]] == ["dense_stack"]
    big = space.resolve({"model.0.dense_stack.units": 16, "model.1": "residual_dense"})
    assert [next(iter(b)) for b in big["model"]] == ["dense_stack", "residual_dense"]


def test_int_condition_value_must_be_an_int() -> None:
    with pytest.raises(SpecError, match=r"2\.0 is not a value of 'layers'"):
        parse_space(
            parse_yaml(
                "model:\n"
                "  - dense_stack:\n"
                "      layers: {type: int, low: 1, high: 3}\n"
                "      dropout: {type: float, low: 0.0, high: 0.5, when: {layers: 2.0}}\n",
                "space.yaml",
            ),
            CATALOG,
        )


def test_literal_optimizer_argument_gets_a_fix_it_can_apply() -> None:
    with pytest.raises(SpecError, match="make it a param with when:"):
        parse_space(
            parse_yaml(
                "model: [{dense_stack: {units: 8}}]\n"
                "optimizer: {name: {type: choice, values: [sgd, adam]}, momentum: 0.9}\n",
                "space.yaml",
            ),
            CATALOG,
        )
