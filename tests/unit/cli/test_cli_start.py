"""A client command loads the CLI, not the server: importing the command tree pulls in no
database layer, web framework or service (each e2e journey runs hundreds of commands, and
every user waits for each start). Nor the audit log's signatures (``cryptography``: a
tenth of the start), which only the commands that sign or verify load."""

import json
import subprocess
import sys

PROBE = "import sys, json, andromede.cli.main; print(json.dumps(list(sys.modules)))"
SERVER_SIDE = (
    "sqlalchemy",
    "fastapi",
    "andromede.bootstrap",
    "andromede.db",
    "pydantic",
    "cryptography",
    "andromede.audit",
)


def test_the_command_tree_loads_no_server_module() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    modules = json.loads(loaded.stdout)
    assert "andromede.cli.resources" in modules  # the client's commands are there
    assert [m for m in modules if m.split(".")[0] in SERVER_SIDE or m in SERVER_SIDE] == []
