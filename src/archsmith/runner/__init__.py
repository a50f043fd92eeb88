"""The search: for each trial build -> train -> track -> tell.

One concern per module: ``_records`` (frozen results), ``_trial`` (one trial, every
outcome sorted into one state), ``_loop`` (the ask/run/record loop shared by
:func:`run_search` and :func:`run_worker`), ``_writer`` (the tracker behind run handles,
writes on a background thread), ``_recovery`` (lost trials, workers), ``_warm`` (warm
start), ``_final`` (best model, summary, leaderboard) and ``_search`` (the entry points).
"""

from archsmith.runner._loop import optimize
from archsmith.runner._records import INTERRUPTED
from archsmith.runner._records import INTERRUPTED_BY_USER
from archsmith.runner._records import WORKER_LOST
from archsmith.runner._records import Best
from archsmith.runner._records import Progress
from archsmith.runner._records import SearchResult
from archsmith.runner._records import TrialResult
from archsmith.runner._recovery import WRITES_LOST_TAG
from archsmith.runner._recovery import reconcile
from archsmith.runner._search import run_search
from archsmith.runner._search import run_worker
from archsmith.runner._trial import TRANSIENT
from archsmith.runner._trial import TrialRunner
from archsmith.runner._writer import RunHandle
from archsmith.runner._writer import TrialWriter

__all__ = [
    "INTERRUPTED",
    "INTERRUPTED_BY_USER",
    "TRANSIENT",
    "WORKER_LOST",
    "WRITES_LOST_TAG",
    "Best",
    "Progress",
    "RunHandle",
    "SearchResult",
    "TrialResult",
    "TrialRunner",
    "TrialWriter",
    "optimize",
    "reconcile",
    "run_search",
    "run_worker",
]
