"""What both benchmark scripts need: a fresh PostgreSQL database and a free local port."""

import socket

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

__all__ = ["free_port", "fresh_postgres"]


def fresh_postgres(url: str, name: str) -> str:
    """Drops and recreates database ``name`` on the server of ``url``; returns its URL."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
