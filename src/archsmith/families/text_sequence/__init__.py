"""Texts as token sequences: vectorised in the model, embedded, then a sequence block."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

TEXT_EMBEDDING = BlockSpec(
    name="text_embedding",
    description="text -> token ids (TextVectorization in the model) -> embeddings",
    inputs=("text",),
    args={
        "max_tokens": Arg("int", 20_000, low=3, high=200_000, description="vocabulary size"),
        "sequence_length": Arg(
            "int", 0, low=0, high=100_000, description="tokens per text (0: 95th percentile)"
        ),
        "ngrams": Arg("int", 1, low=1, high=3, description="longest n-gram token"),
        "embed_dim": Arg("int", 64, low=1, high=2048, description="embedding size"),
    },
)

FAMILY = Family("text_sequence", blocks=(Block(TEXT_EMBEDDING, takes=frozenset({"schema"})),))
