"""``andromede worker`` as operators run it beside the API: it says on its standard error
when it has closed the month just ended (the hourly close's first pass runs at start)."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import cli_server, free_port, load_demo, service_env

pytestmark = pytest.mark.e2e


def test_the_worker_logs_the_month_it_closed(tmp_path: Path) -> None:
    env = service_env(tmp_path, free_port())
    load_demo(tmp_path, env, {})
    log = tmp_path / "worker.log"
    worker = cli_server().start(["worker"], env, log)
    try:
        deadline, said = time.monotonic() + 60, ""
        while time.monotonic() < deadline and "closed by this worker" not in said:
            time.sleep(0.2)
            said = log.read_text() if log.exists() else ""
        previous = (datetime.now(UTC).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        assert f"andromede.worker month {previous} closed by this worker: " in said, said
        assert worker.poll() is None  # it goes on
    finally:
        worker.terminate()
        worker.wait(timeout=10)
