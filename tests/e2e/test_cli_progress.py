"""Long server-side commands show what they are doing in a terminal, and only there: a
month close draws its bars, an export its spinner; piped, the output is as before."""

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import BIN, free_port, load_demo, service_env

pytestmark = pytest.mark.e2e

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """The command run with a pseudo-terminal as its output: exit code, what it drew."""
    main, other = pty.openpty()
    with subprocess.Popen([str(BIN), *args], env=env, stdout=other, stderr=other) as process:
        os.close(other)
        drawn = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the command ended and closed its side
                break
            if not chunk:
                break
            drawn += chunk
        code = process.wait(timeout=120)
    os.close(main)
    return code, ANSI.sub("", drawn.decode("utf-8", "replace"))


def test_a_close_and_an_export_show_their_progress_in_a_terminal(tmp_path: Path) -> None:
    env = {**service_env(tmp_path, free_port()), "COLUMNS": "120", "TERM": "xterm"}
    load_demo(tmp_path, env, {})
    code, drawn = in_terminal(["billing", "close", "2026-10"], env)
    assert code == 0 and "planning usage, partner by partner" in drawn, drawn
    assert "issuing invoices" in drawn and "2026-10: " in drawn
    out = str(tmp_path / "exports")
    code, drawn = in_terminal(["billing", "export", "2026-10", "--out", out], env)
    assert code == 0 and "reading and rating 2026-10's usage" in drawn, drawn
    assert "writing 2026-10's files" in drawn
    piped = subprocess.run(
        [str(BIN), "billing", "close", "2026-10"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.returncode == 0 and "planning" not in piped.stdout + piped.stderr
    assert piped.stdout.startswith("2026-10: 0 invoices issued")  # no empty line first
