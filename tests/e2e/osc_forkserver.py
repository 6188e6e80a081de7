"""Runs the real `openstack` CLI's entry point (``openstackclient.shell:main``, what the
`openstack` console script calls) in a new forked process per command, from one process
that imported it once.

Why: a journey sends 20 to 40 commands, and each `openstack` process spends about a
second importing its libraries before it sends anything — most of a journey's time. A
child forked after those imports starts with nothing else shared: its own environment,
standard streams, sockets, token and exit code, exactly as a new process; only the import
work is done once. The server is single-threaded, so forking it is safe.

Protocol, one JSON line each way on standard input and output: a request names the
arguments, the environment and two files for the child's standard output and error; the
answer is the child's exit code.
"""

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


class ForkServer:
    """The test's end: one server per test process, a command at a time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def run(
        self, args: list[str], env: Mapping[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        """As ``subprocess.run([openstack, *args], capture_output=True, text=True)``."""
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
                raise subprocess.TimeoutExpired([str(OPENSTACK), *args], timeout)
            answer = json.loads(self.process.stdout.readline())
            return subprocess.CompletedProcess(
                [str(OPENSTACK), *args],
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


def child(main: Callable[[list[str]], Any], request: dict[str, Any]) -> int:
    os.environ.clear()
    os.environ.update(request["env"])
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)  # not the server's request pipe
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        os.dup2(os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    sys.argv = [str(OPENSTACK), *request["argv"]]  # the program's name in its messages
    try:
        code = main(list(request["argv"]))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # as the console script would print it
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return int(code or 0)


def serve() -> None:
    sys.argv = [str(OPENSTACK)]  # cliff names the program from it when first imported
    from openstackclient.shell import main  # once, before any fork: the point of it all

    protocol = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        protocol.flush()
        pid = os.fork()
        if pid == 0:  # the child never returns to this loop, whatever happens
            code = 1
            try:
                code = child(main, request)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        protocol.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        protocol.flush()


if __name__ == "__main__":
    serve()
