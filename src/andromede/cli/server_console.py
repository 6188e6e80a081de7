"""``andromede server console`` and ``server crash-dump``: what a server wrote to its
serial console, and the interrupt that makes a hung guest's kernel dump and boot again."""

import typer

from andromede.cli.client import Client
from andromede.cli.output import Output, check_output, show

__all__ = ["add_console"]


def add_console(server_app: typer.Typer) -> None:
    @server_app.command("console")
    def console(
        server_id: str,
        lines: int | None = typer.Option(None, help="the last N lines only"),
    ) -> None:
        """The serial console's log, as the region's hypervisor keeps it."""
        params = {"lines": lines} if lines is not None else {}
        found = Client().get(f"/v1/servers/{server_id}/console", **params)
        typer.echo(found["output"], nl=False)

    @server_app.command("crash-dump")
    def crash_dump(server_id: str, output: str = Output) -> None:
        """Sends the guest a non-maskable interrupt (an active, unlocked server only)."""
        check_output(output)
        body = {"action": "crash_dump"}
        show(Client().post(f"/v1/servers/{server_id}/actions", body), output)
