"""Network families, one folder each: catalog entries, Keras blocks and shipped spaces.

Importing this package is cheap and Keras-free: it reads each family's ``FAMILY``
declaration (``families/<name>/__init__.py``) into :data:`CATALOG`, which search spaces
are validated against. A family's Keras code (``families/<name>/blocks.py``) is imported
when a model is built (:func:`import_blocks`, :func:`block_function`).

Adding a family: a folder ``families/<name>/`` with ``__init__.py`` (``FAMILY``),
``blocks.py`` and its space files, and its name in :data:`FAMILY_NAMES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from archsmith.families._base import ACTIVATIONS
from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.families._sections import BATCH_SIZE
from archsmith.families._sections import FORECAST_L2
from archsmith.families._sections import LABEL_SMOOTHING
from archsmith.families._sections import OPTIMIZER
from archsmith.families._sections import SERIES_SCALING
from archsmith.search_space import Catalog

#: the registry: every family folder, in catalog order (the order blocks are listed in errors)
FAMILY_NAMES = (
    "mlp",
    "tabular",
    "cnn",
    "resnet",
    "transfer",
    "rnn",
    "conv1d",
    "transformer",
    "series",
    "linear_forecast",
    "text_sequence",
    "text_bag",
    "text_tfidf",
    "rbf",
    "autoencoder",
    "spiking",
    "dbn",
    "som",
    "capsule",
    "gan",
    "siamese",
    "gnn",
    "conv_autoencoder",
)

FAMILIES: dict[str, Family] = {
    name: importlib.import_module(f"{__name__}.{name}").FAMILY for name in FAMILY_NAMES
}

#: every block by name, with the family that defines it
BLOCKS: dict[str, tuple[Family, Block]] = {
    block.name: (family, block) for family in FAMILIES.values() for block in family.blocks
}

#: what search spaces may name: the families' blocks, the optimizer section, batch_size,
#: label_smoothing, series_scaling, forecast_l2
CATALOG = Catalog(
    blocks={name: block.spec for name, (_, block) in BLOCKS.items()},
    sections={"optimizer": OPTIMIZER},
    scalars={
        "batch_size": BATCH_SIZE,
        "label_smoothing": LABEL_SMOOTHING,
        "series_scaling": SERIES_SCALING,
        "forecast_l2": FORECAST_L2,
    },
)


def block(name: str) -> Block:
    """The declaration of block ``name`` (its hooks: ``takes``, ``output``, ``flat``)."""
    return BLOCKS[name][1]


def block_function(name: str) -> Callable[..., Any]:
    """The Keras function of block ``name`` (imports its family's ``blocks`` module)."""
    family, _ = BLOCKS[name]
    return family.function(name)


#: data kinds whose network inputs a family builds (``Family.inputs``): kind -> (family, hook)
INPUTS: dict[str, tuple[Family, str]] = {
    kind: (family, hook) for family in FAMILIES.values() for kind, hook in family.inputs.items()
}


def input_function(kind: str) -> Callable[..., Any] | None:
    """The network-input builder a family declares for data ``kind`` (graphs), or None."""
    family, hook = INPUTS.get(kind, (None, ""))
    return None if family is None else family.function(hook)


def fact_functions() -> list[Callable[..., Any]]:
    """The ``model -> {name: value}`` functions the families declare (``Family.facts``)."""
    return [f.function(f.facts) for f in FAMILIES.values() if f.facts]


def import_blocks() -> None:
    """Import every family's ``blocks`` module, registering their serializable layers."""
    importlib.import_module("archsmith.families.losses")
    for family in FAMILIES.values():
        family.blocks_module()


__all__ = [
    "ACTIVATIONS",
    "BLOCKS",
    "CATALOG",
    "FAMILIES",
    "FAMILY_NAMES",
    "Block",
    "Family",
    "block",
    "block_function",
    "fact_functions",
    "import_blocks",
    "input_function",
]
