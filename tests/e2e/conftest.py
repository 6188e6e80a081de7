"""A real ``andromede`` process on a loopback port, with demo data, driven from outside."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from andromede.cli.client import tls_for
from tests.e2e.forkserver import ANDROMEDE_ENTRY, Detached, ForkServer

BIN = Path(sys.executable).with_name("andromede")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    env: dict[str, str]
    url: str
    db_path: Path
    process: Detached | None = None  # `andromede serve`, forked (``forkserver.py``)
    logs: list[Path] = field(default_factory=list)

    def start(self) -> None:
        log = self.db_path.with_name(f"serve-{len(self.logs)}.log")
        self.logs.append(log)
        self.process = cli_server().start(["serve"], self.env, log)
        deadline = time.monotonic() + 30
        # one client for every try: a client each loaded the certificate authorities
        # each time (25 ms of CPU), the most of any line in the e2e tests
        with httpx.Client(verify=tls_for(self.url), timeout=1) as http:
            while time.monotonic() < deadline:
                try:
                    if http.get(f"{self.url}/v1/health").status_code == 200:
                        return
                except httpx.HTTPError:
                    time.sleep(0.1)
        raise RuntimeError(f"service did not start: {log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as in a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def cli(self, *args: str, config: Path) -> subprocess.CompletedProcess[str]:
        """An `andromede` command, forked from this test process's CLI fork server."""
        env = {**self.env, "ANDROMEDE_CLI_CONFIG": str(config), "COLUMNS": "200"}
        return cli_server().run(list(args), env, timeout=120)


class LoggedIn:
    """The CLI as one demo user, logged in once: ``run`` must succeed and gives stdout,
    ``raw`` gives the finished process (for the refusals a test expects)."""

    def __init__(
        self,
        service: Service,
        config: Path,
        user: str = "commune-member",
        password: str = "demo-password-2026",
    ) -> None:
        self.service = service
        self.config = config
        logged = service.cli("login", "-u", user, "-p", password,
                             "--url", service.url, config=config)  # fmt: skip
        assert logged.returncode == 0, logged.stderr

    def raw(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.service.cli(*args, config=self.config)

    def run(self, *args: str) -> str:
        done = self.raw(*args)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout


# A loaded demo's files (database, simulated hypervisors, image store, keys), by the
# settings that shaped it: loading takes seconds, copying the files a fraction of one.
# They live in one folder per test worker, removed when its session ends.
_demos: dict[tuple[tuple[str, str], ...], Path] = {}
_kept = Path(tempfile.gettempdir()) / f"andromede-demos-{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def _forget_demos() -> Iterator[None]:
    yield
    shutil.rmtree(_kept, ignore_errors=True)


def load_demo(workdir: Path, env: dict[str, str], extra_env: dict[str, str]) -> None:
    """``andromede demo --no-serve`` into ``workdir``, run once per test worker and set of
    settings; later services start from a copy of what it wrote. A demo on PostgreSQL is
    loaded each time (its rows are not in the folder)."""
    key = tuple(sorted(extra_env.items()))
    kept = _demos.get(key)
    if kept is not None:
        shutil.copytree(kept, workdir, dirs_exist_ok=True)
        return
    loaded = cli_server().run(["demo", "--no-serve"], env, timeout=300)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    if "ANDROMEDE_DATABASE_URL" not in extra_env:
        _demos[key] = _kept / str(len(_demos))
        shutil.copytree(workdir, _demos[key])


def start_service(workdir: Path, **extra_env: str) -> Service:
    """An `andromede serve` with demo data in ``workdir``, on a free port."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = service_env(workdir, port, **extra_env)
    load_demo(workdir, env, extra_env)
    svc = Service(env, f"http://127.0.0.1:{port}", workdir / "andromede.db")
    svc.start()
    return svc


def service_env(workdir: Path, port: int, **extra_env: str) -> dict[str, str]:
    """The environment of an ``andromede`` process on the demo in ``workdir``."""
    env = {
        **os.environ,
        "ANDROMEDE_DATABASE_URL": f"sqlite:///{workdir / 'andromede.db'}",
        "ANDROMEDE_LISTEN": f"127.0.0.1:{port}",
        "ANDROMEDE_ADMIN_PASSWORD": "e2e-admin-secret",
        "ANDROMEDE_SIM_BOOT_SECONDS": "0.5",
        "ANDROMEDE_RECONCILE_INTERVAL": "0.1",
        "ANDROMEDE_ARGON2_MEMORY_KIB": "1024",
        "ANDROMEDE_ARGON2_TIME_COST": "1",
        # every CLI command and openstack command signs in from 127.0.0.1
        "ANDROMEDE_LIMIT_LOGINS_PER_SOURCE": "100000",
        "ANDROMEDE_LIMIT_LOGINS_PER_ACCOUNT": "100000",
        **extra_env,
    }
    env.pop("ANDROMEDE_CONFIG", None)
    return env


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = start_service(tmp_path)
    yield svc
    svc.stop()


_cli_servers: list[ForkServer] = []


def cli_server() -> ForkServer:
    """The `andromede` fork server of this test process, started at its first command."""
    if not _cli_servers:
        _cli_servers.append(ForkServer(BIN, ANDROMEDE_ENTRY))
    return _cli_servers[0]


@pytest.fixture(scope="session", autouse=True)
def _stop_cli_server() -> Iterator[None]:
    yield
    for server in _cli_servers:
        server.close()


@pytest.fixture(scope="session")
def osc_server() -> Iterator[ForkServer]:
    """One `openstack` fork server per test process (see ``forkserver.py``)."""
    server = ForkServer()
    yield server
    server.close()
