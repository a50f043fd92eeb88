"""KerasTuner engine: the engine-neutral space through KerasTuner's oracles, ask/tell style.

Only KerasTuner's *oracles* (the algorithms: ``random``, ``bayesian``, ``hyperband``) are
used; the runner builds, trains and tracks every trial exactly as for Optuna. The space is
translated once into ``keras_tuner.HyperParameters`` with conditional scopes, so KerasTuner
knows the whole space before trial 0 and samples only active params. ``keras_tuner``
imports Keras, so it is imported only when this engine is created.

The oracle keeps its files in a folder per search, ``<storage>/<name>/<timestamp>-<id>``
(by default under the tracking folder: ``mlruns/kerastuner``), next to ``archsmith.json``,
which holds the trials' states, values and attributes and the search's metadata; both let
``resume`` continue the search.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from archsmith.engines._base import Engine
from archsmith.engines._base import SearchExhausted
from archsmith.engines._base import Trial
from archsmith.engines._base import TrialRecord
from archsmith.engines._base import TrialState
from archsmith.engines._base import Values
from archsmith.engines._base import as_values
from archsmith.exceptions import SpecError
from archsmith.search_space import Bool
from archsmith.search_space import Choice
from archsmith.search_space import Float
from archsmith.search_space import Int
from archsmith.search_space import Param
from archsmith.spec import ENGINE_CAPABILITIES

#: KerasTuner's reserved hyperband values (its epoch budget); never params of ours.
_TUNER_KEYS = ("tuner/epochs", "tuner/initial_epoch", "tuner/bracket", "tuner/round")
_TUNER_ID = "archsmith"
_RECORDS = "archsmith.json"


class _Codec:
    """Our value <-> KerasTuner's value for one param.

    KerasTuner's ``Choice`` takes values of one type (int, float, str or bool); a choice
    mixing types (``[a, 2, null]``) is offered to it as the ``repr`` strings of its values.
    Floats on a step grid are snapped back onto the grid (KerasTuner adds steps in floating
    point, so ``0.1 * 3`` could land just above ``high``).
    """

    def __init__(self, param: Param) -> None:
        self.param = param
        d = param.domain
        self.tokens: dict[Any, Any] | None = None
        if isinstance(d, Choice):
            kinds = {type(v) for v in d.values}
            if len(kinds) != 1 or not kinds <= {str, int, float, bool}:
                self.tokens = {repr(v): v for v in d.values}

    def encode(self, value: Any) -> Any:
        return repr(value) if self.tokens is not None else value

    def decode(self, value: Any) -> Any:
        d = self.param.domain
        if self.tokens is not None:
            return self.tokens[value]
        if isinstance(d, Float):
            value = float(value)
            if d.step:
                value = d.low + round((value - d.low) / d.step) * d.step
            return min(max(value, d.low), d.high)
        if isinstance(d, Int):
            return min(max(int(value), d.low), d.high)
        if isinstance(d, Bool):
            return bool(value)
        return value


class KerasTunerEngine(Engine):
    """KerasTuner's ``random``, ``bayesian`` and ``hyperband`` oracles behind ask/tell.

    ``hyperband`` is multi-fidelity: each trial gets an epoch budget (``Trial.epochs``) and
    promoted candidates come back as new trials with a larger budget, trained from scratch.
    KerasTuner treats seed 0 as "no seed", so the oracle gets ``seed + 1``.

    Example:
        >>> engine = make_engine(  # doctest: +SKIP
        ...     "kerastuner", space, name="s", direction="maximize",
        ...     algorithm="bayesian", storage="mlruns/kerastuner")
        >>> trial = engine.ask()  # doctest: +SKIP
        >>> engine.tell(trial, TrialState.COMPLETE, 0.9)  # doctest: +SKIP
    """

    capabilities = ENGINE_CAPABILITIES["kerastuner"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.storage is None or "://" in self.storage or self.storage.endswith(".journal"):
            raise SpecError(
                f"engine 'kerastuner' keeps its trials in a folder, but got {self.storage!r}",
                path="search.storage",
            )
        self._codecs = {p.name: _Codec(p) for p in self.space.params}
        self._live: dict[int, Any] = {}
        root = Path(self.storage).expanduser().resolve()
        if self.resume:
            self._project = self._latest(root)
            saved = json.loads((root / self._project / _RECORDS).read_text())
            self._created_ns = int(saved["created_ns"])
            self._meta: dict[str, Any] = dict(saved["metadata"])
            self._records = {int(r["number"]): _record(r) for r in saved["trials"]}
        else:
            stamp = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
            self._project = f"{self.name}/{stamp}"
            self._created_ns = time.time_ns()
            self._meta = {}
            self._records = {}
        self._dir = root / self._project
        self._oracle = self._make_oracle(root)
        if self.resume:
            self._oracle.reload()
            self._oracle._retry_queue = []  # no retries: stale trials are failed by the runner
        self._save()

    # -- construction ----------------------------------------------------------------------
    def _hyperparameters(self) -> Any:
        """The space as KerasTuner hyperparameters, each carrying all of its conditions.

        The params are built with their conditions (KerasTuner's ``Parent``: active when
        the parent takes one of the values; several conditions must all hold) instead of
        through nested ``conditional_scope``s, which would require every parent to be
        declared under the same conditions as its child.
        """
        import keras_tuner as kt
        from keras_tuner.engine import hyperparameters as kt_hp
        from keras_tuner.src.engine import conditions  # Parent is not exported publicly

        hps = kt.HyperParameters()
        for param in self.space.params:
            parents = [
                conditions.Parent(c.param, [self._codecs[c.param].encode(v) for v in c.values])
                for c in param.conditions
            ]
            hps.merge([self._declare(kt_hp, param, parents)])
        return hps

    def _declare(self, kt_hp: Any, param: Param, parents: list[Any]) -> Any:
        d, name = param.domain, param.name
        if isinstance(d, Int):
            if d.log:
                return kt_hp.Int(name, d.low, d.high, sampling="log", conditions=parents)
            return kt_hp.Int(name, d.low, d.high, step=d.step, conditions=parents)
        if isinstance(d, Float):
            sampling = "log" if d.log else "linear"
            return kt_hp.Float(
                name, d.low, d.high, step=d.step, sampling=sampling, conditions=parents
            )
        if isinstance(d, Choice):
            values = [self._codecs[name].encode(v) for v in d.values]
            return kt_hp.Choice(name, values, ordered=False, conditions=parents)
        if isinstance(d, Bool):
            return kt_hp.Boolean(name, conditions=parents)
        raise TypeError(f"unknown domain {d!r}")

    def _make_oracle(self, root: Path) -> Any:
        import keras_tuner as kt

        objective = kt.Objective("score", "max" if self.direction == "maximize" else "min")
        common: dict[str, Any] = {
            "objective": objective,
            "hyperparameters": self._hyperparameters(),
            "allow_new_entries": False,
            "tune_new_entries": False,
            "seed": None if self.seed is None else self.seed + 1,
            # the runner records failures and goes on; KerasTuner would stop after 3
            "max_consecutive_failed_trials": 2**31,
        }
        if self.algorithm == "random":
            oracle = kt.oracles.RandomSearchOracle(max_trials=None, **common)
        elif self.algorithm == "bayesian":
            oracle = kt.oracles.BayesianOptimizationOracle(max_trials=None, **common)
        else:
            oracle = kt.oracles.HyperbandOracle(
                max_epochs=self.max_epochs or 50, hyperband_iterations=None, **common
            )
        oracle.verbose = 0
        oracle._set_project_dir(str(root), self._project)
        return oracle

    def _latest(self, root: Path) -> str:
        found = []
        for path in (root / self.name).glob(f"*/{_RECORDS}"):
            created = json.loads(path.read_text()).get("created_ns", 0)
            found.append((created, f"{self.name}/{path.parent.name}"))
        if not found:
            raise SpecError(
                f"no earlier search named '{self.name}' to resume in {root}; run it without "
                "--resume first",
                path="search.storage",
            )
        return max(found)[1]

    def _save(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        data = {
            "created_ns": self._created_ns,
            "metadata": self._meta,
            "trials": [_dump(r) for r in sorted(self._records.values(), key=lambda r: r.number)],
        }
        tmp = self._dir / f".{_RECORDS}.tmp"
        tmp.write_text(json.dumps(data, default=str))
        os.replace(tmp, self._dir / _RECORDS)

    # -- ask / tell ------------------------------------------------------------------------
    @property
    def search_id(self) -> str:
        return self._project

    def ask(self) -> Trial:
        oracle = self._oracle
        # one "tuner" per live trial: KerasTuner hands a tuner its running trial again
        tuner_id = f"{_TUNER_ID}-{uuid.uuid4().hex[:8]}"
        if self._queue:
            given = self._queue.pop(0)
            encoded = {k: self._codecs[k].encode(v) for k, v in given.items() if k in self._codecs}
            populate = oracle.populate_space
            oracle.populate_space = lambda trial_id: {"status": "RUNNING", "values": encoded}
            try:
                kt_trial = oracle.create_trial(tuner_id)
            finally:
                oracle.populate_space = populate
        else:
            kt_trial = oracle.create_trial(tuner_id)
        if kt_trial.status != "RUNNING":
            raise SearchExhausted(
                f"KerasTuner's {self.algorithm} oracle has no new point in space "
                f"'{self.space.name}' ({kt_trial.status})"
            )
        raw = kt_trial.hyperparameters.values
        params: dict[str, Any] = {}
        for param in self.space.params:
            if param.is_active(params) and param.name in raw:
                params[param.name] = self._codecs[param.name].decode(raw[param.name])
        number = int(kt_trial.trial_id)
        budget = raw.get("tuner/epochs")
        self._live[number] = kt_trial
        self._records[number] = TrialRecord(number, TrialState.RUNNING, None, params)
        self._save()
        return Trial(number, params, kt_trial, int(budget) if budget is not None else None)

    def tell(
        self,
        trial: Trial,
        state: TrialState,
        value: Values | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        kt_trial = self._live.pop(trial.number)
        values = as_values(value) if state is TrialState.COMPLETE else ()
        if state is TrialState.COMPLETE:
            self._oracle.update_trial(kt_trial.trial_id, {"score": values[0]})
            kt_trial.status = "COMPLETED"
        else:
            # KerasTuner has no pruned state; a trial stopped early is not scored
            kt_trial.status = "FAILED" if state is TrialState.FAILED else "STOPPED"
            kt_trial.message = (attrs or {}).get("reason")
        self._oracle.end_trial(kt_trial)
        old = self._records.get(trial.number)
        self._records[trial.number] = TrialRecord(
            trial.number,
            state,
            values[0] if values else None,
            trial.params if old is None else old.params,
            dict(attrs or {}),
            values,
        )
        self._save()

    def trials(self) -> list[TrialRecord]:
        return [self._records[n] for n in sorted(self._records)]

    def fail_stale(self, number: int, reason: str) -> None:
        old = self._records[number]
        self._records[number] = TrialRecord(
            number, TrialState.FAILED, None, old.params, {**old.attrs, "reason": reason}
        )
        kt_trial = next((t for k, t in self._oracle.trials.items() if int(k) == number), None)
        if kt_trial is not None and kt_trial.status == "RUNNING":
            kt_trial.status = "FAILED"
            kt_trial.message = reason
            self._oracle.end_order.append(kt_trial.trial_id)
            self._oracle._save_trial(kt_trial)
            self._oracle.save()
        self._save()

    def get_metadata(self) -> dict[str, Any]:
        return dict(self._meta)

    def set_metadata(self, key: str, value: Any) -> None:
        self._meta[key] = value
        self._save()


def _dump(record: TrialRecord) -> dict[str, Any]:
    return {
        "number": record.number,
        "state": record.state.value,
        "value": record.value,
        "values": list(record.values),
        "params": dict(record.params),
        "attrs": dict(record.attrs),
    }


def _record(data: Mapping[str, Any]) -> TrialRecord:
    return TrialRecord(
        int(data["number"]),
        TrialState(data["state"]),
        data["value"],
        dict(data["params"]),
        dict(data["attrs"]),
        tuple(data.get("values") or ()),
    )
