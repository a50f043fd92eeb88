"""The deep belief network family: stacked RBMs pre-trained with contrastive divergence."""

from __future__ import annotations

from archsmith.families._base import Block
from archsmith.families._base import Family
from archsmith.search_space import Arg
from archsmith.search_space import BlockSpec

DBN = BlockSpec(
    name="dbn",
    description="deep belief network: stacked RBMs pre-trained with contrastive divergence, "
    "then fine-tuned with the task head",
    args={
        "layers": Arg("int", 2, low=1, high=8, description="number of RBMs"),
        "units": Arg("int", 128, low=1, high=65536, description="hidden units per RBM"),
        "cd_steps": Arg("int", 1, low=1, high=20, description="Gibbs steps of CD-k"),
        "pretrain_epochs": Arg(
            "int", 10, low=0, high=1000, description="pre-training passes per RBM (0: none)"
        ),
        "pretrain_learning_rate": Arg(
            "float", 0.05, low=1e-5, high=1.0, description="step size of the CD updates"
        ),
        "dropout": Arg("float", 0.0, low=0.0, high=0.95, description="dropout after each RBM"),
    },
)

FAMILY = Family("dbn", blocks=(Block(DBN, flat=True),))
