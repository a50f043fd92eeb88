"""Optuna engine: define-by-run sampling of the static space, persistent storage, resume."""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
import warnings
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from archsmith.engines._base import Engine
from archsmith.engines._base import SearchExhausted
from archsmith.engines._base import Trial
from archsmith.engines._base import TrialRecord
from archsmith.engines._base import TrialState
from archsmith.engines._base import Values
from archsmith.engines._base import as_values
from archsmith.engines._liveness import WORKER_ATTR
from archsmith.engines._liveness import Heartbeat
from archsmith.engines._liveness import beat_function
from archsmith.engines._liveness import beat_stale
from archsmith.engines._liveness import worker_alive
from archsmith.engines._liveness import worker_id
from archsmith.engines._samplers import make_pruner
from archsmith.engines._samplers import make_sampler
from archsmith.exceptions import SpecError
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import Param
from archsmith.spec import ENGINE_CAPABILITIES
from archsmith.spec import mask_password
from archsmith.spec import mask_secrets

# a WAITING trial is a queued point (warm start, first trials, pre-screening) that no
# process has asked for yet: not a trial of the search until one does
_STATES = {
    "COMPLETE": TrialState.COMPLETE,
    "PRUNED": TrialState.PRUNED,
    "FAIL": TrialState.FAILED,
    "RUNNING": TrialState.RUNNING,
}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Hush Optuna's INFO lines while we call it, without changing its settings for good."""
    logger = logging.getLogger("optuna")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            # "Heartbeat of storage is supposed to be used with Study.optimize": we run the
            # heartbeat ourselves around ask/tell
            warnings.filterwarnings("ignore", message="Heartbeat of storage")
            yield
    finally:
        logger.setLevel(level)


#: Trial system attribute of a trial given back unrun (see ``give_back``): not a trial.
GIVEN_BACK = "archsmith:given_back"
#: Seconds between two heartbeats of a running trial (an UPDATE in a database, a line in a
#: journal file).
HEARTBEAT_INTERVAL = 10
#: A running trial whose last heartbeat is older than this is lost (its worker died).
GRACE_PERIOD = 40


def _storage_error(url: str, exc: BaseException) -> SpecError:
    """A storage that cannot be opened, with the password masked everywhere."""
    text = mask_secrets(" ".join(str(exc).split()), url)
    text = text.split("(Background on this error")[0].strip()
    return SpecError(
        f"cannot open the engine storage {mask_password(url)}: {type(exc).__name__}: {text[:400]}; "
        "expected a *.journal file or a reachable database URL "
        "(sqlite:///path, postgresql://user:password@host:port/db)",
        path="search.storage",
    )


def open_storage(url: str | None, *, heartbeat: bool = True) -> Any:
    """An Optuna storage for ``search.storage``.

    ``*.journal`` paths use Optuna's journal file (append-only, safe for several processes
    on one machine, and about 30x cheaper per ``ask`` than SQLite: each suggested param is
    one SQL transaction there); database URLs (``sqlite:///…``, ``postgresql://…``) use the
    RDB storage, which several machines can share, with heartbeats every
    :data:`HEARTBEAT_INTERVAL` seconds for running trials (unless ``heartbeat`` is False).
    None keeps trials in memory.

    Raises:
        SpecError: the URL is malformed or the database cannot be reached (path
            ``search.storage``; the password is masked).
    """
    if url is None:
        return None
    if "://" not in url and url.endswith(".journal"):
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        if not os.path.isdir(os.path.dirname(os.path.abspath(url))):
            raise SpecError(
                f"cannot open the engine storage {url}: its folder does not exist; "
                "expected a *.journal file in an existing folder",
                path="search.storage",
            )
        try:
            return JournalStorage(JournalFileBackend(url))
        except OSError as exc:
            raise _storage_error(url, exc) from None
    if "://" not in url:
        raise SpecError(
            f"cannot read {mask_password(url)!r} as an engine storage; expected a *.journal file "
            "or a database URL (sqlite:///path, postgresql://user:password@host:port/db)",
            path="search.storage",
        )
    from optuna.storages import RDBStorage

    kwargs: dict[str, Any] = {"engine_kwargs": {"pool_pre_ping": True}}
    if url.startswith("postgresql"):
        kwargs["engine_kwargs"]["connect_args"] = {"connect_timeout": 10}
    if heartbeat:
        kwargs.update(heartbeat_interval=HEARTBEAT_INTERVAL, grace_period=GRACE_PERIOD)
    last: BaseException | None = None
    for attempt in range(8):  # workers creating the tables at once collide: wait, retry
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # heartbeat_interval is "experimental"
                return RDBStorage(url, **kwargs)
        except ImportError as exc:
            raise SpecError(
                f"engine storage {mask_password(url)} needs a database driver that is not "
                f"installed ({exc}); for PostgreSQL: pip install 'archsmith[postgres]'",
                path="search.storage",
            ) from None
        except Exception as exc:
            last = exc
            text = str(exc).lower()
            if _fatal(text):
                break
            time.sleep(min(1.0 + attempt, 5.0))
    assert last is not None
    raise _storage_error(url, last) from None


def _fatal(text: str) -> bool:
    """An error that no retry fixes: anything but workers racing to create the tables."""
    text = text.lower()
    race = ("already exists", "duplicate", "deadlock", "could not serialize", "relation")
    return not any(key in text for key in race)


def suggest(trial: Any, param: Param) -> Any:
    """Ask an Optuna trial for one param's value (exhaustive over domain types)."""
    d = param.domain
    if isinstance(d, Int):
        return trial.suggest_int(param.name, d.low, d.high, step=d.step, log=d.log)
    if isinstance(d, Float):
        return trial.suggest_float(param.name, d.low, d.high, step=d.step, log=d.log)
    if isinstance(d, Choice):
        return trial.suggest_categorical(param.name, list(d.values))
    if isinstance(d, Bool):
        return trial.suggest_categorical(param.name, [False, True])
    raise TypeError(f"unknown domain {d!r}")


class OptunaEngine(Engine):
    """Optuna study per search: ``tpe`` (default), ``random``, ``cmaes``, ``gp``, ``grid``,
    ``nsga2`` sampling, optional pruner, one or several objectives.

    The study is named ``<name>/<timestamp>-<id>`` in the storage, so each search keeps its
    trials and ``resume`` continues the most recent one.
    """

    capabilities = ENGINE_CAPABILITIES["optuna"]

    def __init__(self, *args: Any, join: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        import optuna

        storage = open_storage(self.storage)
        self._rdb = storage if getattr(storage, "heartbeat_interval", None) else None
        # running trials beat in a database (Optuna's heartbeat) or a journal file (ours)
        journal = type(storage).__name__ == "JournalStorage"
        self._beat = beat_function(storage, self._rdb is not None) if self._rdb or journal else None
        self.created = False
        with _quiet():
            if join:
                self._study = self._join(storage)
            elif self.resume:
                name = self._latest(storage)
                self._study = optuna.load_study(study_name=name, storage=storage)
                # a resumed search must not replay the first run's random start-up points
                offset = len(self._study.get_trials(deepcopy=False))
                self._study.sampler = self._sampler(offset)
                self._study.pruner = make_pruner(self.pruner, self.max_epochs)
            else:
                name = f"{self.name}/{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
                self._study = optuna.create_study(
                    study_name=name,
                    storage=storage,
                    sampler=self._sampler(0),
                    pruner=make_pruner(self.pruner, self.max_epochs),
                    directions=list(self.directions),
                )
                self._study.set_user_attr("created_ns", time.time_ns())
                self.created = True
        self._live: dict[int, Any] = {}
        self._beats: dict[int, Heartbeat] = {}
        self.worker = worker_id()

    def _join(self, storage: Any) -> Any:
        """Load the latest unfinished study of this name, or create the next one.

        Several workers may start at once on an empty storage: the new study's name is
        derived from the number of studies of this name (``<name>/shared-0003``), so they all
        try to create the same one; the storage lets one succeed and the others load it.
        """
        import optuna

        prefix = f"{self.name}/"
        studies = [
            s
            for s in optuna.get_all_study_summaries(storage, False)
            if s.study_name.startswith(prefix)
        ]
        if studies:
            # a study still without created_ns was created a moment ago: it is the latest
            latest = max(
                studies,
                key=lambda s: (s.user_attrs.get("created_ns", time.time_ns() * 2), s.study_name),
            )
            if not latest.user_attrs.get("finished"):
                study = optuna.load_study(study_name=latest.study_name, storage=storage)
                study.sampler = self._sampler(len(study.get_trials(deepcopy=False)) + os.getpid())
                return study
        name = f"{prefix}shared-{len(studies) + 1:04d}"
        try:
            study = optuna.create_study(
                study_name=name, storage=storage, sampler=self._sampler(0), direction=self.direction
            )
        except optuna.exceptions.DuplicatedStudyError:
            study = optuna.load_study(study_name=name, storage=storage)
            study.sampler = self._sampler(os.getpid())
            return study
        study.set_user_attr("created_ns", time.time_ns())
        self.created = True
        return study

    def _sampler(self, offset: int) -> Any:
        seed = None if self.seed is None else self.seed + offset
        return make_sampler(self.algorithm, self.space, seed)

    def _latest(self, storage: Any) -> str:
        """The most recently created study of this search name."""
        import optuna

        prefix = f"{self.name}/"
        studies = [
            s
            for s in optuna.get_all_study_summaries(storage, False)
            if s.study_name.startswith(prefix)
        ]
        if not studies:
            raise SpecError(
                f"no earlier search named '{self.name}' to resume in the engine "
                "storage; run it without --resume first",
                path="search.storage",
            )
        latest = max(studies, key=lambda s: (s.user_attrs.get("created_ns", 0), s.study_name))
        return str(latest.study_name)

    @property
    def search_id(self) -> str:
        return str(self._study.study_name)

    def enqueue(self, params: Mapping[str, Any]) -> None:
        """Queue ``params`` in the study (kept in the storage, so a resume replays them)."""
        self._study.enqueue_trial(dict(params))

    def queued(self) -> int:
        """Enqueued trials still WAITING in the study (any worker's)."""
        from optuna.trial import TrialState as States

        return len(self._study.get_trials(deepcopy=False, states=(States.WAITING,)))

    def report(self, trial: Trial, step: int, value: float) -> bool:
        live = self._live[trial.number]
        live.report(value, step)
        return bool(live.should_prune())

    def ask(self) -> Trial:
        sampler: Any = self._study.sampler
        if self.algorithm == "grid" and sampler.is_exhausted(self._study):
            raise SearchExhausted(f"every point of the grid of {self.space.name} was tried")
        with _quiet():
            live = self._study.ask()
            if self._beat is not None:
                self._beats[live.number] = Heartbeat(self._beat, live._trial_id, HEARTBEAT_INTERVAL)
            self._study._storage.set_trial_system_attr(live._trial_id, WORKER_ATTR, self.worker)
            values: dict[str, Any] = {}
            for param in self.space.params:
                if param.is_active(values):
                    values[param.name] = suggest(live, param)
        self._live[live.number] = live
        return Trial(live.number, values, live)

    def annotate(self, trial: Trial, attrs: Mapping[str, Any]) -> None:
        """Store values on a running trial (e.g. its tracking run id, as soon as it exists)."""
        live = self._live[trial.number]
        for key, val in attrs.items():
            live.set_user_attr(key, val)

    def tell(
        self,
        trial: Trial,
        state: TrialState,
        value: Values | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        import optuna

        live = self._live.pop(trial.number)
        beat = self._beats.pop(trial.number, None)
        if beat is not None:
            beat.stop()
        for key, val in (attrs or {}).items():
            if live.user_attrs.get(key) != val:
                live.set_user_attr(key, val)
        with _quiet():
            if state is TrialState.COMPLETE:
                values = as_values(value)
                self._study.tell(live, list(values) if self.multi_objective else values[0])
            elif state is TrialState.PRUNED:
                self._study.tell(live, state=optuna.trial.TrialState.PRUNED)
            else:
                self._study.tell(live, state=optuna.trial.TrialState.FAIL)

    def give_back(self, trial: Trial) -> None:
        """End ``trial`` unrun: it took a place beyond ``max_trials`` (another worker asked at
        the same instant). It is marked :data:`GIVEN_BACK` and FAILED in the storage, and is
        no longer one of :meth:`trials`."""
        import optuna

        live = self._live.pop(trial.number)
        beat = self._beats.pop(trial.number, None)
        if beat is not None:
            beat.stop()
        with _quiet():
            self._study._storage.set_trial_system_attr(live._trial_id, GIVEN_BACK, True)
            self._study.tell(live, state=optuna.trial.TrialState.FAIL)

    def trials(self) -> list[TrialRecord]:
        return [
            TrialRecord(
                t.number,
                _STATES[t.state.name],
                t.values[0] if t.values else None,
                dict(t.params),
                dict(t.user_attrs),
                tuple(t.values or ()),
            )
            for t in self._study.get_trials(deepcopy=False)
            if t.state.name in _STATES and not t.system_attrs.get(GIVEN_BACK)
        ]

    def lost_trials(self, *, stopped: bool = False) -> list[TrialRecord]:
        """RUNNING trials whose worker is gone.

        A trial is lost when its worker process is known dead (same host), when its last
        heartbeat is older than the grace period (database and journal storages: a trial of
        another host with a fresh heartbeat is alive), or, with ``stopped`` (the user says the
        search stopped: ``--resume``), when nothing shows it alive.
        Trials this engine is running itself are never lost.
        """
        stale_ids: set[int] = set()
        if self._rdb is not None:
            with contextlib.suppress(Exception):
                stale_ids = set(self._rdb._get_stale_trial_ids(self._study._study_id))
        now = time.time()
        lost = []
        for t in self._study.get_trials(deepcopy=False):
            if t.state.name != "RUNNING" or t.number in self._live:  # WAITING: queued only
                continue
            worker = t.system_attrs.get(WORKER_ATTR)
            alive = worker_alive(worker) if worker else None
            if worker == self.worker:
                alive = False  # this process runs no trial it did not ask for here
            if alive is False or t._trial_id in stale_ids:
                is_lost = True
            elif alive is True or self._rdb is not None:
                is_lost = False  # its process runs, or (another host) its heartbeat is fresh
            elif (stale := beat_stale(t.system_attrs, GRACE_PERIOD, now)) is not None:
                is_lost = stale  # another host, journal file: its last beat tells
            elif stopped:
                is_lost = True
            else:  # another host, no heartbeats: only a trial of no known worker, long ago
                started = t.datetime_start.timestamp() if t.datetime_start else now
                is_lost = worker is None and now - started > GRACE_PERIOD
            if is_lost:
                lost.append(
                    TrialRecord(
                        t.number, TrialState.RUNNING, None, dict(t.params), dict(t.user_attrs)
                    )
                )
        return lost

    def fail_stale(self, number: int, reason: str) -> None:
        self._settle(number, "FAIL", None, {"reason": reason})

    def complete_stale(self, number: int, value: float, attrs: Mapping[str, Any]) -> None:
        """Mark a lost trial COMPLETE with the value its worker recorded elsewhere."""
        self._settle(number, "COMPLETE", value, attrs)

    def _settle(
        self, number: int, state: str, value: float | None, attrs: Mapping[str, Any]
    ) -> None:
        import optuna

        trial = next(t for t in self._study.get_trials(deepcopy=False) if t.number == number)
        storage = self._study._storage
        with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
            for key, val in attrs.items():
                storage.set_trial_user_attr(trial._trial_id, key, val)
            storage.set_trial_state_values(
                trial._trial_id,
                optuna.trial.TrialState[state],
                None if value is None else [value],
            )

    def get_metadata(self) -> dict[str, Any]:
        return {k: v for k, v in self._study.user_attrs.items() if k != "created_ns"}

    def set_metadata(self, key: str, value: Any) -> None:
        self._study.set_user_attr(key, value)


def read_trials(storage_url: str, search_id: str) -> list[TrialRecord]:
    """The trials of study ``search_id`` in a storage, read only (for ``archsmith doctor``).

    Raises:
        SpecError: the storage cannot be opened or has no such study.
    """
    import optuna

    storage = open_storage(storage_url, heartbeat=False)
    with _quiet():
        try:
            study = optuna.load_study(study_name=search_id, storage=storage)
        except KeyError:
            raise SpecError(
                f"no search {search_id!r} in the engine storage {mask_password(storage_url)}",
                path="search.storage",
            ) from None
    return [
        TrialRecord(
            t.number,
            _STATES[t.state.name],
            t.value,
            dict(t.params),
            {**dict(t.user_attrs), "worker": t.system_attrs.get(WORKER_ATTR)},
        )
        for t in study.get_trials(deepcopy=False)
        if t.state.name in _STATES and not t.system_attrs.get(GIVEN_BACK)
    ]
