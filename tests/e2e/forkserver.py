"""Runs a command-line tool's entry point (what its installed executable calls) in a new
forked process per command, from one process that imported the tool's libraries once.

Why: a journey sends 10 to 40 commands, and each `openstack` process spends about a
second importing its libraries before it sends anything (an `andromede` command working
on the database, about as long importing the service) — most of a journey's time. A
child forked after those imports starts with nothing else shared: its own environment,
arguments, standard streams, sockets and exit code, as a new process; only the import
work is done once. What a tool makes when its own modules load (our CLI's Rich consoles
read the terminal's width then) is made in the child: the server imports only what is
named as ``preload``, and the entry point's module in the child if not among them. The
server is single-threaded, so forking it is safe.

Protocol, one JSON line each way on standard input and output: a request names the
arguments, the environment and two files for the child's standard output and error; the
answer is the child's exit code.
"""

import importlib
import json
import os
import select
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

OPENSTACK = Path(sys.executable).with_name("openstack")
ANDROMEDE = Path(sys.executable).with_name("andromede")
OPENSTACK_ENTRY = ("openstackclient.shell:main", ["openstackclient.shell"])
ANDROMEDE_ENTRY = ("andromede.cli.main:main", ["andromede.bootstrap", "httpx", "typer", "rich"])


class ForkServer:
    """The test's end: one server per tool and test process, a command at a time.
    ``program`` is the installed executable the commands stand for."""

    def __init__(
        self, program: Path = OPENSTACK, entry: tuple[str, list[str]] = OPENSTACK_ENTRY
    ) -> None:
        self.program = program
        self.process = subprocess.Popen(
            # -P: this folder's own modules (browser.py, ...) never shadow a library's
            [sys.executable, "-P", __file__, str(program), entry[0], *entry[1]],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(
        self, args: list[str], env: Mapping[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        """As ``subprocess.run([program, *args], capture_output=True, text=True)``."""
        assert self.process.stdin and self.process.stdout
        with tempfile.TemporaryDirectory() as tmp:
            out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
            request = {"argv": args, "env": dict(env), "stdout": str(out), "stderr": str(err)}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            waiting = select.poll()  # not select(): a long test process has fds past 1024
            waiting.register(self.process.stdout, select.POLLIN)
            if not waiting.poll(timeout * 1000):
                self.close()
                raise subprocess.TimeoutExpired([str(self.program), *args], timeout)
            answer = json.loads(self.process.stdout.readline())
            return subprocess.CompletedProcess(
                [str(self.program), *args],
                answer["returncode"],
                out.read_text(encoding="utf-8"),
                err.read_text(encoding="utf-8"),
            )

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def child(program: str, entry: str, request: dict[str, Any]) -> int:
    os.environ.clear()
    os.environ.update(request["env"])
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)  # not the server's request pipe
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        os.dup2(os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    sys.argv = [program, *request["argv"]]  # as the executable's: read by the entry point
    try:
        module, function = entry.split(":")
        main: Callable[[], Any] = getattr(importlib.import_module(module), function)
        code = main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # as the console script would print it
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return int(code or 0)


def serve(program: str, entry: str, preload: list[str]) -> None:
    sys.argv = [program]  # cliff names the program from it when first imported
    for module in preload:  # once, before any fork: the point of it all
        importlib.import_module(module)
    protocol = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        protocol.flush()
        pid = os.fork()
        if pid == 0:  # the child never returns to this loop, whatever happens
            code = 1
            try:
                code = child(program, entry, request)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        protocol.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        protocol.flush()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], sys.argv[3:])
