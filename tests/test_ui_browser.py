"""The MLflow UI in a real browser: ``archsmith ui`` over a store holding one small search,
opened in headless Chromium (Debian's ``chromium``, driven by Playwright).

Checks what a person would look for: the experiment link that ``archsmith ui`` prints opens
the runs table (MLflow's model-training view, not its GenAI overview), which shows the
search's parent run, its dataset and, expanded, its trials; the parent run's artifacts hold
the logged model. Screenshots are saved in the test's temporary folder. Skipped where no
Chromium or no Playwright is installed (``.ci/run`` installs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from conftest import mixed_frame
from mlflow_server import free_port
from mlflow_server import wait_healthy

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason="no chromium (apt-get install chromium)"
)
#: Chromium as a quiet, offline, throw-away browser (Playwright's own download is not used).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 90_000  # a loaded 2-core CI machine takes tens of seconds to render the first page


def serve(folder: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """``archsmith ui`` over ``folder/mlruns`` on a free port, answering; its printed lines."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MLFLOW_DISABLE_TELEMETRY": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "archsmith", "ui", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline().strip()]  # the banner comes before MLflow starts
    while lines[-1] and "/#/experiments/" not in lines[-1]:
        lines.append(proc.stdout.readline().strip())
    # keep reading, so that MLflow never blocks on a full pipe
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    wait_healthy(proc, port, 180, lines)
    return proc, lines


def test_the_ui_shows_the_search_its_trials_dataset_and_model(tmp_path: Path) -> None:
    from archsmith.runner import run_search

    result = run_search(
        {
            "name": "browse",
            "task": {"type": "classification", "target": "y"},
            "search": {"engine": "random", "space": "mlp", "max_trials": 2},
            "training": {"epochs": 1},
            "tracking": {"uri": str(tmp_path / "mlruns")},
        },
        mixed_frame(120),
    )
    proc, lines = serve(tmp_path)
    expect = sync_api.expect
    expect.set_options(timeout=WAIT_MS)
    try:
        link = lines[-1].split(": ", 1)[1]
        assert lines[-1].startswith("browse: ") and "workflowType=machine_learning" in link
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),  # a fresh profile
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1600, "height": 1000},
            )
            page = browser.new_page()
            page.goto(link, timeout=WAIT_MS)
            # the runs table of the model-training view, not the GenAI traces overview
            parent = page.get_by_role("row").filter(has_text=result.search_id)
            expect(parent).to_be_visible()
            expect(page.get_by_text("Run Name", exact=True)).to_be_visible()
            expect(page.get_by_text("No data available")).to_have_count(0)
            assert "/runs" in page.url
            # the dataset inputs (the table's columns right of the names are another row)
            dataset = page.get_by_test_id("open-dataset-drawer").filter(has_text="browse-train")
            expect(dataset).to_be_visible()
            parent.locator("button").first.click()  # expand: the trials below their search
            for trial in ("trial-000", "trial-001"):
                expect(page.get_by_role("link", name=trial, exact=True)).to_be_visible()
            page.screenshot(path=str(tmp_path / "runs.png"))
            page.get_by_role("link", name=result.search_id, exact=True).click()
            page.get_by_role("tab", name="Artifacts").click(timeout=WAIT_MS)
            page.get_by_text("model", exact=True).first.click(timeout=WAIT_MS)
            for name in ("MLmodel", "serving.py"):  # the pyfunc model: its files
                expect(page.get_by_text(name, exact=True)).to_be_visible()
            expect(page.get_by_role("button", name="Register model")).to_be_visible()
            page.screenshot(path=str(tmp_path / "model.png"))
            browser.close()
        assert (tmp_path / "runs.png").stat().st_size > 10_000
        print(f"\nscreenshots: {tmp_path / 'runs.png'}, {tmp_path / 'model.png'}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)  # archsmith ui stops the MLflow server's group on SIGTERM
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
