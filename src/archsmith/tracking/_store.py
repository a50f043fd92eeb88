"""The MLflow store behind a ``tracking.uri``: where it lives, fast SQLite settings, a
connection probe, quiet calls and masked errors (helpers of ``MlflowTracker``)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archsmith.spec import mask_secrets


def store_root(uri: str) -> Path | None:
    """The local folder of a ``tracking.uri`` that names one, else None (a URI)."""
    if "://" in uri or uri.startswith(("sqlite:", "file:", "databricks")):
        return None
    return Path(uri).expanduser().resolve()


def store_uris(uri: str) -> tuple[str, str | None]:
    """Tracking URI and artifact root for a declaration's ``tracking.uri``.

    A plain folder (the default ``mlruns``) becomes ``sqlite:///<folder>/mlflow.db`` with
    artifacts in ``<folder>/artifacts``; anything with a scheme is used as is.
    """
    root = store_root(uri)
    if root is None:
        return uri, None
    root.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{root / 'mlflow.db'}", (root / "artifacts").as_uri()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def fast_sqlite(client: Any) -> None:
    """Write-ahead logging without an fsync per commit on archsmith's own SQLite store.

    MLflow opens SQLite in rollback-journal mode with ``synchronous=FULL``: every one of
    the four or five commits of a trial waits for the disk (measured 25-60 ms per trial,
    the largest part of the search's own overhead). In WAL mode with ``synchronous=NORMAL``
    a commit survives a crash or kill of the process (only a power cut can lose the last
    commits) and costs no fsync: 8-12 ms per trial. Applied only to the store archsmith
    creates in a folder (never to a URI the user passed). Reaches MLflow's SQLAlchemy engine
    through a private attribute; if that changes, the store keeps MLflow's defaults.
    """
    try:
        from sqlalchemy import event

        engine = client._tracking_client.store.engine
    except (ImportError, AttributeError):
        return
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _sqlite_pragmas):
        return
    event.listen(engine, "connect", _sqlite_pragmas)
    engine.dispose()  # pooled connections reopen with the pragmas


@contextlib.contextmanager
def hushed() -> Iterator[None]:
    """Silence MLflow's progress bars, INFO lines and hints for one call, then restore."""
    logger_ = logging.getLogger("mlflow")
    level = logger_.level
    old = os.environ.get("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR")
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
    logger_.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        logger_.setLevel(level)
        if old is None:
            os.environ.pop("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", None)
        else:
            os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = old


def probe_database(uri: str) -> None:
    """Connect once, so that an unreachable database or a wrong password fails at once
    (MLflow itself retries for about 100 s)."""
    import sqlalchemy

    args = {"connect_timeout": 10} if uri.startswith("postgresql") else {}
    engine = sqlalchemy.create_engine(uri, connect_args=args)
    try:
        with engine.connect():
            pass
    finally:
        engine.dispose()


def masked_error(exc: BaseException, url: str) -> str:
    """An exception's text on one line, cut short, with the URL's password masked."""
    text = " ".join(str(exc).split()).split("(Background on this error")[0].strip()
    text = mask_secrets(text, url)
    return f"{type(exc).__name__}: {text[:400]}"


_COLSPEC = {"numeric": "double", "boolean": "boolean", "categorical": "string"}
_CONTEXT = {"train": "training", "validation": "validation", "test": "test"}


def dataset_inputs(
    name: str, fingerprint: str, rows: Mapping[str, int], columns: Sequence[tuple[str, str]]
) -> list[Any]:
    """MLflow ``DatasetInput``s of a search's data: one per non-empty split, named
    ``<name>-<split>``, digest = the dataset fingerprint, the columns as an MLflow column
    schema (``mlflow_colspec``), the row count as profile, context tag ``training``,
    ``validation`` or ``test``. The rows themselves are not copied."""
    from mlflow.entities import Dataset
    from mlflow.entities import DatasetInput
    from mlflow.entities import InputTag

    colspec = [{"name": n, "type": _COLSPEC.get(k, "string")} for n, k in columns]
    schema = json.dumps({"mlflow_colspec": colspec}) if colspec else None
    return [
        DatasetInput(
            Dataset(
                name=f"{name}-{split}",
                digest=fingerprint,
                source_type="code",
                source=json.dumps({"archsmith.search": name, "split": split}),
                schema=schema,
                profile=json.dumps({"num_rows": int(count)}),
            ),
            tags=[InputTag("mlflow.data.context", _CONTEXT.get(split, split))],
        )
        for split, count in rows.items()
        if count
    ]
