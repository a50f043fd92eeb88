"""Modern MLP blocks for tables: a TabM-style ensemble and a RealMLP-style network.

``tabm``: the parameter-efficient ensemble of Gorishniy et al. 2024 ("TabM: Advancing
Tabular Deep Learning with Parameter-Efficient Ensembling"). The row is copied to ``k``
members; every linear layer is a BatchEnsemble layer: one weight matrix shared by the
members, each member with its own input and output scaling vectors and bias
(``((x * r_i) W) * s_i + b_i``), the first layer's input scalings starting at random signs
so that members differ from the first step. ``arch: mini`` (TabM-mini) keeps only that
first per-member scaling and shares everything after it. The members' last hidden vectors
are averaged and the task head reads the average; as the head is linear, this is the mean
of the members' logits (TabM averages probabilities and trains each member on its own loss:
here the ensemble is trained as a whole, which the head interface requires).

``realmlp``: the recipe of Holzmüller et al. 2024 ("Better by Default: Strong Pre-Tuned MLPs
and Boosted Trees on Tabular Data"): a learned per-feature scaling in front (with a 6 times
larger step, as RealMLP's learning-rate factor), weights drawn N(0, 1/fan_in), and
parametric activations ``x + a (f(x) - x)`` with ``a`` learned per unit (starting at 1).
Its numeric preprocessing (robust scaling with smooth clipping) and its embeddings are the
``numeric_encoding`` block that comes before it in ``realmlp.yaml``.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


def _uniform() -> keras.initializers.Initializer:
    """PyTorch's default init of linear layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    return keras.initializers.VarianceScaling(1.0 / 3.0, "fan_in", "uniform")


def _random_signs(shape: Any, dtype: Any = None) -> Any:
    return ops.sign(keras.initializers.RandomUniform(-1.0, 1.0)(shape, dtype))


@keras.saving.register_keras_serializable(package="archsmith")
class EnsembleScale(keras.layers.Layer):
    """Multiply member ``i``'s copy of the row by its own vector (starting at random signs).

    Input and output ``(rows, k, features)``.
    """

    def build(self, input_shape: Any) -> None:
        self.r = self.add_weight(
            shape=(int(input_shape[-2]), int(input_shape[-1])),
            initializer=_random_signs,
            name="scale",
        )

    def call(self, x: Any) -> Any:
        return x * self.r


@keras.saving.register_keras_serializable(package="archsmith")
class EnsembleDense(keras.layers.Layer):
    """BatchEnsemble linear layer: ``((x * r_i) W) * s_i + b_i`` for member ``i``.

    Args:
        units: output size.
        random_signs: start the input scalings ``r_i`` at random signs (first layer);
            otherwise at ones.

    Input ``(rows, k, features)``, output ``(rows, k, units)``.
    """

    def __init__(self, units: int, random_signs: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = int(units)
        self.random_signs = bool(random_signs)

    def build(self, input_shape: Any) -> None:
        k, fan_in = int(input_shape[-2]), int(input_shape[-1])
        self.kernel = self.add_weight(
            shape=(fan_in, self.units), initializer=_uniform(), name="kernel"
        )
        self.r = self.add_weight(
            shape=(k, fan_in),
            initializer=_random_signs if self.random_signs else "ones",
            name="input_scale",
        )
        self.s = self.add_weight(shape=(k, self.units), initializer="ones", name="output_scale")
        self.bias = self.add_weight(shape=(k, self.units), initializer="zeros", name="bias")

    def call(self, x: Any) -> Any:
        return ops.matmul(x * self.r, self.kernel) * self.s + self.bias

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "random_signs": self.random_signs}


def tabm(x: Any, *, k: int, layers: int, units: int, dropout: float, arch: str = "tabm") -> Any:
    """``k`` members of ``layers`` x [linear -> ReLU -> dropout], averaged at the end."""
    if arch not in ("tabm", "mini"):
        raise ValueError(f"arch must be 'tabm' or 'mini', but got arch={arch!r}")
    x = keras.layers.RepeatVector(k)(x)  # (rows, k, features): one copy per member
    if arch == "mini":
        x = EnsembleScale()(x)
    for i in range(layers):
        if arch == "mini":
            x = keras.layers.Dense(units, kernel_initializer=_uniform())(x)
        else:
            x = EnsembleDense(units, random_signs=i == 0)(x)
        x = keras.layers.ReLU()(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout)(x)
    return keras.layers.GlobalAveragePooling1D(name=f"tabm_mean_of_{k}")(x)


@keras.saving.register_keras_serializable(package="archsmith")
class FrontScale(keras.layers.Layer):
    """A learned scale per feature, starting at 1, whose step is ``factor`` times larger
    (the weight is stored divided by ``factor``: Adam's step on it is multiplied back).
    """

    def __init__(self, factor: float = 6.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = float(factor)

    def build(self, input_shape: Any) -> None:
        self.scale = self.add_weight(
            shape=(int(input_shape[-1]),),
            initializer=keras.initializers.Constant(1.0 / self.factor),
            name="scale",
        )

    def call(self, x: Any) -> Any:
        return x * (self.factor * self.scale)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


_ACTIVATIONS = {
    "relu": ops.relu,
    "selu": ops.selu,
    "mish": lambda x: x * ops.tanh(ops.softplus(x)),
    "gelu": ops.gelu,
    "silu": ops.silu,
}


@keras.saving.register_keras_serializable(package="archsmith")
class ParametricActivation(keras.layers.Layer):
    """``x + a (f(x) - x)`` with ``a`` learned per unit, starting at 1 (plain ``f``).

    Args:
        activation: ``f``: relu, selu, mish, gelu or silu.
    """

    def __init__(self, activation: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {', '.join(_ACTIVATIONS)}, "
                f"but got activation={activation!r}"
            )
        self.activation = activation

    def build(self, input_shape: Any) -> None:
        self.a = self.add_weight(shape=(int(input_shape[-1]),), initializer="ones", name="mix")

    def call(self, x: Any) -> Any:
        return x + self.a * (_ACTIVATIONS[self.activation](x) - x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": self.activation}


def realmlp(
    x: Any,
    *,
    layers: int,
    units: int,
    activation: str,
    dropout: float,
    front_scale: bool = True,
    parametric: bool = True,
) -> Any:
    """[front scale] then ``layers`` x [dense -> (parametric) activation -> dropout]."""
    if front_scale:
        x = FrontScale()(x)
    for _ in range(layers):
        x = keras.layers.Dense(
            units, kernel_initializer=keras.initializers.VarianceScaling(1.0, "fan_in", "normal")
        )(x)
        if parametric:
            x = ParametricActivation(activation)(x)
        else:
            x = keras.layers.Activation(activation)(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout)(x)
    return x
