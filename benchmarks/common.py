"""What the benchmark scripts share: a fresh PostgreSQL database, a free local port and
the wait for a started service."""

import socket
import time

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from andromede.cli.client import tls_for

__all__ = ["free_port", "fresh_postgres", "wait_healthy"]


def fresh_postgres(url: str, name: str, template: str | None = None) -> str:
    """Drops and recreates database ``name`` on the server of ``url`` (a copy of database
    ``template``, if given); returns its URL."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(
            text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        )
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, seconds: float = 30.0) -> None:
    """Until ``url`` answers its health check; one client for all the tries (a client
    each loaded the certificate authorities each time, 25 ms of CPU a try)."""
    deadline = time.monotonic() + seconds
    with httpx.Client(verify=tls_for(url), timeout=1) as http:
        while time.monotonic() < deadline:
            try:
                if http.get(f"{url}/v1/health").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
    raise RuntimeError(f"service at {url} did not start in {seconds:.0f} s")
