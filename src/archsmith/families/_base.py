"""What a family declares (keras-free): its blocks' catalog entries and builder hooks.

A family is a folder ``archsmith/families/<name>/``: its ``__init__.py`` defines ``FAMILY``
(a :class:`Family`, imported without Keras so that spaces validate fast), ``blocks.py``
holds one Keras function per block, named after the block, and the folder's ``*.yaml``
files are the family's shipped search spaces.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from archsmith.search_space import BlockSpec

#: activations the blocks accept (Keras names)
ACTIVATIONS = ("relu", "leaky_relu", "elu", "selu", "gelu", "swish", "tanh", "sigmoid", "linear")

#: what a block function may take beyond its catalog arguments, passed by the builder
EXTRAS = frozenset({"schema", "target", "base_dir"})


@dataclass(frozen=True)
class Block:
    """One block of a family: its catalog entry and how the builder calls it.

    Attributes:
        spec: the block's name and arguments (what a search space may write).
        takes: keyword arguments the builder passes besides the catalog's: ``schema`` (the
            input schema: text blocks read its vocabulary), ``target`` (an output block
            sizes its output by it) or ``base_dir`` (a block that reads files).
        output: an output block: when last, it produces the model's output itself and no
            task head follows it (``capsule``).
        flat: the block reads a flat feature vector, so a Siamese encoder flattens a
            feature map before it.
    """

    spec: BlockSpec
    takes: frozenset[str] = frozenset()
    output: bool = False
    flat: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.takes) - EXTRAS
        if unknown:
            raise ValueError(
                f"block {self.spec.name!r} takes unknown extras {sorted(unknown)}; expected "
                f"some of {sorted(EXTRAS)}"
            )

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class Family:
    """A network family: its blocks and the hooks the builder reads.

    Attributes:
        name: the family's folder under ``archsmith/families/``.
        blocks: its blocks; ``blocks.py`` defines a function of each block's name.
        task: the task type the family is trained on in the family suite
            (``archsmith.testing``): ``classification`` unless it is for anomaly detection,
            clustering, forecasting, generation or similarity.
        inputs: data kinds whose network inputs the family builds itself, with the name of
            the function in ``blocks.py`` that builds them (``{"graph": "graph_inputs"}``).
        facts: name of a function in ``blocks.py`` returning numbers worth logging about a
            built model (``model -> {name: value}``), or empty.
    """

    name: str
    blocks: tuple[Block, ...]
    task: str = "classification"
    inputs: Mapping[str, str] = field(default_factory=dict)
    facts: str = ""

    @property
    def module(self) -> str:
        """The family's package (``archsmith.families.<name>``)."""
        return f"{__package__}.{self.name}"

    def blocks_module(self) -> Any:
        """The family's ``blocks`` module (imports Keras)."""
        return importlib.import_module(f"{self.module}.blocks")

    def function(self, name: str) -> Callable[..., Any]:
        """The Keras function of one of this family's blocks (or of an input/fact hook)."""
        return getattr(self.blocks_module(), name)
