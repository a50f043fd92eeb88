"""New SQLite MLflow stores from one migrated template per test process.

A fresh ``mlflow.db`` runs MLflow's 60-odd Alembic migrations (about 1.2 CPU seconds, a
fifth of a one-trial search), and most tests create one. :func:`install` makes MLflow's
``_initialize_tables`` create the first new SQLite store of the process for real and keep
a copy of it; each later new, empty store file gets the bytes of that copy instead: the
schema and the rows of the same migrations of the same MLflow, a real MLflow store
afterwards. Anything else (another database, an in-memory, non-empty or unwritable file, an
error while copying) goes through MLflow's own code as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def _sqlite_file(engine: Any) -> Path | None:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    if engine.url.database == ":memory:" or engine.url.query:
        return None
    return Path(engine.url.database)


def install() -> None:
    """Patch ``mlflow.store.db.utils._initialize_tables`` for this process (idempotent)."""
    from mlflow.store.db import utils

    real = utils._initialize_tables
    if getattr(real, "archsmith_template", False):
        return
    template: dict[str, Path] = {}

    def initialize_tables(engine: Any) -> None:
        path = _sqlite_file(engine)
        fresh = (
            path is not None
            and path.is_file()
            and path.stat().st_size == 0
            and os.access(path, os.W_OK)
            and not Path(f"{path}-wal").exists()
        )
        if not fresh or "db" not in template:
            real(engine)
            if fresh and path is not None:  # the first one: keep a copy
                engine.dispose()
                copy = Path(tempfile.mkdtemp(prefix="mlflow-template-")) / "mlflow.db"
                shutil.copyfile(path, copy)
                template["db"] = copy
            return
        assert path is not None
        engine.dispose()  # no pooled connection on the empty file while it is replaced
        try:
            shutil.copyfile(template["db"], path)
        except OSError:
            real(engine)

    initialize_tables.archsmith_template = True  # type: ignore[attr-defined]
    utils._initialize_tables = initialize_tables
