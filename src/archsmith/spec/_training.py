"""The ``training`` and ``tracking`` sections of a declaration."""

from __future__ import annotations

import warnings
from typing import Annotated
from typing import Literal

from pydantic import Field

from archsmith.spec._base import _Model


class EarlyStoppingSpec(_Model):
    """Stop a trial's training when the monitored value stops improving."""

    patience: int = Field(5, ge=1, description="epochs without improvement before stopping")
    min_delta: float = Field(0.0, ge=0, description="smallest change that counts")


class ReduceLrSpec(_Model):
    """Halve (``factor``) the learning rate when the training loss stops improving."""

    factor: float = Field(0.5, gt=0, lt=1, description="learning-rate factor on a plateau")
    patience: int = Field(10, ge=1, description="epochs without improvement before reducing")
    min_lr: float = Field(1e-4, ge=0, description="lowest learning rate")


class TrainingSpec(_Model):
    """How each candidate is trained."""

    epochs: int = Field(50, ge=1, description="maximum epochs per trial")
    batch_size: int = Field(
        32, ge=1, description="batch size when the search space does not set one"
    )
    early_stopping: EarlyStoppingSpec | None = Field(
        default_factory=lambda: EarlyStoppingSpec(),
        description="stop on validation loss; best weights restored; null to disable",
    )
    jit_compile: bool = Field(False, description="XLA-compile training steps")
    mixed_precision: bool = Field(
        False,
        description="float16/bfloat16 compute with float32 outputs and losses; needs a GPU",
    )
    reduce_lr: ReduceLrSpec | None = Field(
        None, description="reduce the learning rate on training-loss plateaus; null: never"
    )
    min_steps: int | None = Field(
        None,
        ge=1,
        description="small data: train at least this many optimizer steps (epochs raised to "
        "ceil(min_steps / steps per epoch), at most 2000; early-stopping patience to at least "
        "a tenth of them); null: epochs as declared",
    )
    class_weight: Literal["balanced"] | dict[str | int, Annotated[float, Field(gt=0)]] | None = (
        Field(
            None,
            description="classification: weigh each class's rows in the loss; balanced: "
            "n / (classes * count of the class), or a mapping {label: weight} (others 1)",
        )
    )


# ``register`` shadows ABCMeta.register (pydantic models' metaclass derives from ABCMeta);
# the field lives on instances only, the class keeps its ``register``: pydantic's warning
# about it does not apply.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message='Field name "register"')

    class TrackingSpec(_Model):
        """Where everything is logged."""

        uri: str = Field(
            "mlruns",
            description="tracking folder (relative to the working directory) or an MLflow URI",
        )
        experiment: str | None = Field(None, description="MLflow experiment; default: name")
        register: str | None = Field(
            None,
            pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
            description="register the search's model in the MLflow Model Registry under this "
            "name (a new version per search; needs a registry-capable store, e.g. the default "
            "folder store's SQLite database)",
        )
