"""The shipped search spaces searched for each data kind when a declaration names none."""

from __future__ import annotations

#: shipped spaces searched for each data kind when the declaration names none
DEFAULT_SPACES: dict[str, tuple[str, ...]] = {
    "tabular": ("realmlp", "tabm"),
    "image": ("cnn", "resnet"),
    # the published FCN, ResNet and InceptionTime shapes are the first trials (the spaces'
    # first_trials); conv1d stays a choice (it matched them on the series benchmark)
    "sequence": ("fcn", "resnet1d", "inception", "conv1d"),
    # the linear TF-IDF model first (text_tfidf's first trial), then the neural text spaces
    "text": ("text_tfidf", "text_bag", "text_sequence"),
    "graph": ("gnn",),
}


#: defaults of a data kind for a task, where they differ from the kind's own
TASK_DEFAULT_SPACES: dict[tuple[str, str], tuple[str, ...]] = {
    # series of a level that matters, or read by other heads: the general sequence spaces
    # the linear forecasters first (NLinear, DLinear: linear_forecast's first_trials)
    ("sequence", "forecasting"): ("linear_forecast", "rnn", "conv1d", "transformer"),
    ("sequence", "anomaly_detection"): ("rnn", "conv1d", "transformer"),
    ("sequence", "similarity"): ("rnn", "conv1d", "transformer"),
    ("image", "anomaly_detection"): ("conv_autoencoder",),
    ("image", "similarity"): ("siamese",),
}


def default_spaces(kind: str, task: str | None = None) -> tuple[str, ...]:
    """The shipped spaces searched for data of ``kind`` when none is declared.

    ``task`` (the declaration's ``task.type``) picks a task's own default where there is
    one: ``conv_autoencoder`` for anomaly detection on images, ``siamese`` for similarity
    of images; for other data the kind's default spaces are the Siamese shared encoder.
    """
    if task is not None and (kind, task) in TASK_DEFAULT_SPACES:
        return TASK_DEFAULT_SPACES[(kind, task)]
    return DEFAULT_SPACES.get(kind, ("mlp",))
