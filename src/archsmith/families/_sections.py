"""Catalog entries beside the model blocks: the ``optimizer`` section, ``batch_size``,
``label_smoothing``, ``series_scaling`` and ``forecast_l2``."""

from __future__ import annotations

from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")
#: learning-rate schedules over a trial's epochs (``archsmith.training`` applies them)
SCHEDULES = ("constant", "cosine", "plateau")

OPTIMIZER = BlockSpec(
    name="optimizer",
    description="the optimizer and its own settings",
    args={
        "name": Arg("str", "adam", values=OPTIMIZERS, description="optimizer"),
        "learning_rate": Arg("float", 1e-3, low=1e-7, high=10.0, description="learning rate"),
        "momentum": Arg(
            "float",
            low=0.0,
            high=0.999,
            only_with=("name", ("sgd", "rmsprop")),
            description="momentum",
        ),
        "nesterov": Arg("bool", only_with=("name", ("sgd",)), description="Nesterov momentum"),
        "beta_1": Arg(
            "float",
            low=0.0,
            high=0.9999,
            only_with=("name", ("adam", "adamw")),
            description="first-moment decay",
        ),
        "beta_2": Arg(
            "float",
            low=0.0,
            high=0.99999,
            only_with=("name", ("adam", "adamw")),
            description="second-moment decay",
        ),
        "weight_decay": Arg(
            "float",
            low=0.0,
            high=1.0,
            only_with=("name", OPTIMIZERS),  # every Keras 3 optimizer takes it
            description="decoupled weight decay (every optimizer)",
        ),
        "schedule": Arg(
            "str",
            values=SCHEDULES,
            only_with=("name", OPTIMIZERS),  # optional: constant when left out
            description="learning-rate schedule: constant, cosine (decay to 0 over the "
            "epochs) or plateau (halved when the validation loss stalls)",
        ),
        "rho": Arg(
            "float",
            low=0.0,
            high=0.9999,
            only_with=("name", ("rmsprop",)),
            description="discounting factor of the gradient history",
        ),
        "initial_accumulator_value": Arg(
            "float",
            low=0.0,
            high=10.0,
            only_with=("name", ("adagrad",)),
            description="starting accumulator value",
        ),
    },
)

BATCH_SIZE = Arg("int", None, low=1, high=1 << 16, description="batch size")

#: optional (no default, so spaces without it keep their params): classification only
LABEL_SMOOTHING = Arg(
    "float", low=0.0, high=0.5, description="label smoothing of the classification loss"
)

#: optional (no default, so spaces without it keep their params): forecasting only
SERIES_SCALING = Arg(
    "str",
    values=("window", "dataset"),
    description="forecasting: window: each input window scaled by its own mean and std "
    "(restored on the forecast; when left out); dataset: by the training set's only, so "
    "the model sees each window's level",
)

#: optional (no default, so spaces without it keep their params): forecasting only
FORECAST_L2 = Arg(
    "float",
    low=0.0,
    high=100.0,
    description="forecasting: L2 penalty on the forecast head's correction weights (a ridge "
    "fit, pulling the forecast towards the seasonal-naive one); 0 or left out: none",
)
