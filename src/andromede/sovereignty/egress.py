"""An egress filter inside the process (SecNumCloud 19.2.d): with
``ANDROMEDE_EGRESS_GUARD=on``, ``serve`` and ``worker`` refuse every outbound connection
but to this machine and to the hosts the sink registry knows — the configured sinks and
every host declared in ``ANDROMEDE_SINK_COUNTRIES`` (a tenant's webhook host is taken
only when declared there). Whatever a library would send elsewhere (telemetry, a
forgotten endpoint) fails at ``connect`` with ``PermissionError``.

It is a Python audit hook: it sees every ``socket.connect`` of the interpreter and, once
installed, stays for the life of the process. Connections a C library opens itself
(libpq, to the database: a configured sink anyway) do not pass through it; a host
firewall built from the same list is the deployment's second wall."""

import socket
import sys
import threading
import time
from collections.abc import Iterable
from ipaddress import ip_address
from typing import Any

__all__ = ["EgressGuard", "install"]

REFRESH_SECONDS = 60.0  # names are resolved again after this: addresses move


class EgressGuard:
    def __init__(self, hosts: Iterable[str]) -> None:
        self.hosts = frozenset(h.lower() for h in hosts if h)
        self._addresses: set[str] = set()
        self._resolved_at = float("-inf")
        self._lock = threading.Lock()

    def _allowed_addresses(self) -> set[str]:
        with self._lock:
            if time.monotonic() - self._resolved_at > REFRESH_SECONDS:
                found: set[str] = set()
                for host in self.hosts:
                    try:
                        found |= {str(a[4][0]) for a in socket.getaddrinfo(host, None)}
                    except OSError:
                        continue  # unresolvable now: nothing of it is allowed
                self._addresses, self._resolved_at = found, time.monotonic()
            return self._addresses

    def refusal(self, host: str) -> str | None:
        """Why a connection to ``host`` (a name or an address) is refused, or None."""
        if host.lower() in self.hosts or host.lower() == "localhost":
            return None
        try:
            address = ip_address(host.split("%", maxsplit=1)[0])
        except ValueError:
            return f"{host} is not a host of the sink registry"
        if address.is_loopback or str(address) in self._allowed_addresses():
            return None
        return f"{host} is not a host of the sink registry"

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "socket.connect":
            return
        sock, address = args
        if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
            return  # a Unix socket stays on this machine
        refusal = self.refusal(str(address[0]))
        if refusal:
            raise PermissionError(
                f"egress refused: {refusal} (declare it in ANDROMEDE_SINK_COUNTRIES)"
            )


def install(hosts: Iterable[str]) -> EgressGuard:
    guard = EgressGuard(hosts)
    sys.addaudithook(guard.hook)
    return guard
