"""Client sub-commands for maintenance windows: ``maintenance announce`` (operator
administrators; the affected customers and their partners are notified) and ``list``."""

import typer

from andromede.cli.client import Client
from andromede.cli.output import Output, check_output, show

__all__ = ["maintenance_app"]

COLUMNS = ["id", "region", "zone", "starts_at", "ends_at", "impact", "nature",
           "notified_customers", "notified_partners"]  # fmt: skip

maintenance_app = typer.Typer(
    help="Maintenance windows and the notices they send", no_args_is_help=True
)


@maintenance_app.command("announce")
def announce(
    region: str,
    start: str = typer.Option(..., help="ISO 8601 with its offset, 2026-12-12T22:00:00+01:00"),
    end: str = typer.Option(..., help="the same form"),
    nature: str = typer.Option(..., help="what will be done"),
    impact: str = typer.Option(..., help="none, degraded or outage"),
    contact: str = typer.Option(..., help="who customers reach meanwhile"),
    zone: str | None = typer.Option(None, help="one zone of the region only"),
    output: str = Output,
) -> None:
    """Announce a window; every customer with resources on the site, and each of their
    partners, gets one notice."""
    check_output(output)
    body = {"region": region, "zone": zone, "starts_at": start, "ends_at": end,
            "nature": nature, "impact": impact, "contact": contact}  # fmt: skip
    show(Client().post("/v1/maintenances", body), output)


@maintenance_app.command("list")
def list_maintenances(output: str = Output) -> None:
    check_output(output)
    show(Client().all("/v1/maintenances"), output, COLUMNS)
