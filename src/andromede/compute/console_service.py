"""A server's serial console as its hypervisor keeps it (Nova's os-getConsoleOutput), and
the crash dump a customer asks of a hung guest (trigger_crash_dump). Both reach the
driver of the server's region directly: reading the log changes nothing, and the dump is
recorded in the audit log before the interrupt is sent."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from andromede.compute.drivers.base import Driver, DriverError, DriverUnavailable
from andromede.compute.server_service import ServerService
from andromede.kernel.errors import Conflict, Unavailable, ValidationFailed
from andromede.tenancy.scope import Caller

__all__ = ["ConsoleService", "last_lines"]


def last_lines(text: str, length: object) -> str:
    """Nova's ``length``: the last N lines (None or -1: all of it); anything else that is
    not a whole number from -1 on is a 400."""
    if length is None:
        return text
    try:
        count = int(str(length)) if not isinstance(length, bool) else None
    except ValueError:
        count = None
    if count is None or count < -1:
        raise ValidationFailed.one("length", "a whole number of lines, or -1 for all")
    if count == -1:
        return text
    if count == 0:
        return ""
    lines = text.splitlines(keepends=True)
    return "".join(lines[-count:])


class ConsoleService:
    def __init__(self, servers: ServerService, driver_for: Callable[[str], Driver]) -> None:
        self.servers = servers
        self.driver_for = driver_for

    def output(self, session: Session, caller: Caller, server_id: str, length: object) -> str:
        server = self.servers.get_server(session, caller, server_id)
        if server.host_id is None:
            raise Conflict(f"server {server.id} has no console: it was never placed")
        try:
            text = self.driver_for(server.region_code).console_output(server.id)
        except DriverError:
            raise Conflict(f"server {server.id} has no console now") from None
        except DriverUnavailable:
            raise Unavailable(
                f"the hypervisors of {server.region_code} cannot be reached"
            ) from None
        return last_lines(text, length)

    def crash_dump(self, region: str, server_id: str) -> None:
        """After ``ServerService.request_crash_dump`` committed."""
        try:
            self.driver_for(region).trigger_crash_dump(server_id)
        except DriverError as refused:
            raise Conflict(f"the hypervisor refused the crash dump: {refused}") from None
        except DriverUnavailable:
            raise Unavailable(f"the hypervisors of {region} cannot be reached") from None
