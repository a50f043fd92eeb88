"""TF-IDF of word n-grams; followed directly by the task head, a linear text model."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

TEXT_TFIDF = BlockSpec(
    name="text_tfidf",
    description="text -> TF-IDF of word or character n-grams (L2-normalised); alone: linear",
    inputs=("text",),
    args={
        "max_tokens": Arg("int", 20_000, low=2, high=200_000, description="vocabulary size"),
        "ngrams": Arg("int", 2, low=1, high=3, description="longest word n-gram"),
        "analyzer": Arg(
            "str",
            "word",
            values=("word", "char"),
            description="word: word 1- to ngrams-grams; char: character 2- to char_ngrams-grams",
        ),
        "char_ngrams": Arg("int", 4, low=2, high=6, description="longest character n-gram"),
        "sublinear": Arg("bool", False, description="1 + ln(tf) instead of tf"),
        "norm": Arg("str", "l2", values=("l2", "none"), description="row normalisation"),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout on the features"),
    },
)

FAMILY = Family("text_tfidf", blocks=(Block(TEXT_TFIDF, takes=frozenset({"schema"})),))
