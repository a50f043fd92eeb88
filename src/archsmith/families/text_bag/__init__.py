"""Texts as bags of n-grams, vectorised in the model."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

TEXT_BAG = BlockSpec(
    name="text_bag",
    description="text -> bag of n-grams (TextVectorization multi_hot or count)",
    inputs=("text",),
    args={
        "max_tokens": Arg("int", 20_000, low=2, high=200_000, description="vocabulary size"),
        "ngrams": Arg("int", 2, low=1, high=3, description="longest n-gram token"),
        "mode": Arg("str", "multi_hot", values=("multi_hot", "count"), description="encoding"),
    },
)

FAMILY = Family("text_bag", blocks=(Block(TEXT_BAG, takes=frozenset({"schema"})),))
