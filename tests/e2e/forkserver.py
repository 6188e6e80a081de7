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
answer is the child's exit code. A request marked ``detach`` (a long-running service,
`andromede serve`) is answered with the child's pid at once; the server keeps it as its
child, and ``{"poll": pid}`` asks whether it has ended (its exit code, or null).
"""

import importlib
import importlib.metadata
import inspect
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

OPENSTACK = Path(sys.executable).with_name("openstack")
ANDROMEDE = Path(sys.executable).with_name("andromede")
# ``plugins:<prefix>``: the modules of every entry point whose group starts with <prefix>.
# Each `openstack` command loads all of its command plugins at start (cliff, through
# stevedore): 0.2 s of CPU a command, the largest part of a child's own work, done once here.
OPENSTACK_ENTRY = (
    "openstackclient.shell:main",
    ["openstackclient.shell", "osc_lib.utils", "plugins:openstack."],
)
# ``openstack ... --wait`` sleeps 5 s between two reads of the resource (osc-lib's default
# ``sleep_time``); the runner's children read every 0.2 s instead. The requests and how the
# client reads their answers are its own; a journey no longer sleeps 5 s per ``--wait``
# whose server was still building at the first read. The installed executable (the
# runner's check in ``test_openstack_clients.py``) keeps the client's own interval.
WAIT_POLL_SECONDS = 0.2
# `andromede serve` spends about 1.5 s importing the API, the console and uvicorn before it
# listens; a test starts one or two services: they are forked from this server too
SERVE_MODULES = ["andromede.console.site", "andromede.worker.jobs", "andromede.worker.loop"]
ANDROMEDE_ENTRY = (
    "andromede.cli.main:main",
    ["andromede.bootstrap", "httpx", "typer", "rich", "uvicorn", *SERVE_MODULES],
)


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

    def start(self, args: list[str], env: Mapping[str, str], log: Path) -> "Detached":
        """As ``subprocess.Popen([program, *args], stdout=log, stderr=STDOUT)``: a service
        that runs until stopped; commands can be run meanwhile."""
        request = {"argv": args, "env": dict(env), "stdout": str(log), "stderr": str(log)}
        return Detached(self, self._ask({**request, "detach": True})["pid"])

    def poll(self, pid: int) -> int | None:
        code: int | None = self._ask({"poll": pid})["returncode"]
        return code

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        return answer

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class Detached:
    """A service forked by a ``ForkServer``, with the part of ``subprocess.Popen`` the tests
    use. Signals go to it directly; whether it ended, the server (its parent) tells."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid = server, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.poll(self.pid)
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def child(program: str, entry: str, request: dict[str, Any]) -> int:
    os.environ.clear()
    os.environ.update(request["env"])
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)  # not the server's request pipe
    os.dup2(os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    if request["stderr"] == request["stdout"]:  # one log: one file offset for both
        os.dup2(1, 2)
    else:
        os.dup2(os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
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


def poll_sooner(utils: Any) -> None:
    """Sets the default ``sleep_time`` of osc-lib's waits to ``WAIT_POLL_SECONDS``."""
    for wait in (utils.wait_for_status, utils.wait_for_delete):
        names = list(inspect.signature(wait).parameters)
        defaults = list(wait.__defaults__)
        defaults[names.index("sleep_time") - (len(names) - len(defaults))] = WAIT_POLL_SECONDS
        wait.__defaults__ = tuple(defaults)


def preload_plugins(prefix: str) -> None:
    """Imports the module of each entry point in the groups starting with ``prefix``; one
    that cannot be imported is left for the child, which then fails as the tool would."""
    modules = {
        point.module
        for dist in importlib.metadata.distributions()
        for point in dist.entry_points
        if point.group.startswith(prefix)
    }
    for module in sorted(modules):
        try:
            importlib.import_module(module)
        except ImportError:
            continue


def serve(program: str, entry: str, preload: list[str]) -> None:
    sys.argv = [program]  # cliff names the program from it when first imported
    for module in preload:  # once, before any fork: the point of it all
        if module.startswith("plugins:"):
            preload_plugins(module.removeprefix("plugins:"))
        else:
            importlib.import_module(module)
    if "osc_lib.utils" in sys.modules:
        poll_sooner(sys.modules["osc_lib.utils"])
    protocol = sys.stdout
    ended: dict[int, int] = {}  # detached children that ended: their exit codes
    for line in sys.stdin:
        request = json.loads(line)
        if "poll" in request:
            protocol.write(json.dumps({"returncode": _ended(request["poll"], ended)}) + "\n")
            protocol.flush()
            continue
        protocol.flush()
        pid = os.fork()
        if pid == 0:  # the child never returns to this loop, whatever happens
            code = 1
            try:
                code = child(program, entry, request)
            finally:
                os._exit(code)
        if request.get("detach"):
            protocol.write(json.dumps({"pid": pid}) + "\n")
            protocol.flush()
            continue
        _, status = os.waitpid(pid, 0)
        protocol.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        protocol.flush()


def _ended(pid: int, ended: dict[int, int]) -> int | None:
    if pid not in ended:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            return None
        ended[pid] = os.waitstatus_to_exitcode(status)
    return ended[pid]


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], sys.argv[3:])
