"""MLflow tracker. Owns its own ``MlflowClient``; never touches MLflow's global state."""

from __future__ import annotations

import json
import logging
import tempfile
import time
import urllib.parse
from collections.abc import Mapping
from collections.abc import Sequence
from importlib import metadata as importlib_metadata
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from archsmith.exceptions import ArchsmithError
from archsmith.exceptions import NotFound
from archsmith.exceptions import SpecError
from archsmith.spec import mask_password
from archsmith.tracking._base import SearchRun
from archsmith.tracking._model_files import model_files
from archsmith.tracking._pareto import mark_pareto
from archsmith.tracking._pareto import parse_objectives
from archsmith.tracking._store import dataset_inputs
from archsmith.tracking._store import fast_sqlite
from archsmith.tracking._store import hushed
from archsmith.tracking._store import masked_error
from archsmith.tracking._store import probe_database
from archsmith.tracking._store import store_uris

logger = logging.getLogger("archsmith")

# MLflow 3's UI opens an experiment with this tag value on its runs table (model training),
# not on the GenAI traces view it shows for untagged experiments.
EXPERIMENT_KIND = ("mlflow.experimentKind", "custom_model_development")
_STATUS = {"COMPLETE": "FINISHED", "PRUNED": "KILLED", "FAILED": "FAILED"}
_MAX_PARAM = 6000
_MAX_TAG = 8000


def _str(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class MlflowTracker:
    """Logs searches and trials to MLflow.

    Args:
        uri: a folder (default store: SQLite + artifacts folder inside it) or an MLflow
            tracking URI (``http://…``, ``postgresql://…``, ``sqlite:///…``).

    Example:
        >>> tracker = MlflowTracker("mlruns")  # doctest: +SKIP
    """

    def __init__(self, uri: str = "mlruns") -> None:
        from mlflow.tracking import MlflowClient

        self.tracking_uri, self.artifact_root = store_uris(uri)
        for name in ("mlflow.store.db.utils", "alembic.runtime.migration"):
            logging.getLogger(name).setLevel(logging.WARNING)
        try:
            if "://" in self.tracking_uri and not self.tracking_uri.startswith("sqlite:"):
                self.client = self._open_remote()
            else:
                self.client = MlflowClient(tracking_uri=self.tracking_uri)
        except Exception as exc:
            raise SpecError(
                f"cannot open the tracking store {mask_password(uri)}: "
                f"{masked_error(exc, self.tracking_uri)}",
                path="tracking.uri",
            ) from None
        if self.artifact_root is not None:  # archsmith's own folder store
            fast_sqlite(self.client)
        self._epochs: dict[str, list[Any]] = {}
        self._experiments: dict[str, str] = {}  # search run id -> experiment id

    def _open_remote(self) -> Any:
        """Reach a database or server store now (not in the middle of a search).

        Several workers starting at once may race to create MLflow's tables: retry.
        """
        from mlflow.tracking import MlflowClient

        if not self.tracking_uri.startswith(("http:", "https:", "databricks")):
            probe_database(self.tracking_uri)
        for attempt in range(8):
            try:
                client = MlflowClient(tracking_uri=self.tracking_uri)
                client.search_experiments(max_results=1)
                return client
            except Exception as exc:
                text = str(exc).lower()
                race = "already exists" in text or "relation" in text or "duplicate" in text
                if attempt == 7 or not race:
                    raise
                time.sleep(min(1.0 + attempt, 5.0))

    # -- searches --------------------------------------------------------------------------
    def _experiment_id(self, name: str, create: bool = True) -> str | None:
        exp = self.client.get_experiment_by_name(name)
        if exp is not None:
            if exp.lifecycle_stage == "deleted":
                self.client.restore_experiment(exp.experiment_id)
            return str(exp.experiment_id)
        if not create:
            return None
        location = f"{self.artifact_root}/{name}" if self.artifact_root else None
        return str(self.client.create_experiment(name, artifact_location=location))

    def start_search(
        self,
        experiment: str,
        name: str,
        *,
        params: Mapping[str, Any],
        tags: Mapping[str, str],
        texts: Mapping[str, str],
        resume_run_id: str | None = None,
    ) -> str:
        from mlflow.entities import Param

        if resume_run_id:
            self.client.update_run(resume_run_id, status="RUNNING")
            return resume_run_id
        exp_id = self._experiment_id(experiment)
        assert exp_id is not None
        self.client.set_experiment_tag(exp_id, *EXPERIMENT_KIND)
        run = self.client.create_run(
            exp_id,
            run_name=name,
            tags={"archsmith.role": "search", **{k: _str(v, _MAX_TAG) for k, v in tags.items()}},
        )
        run_id = str(run.info.run_id)
        self.client.log_batch(
            run_id, params=[Param(k, _str(v, _MAX_PARAM)) for k, v in params.items()]
        )
        for file_name, text in texts.items():
            self.client.log_text(run_id, text, file_name)
        return run_id

    def log_dataset_inputs(
        self,
        run_id: str,
        name: str,
        fingerprint: str,
        rows: Mapping[str, int],
        columns: Sequence[tuple[str, str]],
    ) -> None:
        """Record the search's data as MLflow dataset inputs of its run (see
        :func:`dataset_inputs`); no copy of the rows."""
        self.client.log_inputs(run_id, datasets=dataset_inputs(name, fingerprint, rows, columns))

    def end_search(
        self, run_id: str, status: str, metrics: Mapping[str, float], leaderboard: pd.DataFrame
    ) -> None:
        from mlflow.entities import Metric

        stamp = _now_ms()
        self.client.log_batch(
            run_id, metrics=[Metric(k, float(v), stamp, 0) for k, v in metrics.items()]
        )
        self.client.log_text(run_id, leaderboard.to_csv(index=False), "leaderboard.csv")
        self.client.set_terminated(run_id, status=status)

    # -- trials ----------------------------------------------------------------------------
    def start_trial(self, search_run: str, number: int, params: Mapping[str, Any]) -> str:
        from mlflow.entities import Param

        if search_run not in self._experiments:
            self._experiments[search_run] = self.client.get_run(search_run).info.experiment_id
        run = self.client.create_run(
            self._experiments[search_run],
            run_name=f"trial-{number:03d}" if number >= 0 else "baseline",
            tags={
                "mlflow.parentRunId": search_run,
                "archsmith.role": "trial",
                "archsmith.trial": str(number),
                "archsmith.state": "RUNNING",
            },
        )
        run_id = str(run.info.run_id)
        self.client.log_batch(
            run_id, params=[Param(k, _str(v, _MAX_PARAM)) for k, v in params.items()]
        )
        self._epochs[run_id] = []
        return run_id

    def log_epoch(self, run_id: str, epoch: int, metrics: Mapping[str, float]) -> None:
        from mlflow.entities import Metric

        stamp = _now_ms()
        self._epochs.setdefault(run_id, []).extend(
            Metric(k, float(v), stamp, epoch) for k, v in metrics.items()
        )

    def end_trial(
        self, run_id: str, state: str, metrics: Mapping[str, float], tags: Mapping[str, str]
    ) -> None:
        from mlflow.entities import Metric
        from mlflow.entities import RunTag

        stamp = _now_ms()
        batch = self._epochs.pop(run_id, [])
        batch += [Metric(k, float(v), stamp, 0) for k, v in metrics.items()]
        all_tags = [RunTag("archsmith.state", state)]
        all_tags += [RunTag(k, _str(v, _MAX_TAG)) for k, v in tags.items()]
        for start in range(0, max(len(batch), 1), 900):  # MLflow takes 1000 per batch
            self.client.log_batch(
                run_id, metrics=batch[start : start + 900], tags=all_tags if start == 0 else []
            )
        self.client.set_terminated(run_id, status=_STATUS[state])

    def fail_running_trials(self, search_run: str, reason: str) -> list[str]:
        failed = []
        for run in self._children(search_run):
            if run.info.status == "RUNNING":
                self.client.set_tag(run.info.run_id, "archsmith.state", "FAILED")
                self.client.set_tag(run.info.run_id, "archsmith.reason", reason)
                self.client.set_terminated(run.info.run_id, status="FAILED")
                failed.append(str(run.info.run_id))
        return failed

    def trial_runs(self, search_run: str) -> dict[int, list[dict[str, Any]]]:
        """The child runs of a search by trial number (normally one run per trial).

        Baseline rows (runs tagged ``archsmith.baseline``) are not trials and are left out.

        Each run is ``{"run_id", "status", "state", "score", "reason", "artifact_uri"}``.
        """
        runs: dict[int, list[dict[str, Any]]] = {}
        for run in self._children(search_run):
            tags = run.data.tags
            if "archsmith.baseline" in tags:  # e.g. the seasonal-naive row: no engine trial
                continue
            number = int(tags.get("archsmith.trial", -1))
            runs.setdefault(number, []).append(
                {
                    "run_id": str(run.info.run_id),
                    "status": run.info.status,
                    "state": tags.get("archsmith.state", ""),
                    "score": run.data.metrics.get("score"),
                    "reason": tags.get("archsmith.reason", ""),
                    "artifact_uri": run.info.artifact_uri,
                }
            )
        return runs

    def fail_run(self, run_id: str, reason: str) -> None:
        """Close one child run as FAILED with ``reason`` (a trial whose worker was lost)."""
        from mlflow.entities import RunTag

        tags = [RunTag("archsmith.state", "FAILED"), RunTag("archsmith.reason", reason)]
        self.client.log_batch(run_id, tags=tags)
        self.client.set_terminated(run_id, status="FAILED")

    def close_run(self, run_id: str) -> None:
        """Terminate a child run whose results were written but not its end (FINISHED)."""
        self.client.set_terminated(run_id, status="FINISHED")

    def record_lost_trial(
        self, search_run: str, number: int, params: Mapping[str, Any], reason: str
    ) -> str:
        """A FAILED child run for a trial whose worker died before opening one."""
        run_id = self.start_trial(search_run, number, params)
        self._epochs.pop(run_id, None)
        self.fail_run(run_id, reason)
        return run_id

    def orphan_artifacts(self, experiment: str) -> list[str]:
        """Artifact folders of a local store that belong to no run of ``experiment``."""
        exp_id = self._experiment_id(experiment, create=False)
        if exp_id is None:
            return []
        location = self.client.get_experiment(exp_id).artifact_location
        if not location.startswith("file:"):
            return []
        folder = Path(urllib.parse.urlparse(location).path)
        if not folder.is_dir():
            return []
        from mlflow.entities import ViewType

        runs = self.client.search_runs([exp_id], run_view_type=ViewType.ALL, max_results=50_000)
        known = {str(r.info.run_id) for r in runs}
        return sorted(str(p) for p in folder.iterdir() if p.is_dir() and p.name not in known)

    # -- artifacts -------------------------------------------------------------------------
    def log_file(self, run_id: str, path: Path, artifact_path: str | None = None) -> None:
        self.client.log_artifact(run_id, str(path), artifact_path)

    def artifact_path(self, run_id: str, path: str) -> Path:
        """The artifact in place for a local store; a downloaded copy otherwise."""
        base = self.client.get_run(run_id).info.artifact_uri
        if base.startswith("file://"):
            local = Path(urllib.parse.urlparse(base).path) / path
            if local.exists():
                return local
        dest = tempfile.mkdtemp(prefix="archsmith-")
        with hushed():
            return Path(self.client.download_artifacts(run_id, path, dest))

    def log_model(
        self,
        run_id: str,
        keras_file: Path,
        metadata: Mapping[str, Any],
        input_example: pd.DataFrame,
    ) -> str:
        """Log the model as an MLflow pyfunc (``archsmith/serving.py`` as model code)."""
        import mlflow.pyfunc
        from mlflow.models import infer_signature

        code = resources.files("archsmith") / "serving.py"
        with hushed(), tempfile.TemporaryDirectory(prefix="archsmith-") as tmp:
            meta = Path(tmp) / "archsmith.json"
            meta.write_text(json.dumps(metadata, default=str))
            predictions = metadata.get("example_predictions")
            signature = infer_signature(input_example, predictions)
            target = Path(tmp) / "model"
            mlflow.pyfunc.save_model(
                str(target),
                python_model=str(code),
                artifacts={"keras_model": str(keras_file), "metadata": str(meta)},
                signature=signature,
                input_example=input_example,
                pip_requirements=_requirements(),
            )
            self.client.log_artifacts(run_id, str(target), "model")
        return f"runs:/{run_id}/model"

    # -- reading back ----------------------------------------------------------------------
    def _children(self, search_run: str) -> list[Any]:
        parent = self.client.get_run(search_run)
        return list(
            self.client.search_runs(
                [parent.info.experiment_id],
                filter_string=f"tags.mlflow.parentRunId = '{search_run}'",
                max_results=50_000,
            )
        )

    def search_run(self, run_id: str) -> SearchRun:
        run = self.client.get_run(run_id)
        return SearchRun(
            run_id=run_id,
            name=str(run.info.run_name or ""),
            status=str(run.info.status),
            params=dict(run.data.params),
            tags=dict(run.data.tags),
            artifacts=tuple(a.path for a in self.client.list_artifacts(run_id)),
        )

    def latest_search(self, experiment: str) -> str:
        exp_id = self._experiment_id(experiment, create=False)
        runs = (
            []
            if exp_id is None
            else self.client.search_runs(
                [exp_id],
                filter_string="tags.`archsmith.role` = 'search'",
                order_by=["attributes.start_time DESC"],
                max_results=1,
            )
        )
        if not runs:
            raise NotFound(f"no search named '{experiment}' in {mask_password(self.tracking_uri)}")
        return str(runs[0].info.run_id)

    def best_model_file(self, experiment: str) -> tuple[Path, int]:
        """The ``.keras`` file of the best trial of the latest search, and its number.

        Raises:
            ArchsmithError: no such search, or it has no completed trial with a model.
        """
        board = self.leaderboard(experiment)
        done = board[board["state"] == "COMPLETE"] if len(board) else board
        if not len(done):
            raise ArchsmithError(
                f"the latest search named '{experiment}' has no completed trial, so no model"
            )
        row = done.iloc[0]
        path = self.artifact_path(str(row["run_id"]), "model/model.keras")
        if not path.is_file():
            raise ArchsmithError(
                f"trial {int(row['trial'])} of search '{experiment}' has no model file "
                f"(run {row['run_id']}); the search may still be running"
            )
        return path, int(row["trial"])

    def search_model_files(self, experiment: str) -> tuple[Path, Path]:
        """The ``.keras`` file and metadata JSON of the model a finished search logged.

        Nothing stored with the model is executed (see ``_model_files``);
        ``archsmith.served.load_served`` turns the two files into a predictor.

        Raises:
            ArchsmithError: no such search, or it logged no model (failed or unfinished).
        """
        run_id = self.latest_search(experiment)
        files = {a.path for a in self.client.list_artifacts(run_id)}
        if "model" not in files:
            raise ArchsmithError(
                f"the latest search named '{experiment}' (run {run_id}) logged no model: "
                "it failed, was stopped, or is still running"
            )
        local = self.artifact_path(run_id, "model")  # runs:/ URIs would use MLflow's global URI
        return model_files(local)

    def leaderboard(self, experiment: str, search_run: str | None = None) -> pd.DataFrame:
        """One row per trial, best first (by the search's direction), failed trials last.

        Columns: trial, state, score, the ``val.*`` metrics, params_count, epochs,
        fit_seconds, then one column per param (dotted names), reason and run_id.
        """
        search_run = search_run or self.latest_search(experiment)
        search_params = self.client.get_run(search_run).data.params
        direction = search_params.get("direction", "maximize")
        objectives = parse_objectives(search_params.get("objectives"))
        rows = []
        for run in self._children(search_run):
            tags = run.data.tags
            rows.append(
                {
                    "trial": int(tags.get("archsmith.trial", -1)),
                    "state": tags.get("archsmith.state", run.info.status),
                    "score": run.data.metrics.get("score"),
                    **{
                        k: v
                        for k, v in run.data.metrics.items()
                        if k.startswith("val.")
                        or k in ("params_count", "epochs", "fit_seconds", "latency_ms")
                    },
                    **run.data.params,
                    "reason": tags.get("archsmith.reason", ""),
                    "run_id": run.info.run_id,
                }
            )
        frame = pd.DataFrame(rows)
        for column in frame.columns:  # MLflow keeps params as strings
            if column not in ("state", "reason", "run_id"):
                try:
                    frame[column] = pd.to_numeric(frame[column])
                except (ValueError, TypeError):
                    continue
        if not len(frame):
            return frame
        frame = frame.sort_values(
            ["score", "trial"], ascending=[direction == "minimize", True], na_position="last"
        )
        if len(objectives) > 1:  # a multi-objective search marks its Pareto front
            frame = mark_pareto(frame, objectives)
        return frame.reset_index(drop=True)

    def log_plots(
        self, run_id: str, leaderboard: pd.DataFrame, objectives: Sequence[tuple[str, str]]
    ) -> list[str]:
        """Log the search's plots (history, param importances, Pareto front) as PNG files."""
        from archsmith.tracking._plots import write_plots

        with tempfile.TemporaryDirectory(prefix="archsmith-") as tmp:
            files = write_plots(leaderboard, objectives, Path(tmp))
            for path in files:
                self.client.log_artifact(run_id, str(path), "plots")
        return [f"plots/{p.name}" for p in files]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _requirements() -> list[str]:
    reqs = []
    for dist in ("archsmith", "keras", "tensorflow-cpu", "tensorflow", "pandas", "numpy"):
        try:
            reqs.append(f"{dist}=={importlib_metadata.version(dist)}")
        except importlib_metadata.PackageNotFoundError:
            continue
    return reqs
