"""A server-side command starts with the cyclic collector paused, and what it made then
leaves the collector's view: importing the server and building it make objects that
live as long as the process, and collecting them at start-up found nothing (hundreds of
collections, a tenth of every `serve`'s start). The collector runs again afterwards."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import gc, json
from andromede.cli.server_side import build_container  # the CLI's own: loaded before
made = []
gc.callbacks.append(lambda when, info: when == "start" and made.append(info["generation"]))
tracked = len(gc.get_objects())
container = build_container()
print(json.dumps({
    "collections": len(made),
    "enabled": gc.isenabled(),
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "before": tracked,
    "built": container is not None,
}))
"""


def test_the_server_is_imported_and_built_without_a_collection(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ANDROMEDE_DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}",
        "ANDROMEDE_SIM_STATE_PATH": str(tmp_path / "hv.db"),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["built"] and found["enabled"]
    assert found["collections"] == 0, found  # without the pause: over a hundred
    # what start-up made is frozen: the collector is left with fewer objects than before
    assert found["frozen"] > 100_000 and found["tracked"] < found["before"], found
