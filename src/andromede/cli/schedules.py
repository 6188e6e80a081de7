"""Client sub-commands: ``schedule`` (create, list, show, preview, update, delete,
project) and the tags that opt servers in (``server tag``, ``server tags``).

A period is written as people say it: ``mon-fri 08:00-19:00``, ``sat,sun 10:00-12:00``,
``22:00-06:00`` (every day, across midnight)."""

from typing import Any

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.names import id_of, project_id
from andromede.cli.output import Output, fail, show
from andromede.schedules.spec import period_from_text

__all__ = ["add_tags", "schedule_app"]

COLUMNS = ["id", "name", "timezone", "periods", "holidays", "enforced", "template"]

schedule_app = typer.Typer(help="On/off schedules for servers (Dev & Test)", no_args_is_help=True)


def parse_period(text: str) -> dict[str, Any]:
    try:
        return period_from_text(text)
    except ValueError as exc:
        fail(tr("--period {error}", error=exc))


def schedule_id(client: Client, ref: str) -> str:
    """A schedule by id, or by the name only one of the caller's schedules carries."""
    found = client.all("/v1/schedules") + client.all("/v1/schedules", templates="true")
    return id_of(found, ref, tr("schedule"))


def _table(schedule: dict[str, Any]) -> dict[str, Any]:
    periods = "; ".join(
        f"{','.join(p['weekdays'])} {p['begin']}-{p['end']}" for p in schedule["periods"]
    )
    return {**schedule, "periods": periods}


@schedule_app.command("create")
def create(
    name: str,
    period: list[str] = typer.Option(..., "--period", help="e.g. 'mon-fri 08:00-19:00'"),
    timezone: str = typer.Option("Europe/Paris", help="IANA time zone of the periods"),
    holidays: str | None = typer.Option(None, help="skip public holidays: FR, FR-57, FR-974…"),
    skip: list[str] = typer.Option([], "--skip", help="a date to skip, YYYY-MM-DD"),
    enforced: bool = typer.Option(False, help="undo starts and stops made by hand"),
    retain_running: bool = typer.Option(False, help="leave on what was started by hand"),
    stop_new: bool = typer.Option(False, help="stop new servers outside the periods"),
    customer: str | None = typer.Option(None, help="customer id (a partner's customer)"),
    template: bool = typer.Option(False, help="a partner's template for its customers"),
    description: str = "",
    output: str = Output,
) -> None:
    """Create a schedule; tag servers ``schedule=<name>`` to put them on it."""
    body = {
        "name": name,
        "periods": [parse_period(p) for p in period],
        "timezone": timezone,
        "holidays": holidays,
        "skip_dates": skip,
        "enforced": enforced,
        "retain_running": retain_running,
        "stop_new": stop_new,
        "customer_id": customer,
        "template": template,
        "description": description,
    }
    made = Client().post("/v1/schedules", body)
    show(made if output == "json" else _table(made), output, None)


@schedule_app.command("copy")
def copy(
    template: str,
    name: str = typer.Option("", help="the copy's name (the template's by default)"),
    customer: str | None = typer.Option(None, help="customer id (a partner's customer)"),
    output: str = Output,
) -> None:
    """A customer's own copy of a partner's template."""
    client = Client()
    body = {"from_template": schedule_id(client, template), "name": name, "customer_id": customer}
    show(client.post("/v1/schedules", body), output)


@schedule_app.command("list")
def list_(templates: bool = False, output: str = Output) -> None:
    items = Client().all("/v1/schedules", templates="true" if templates else None)
    show(items if output == "json" else [_table(s) for s in items], output, COLUMNS)


@schedule_app.command("show")
def show_(ref: str, output: str = Output) -> None:
    client = Client()
    found = client.get(f"/v1/schedules/{schedule_id(client, ref)}")
    show(found if output == "json" else _table(found), output)


@schedule_app.command("preview")
def preview(ref: str, days: int = typer.Option(7, min=1, max=31), output: str = Output) -> None:
    """The starts and stops ahead, in the schedule's time zone."""
    client = Client()
    found = client.get(f"/v1/schedules/{schedule_id(client, ref)}/preview", days=days)
    if output == "json":
        show(found, output)
        return
    state = tr("on") if found["running_now"] else tr("off")
    typer.echo(
        tr(
            "now {state}; {servers} servers; times in {timezone}",
            state=state,
            servers=found["servers"],
            timezone=found["timezone"],
        )
    )
    show(found["transitions"], output, ["local", "action"])


@schedule_app.command("update")
def update(
    ref: str,
    period: list[str] = typer.Option([], "--period", help="replaces the periods"),
    timezone: str | None = None,
    holidays: str | None = typer.Option(None, help="FR, FR-57…, or 'none'"),
    skip: list[str] = typer.Option([], "--skip", help="replaces the skipped dates"),
    enforced: bool | None = typer.Option(None, "--enforced/--not-enforced"),
    retain_running: bool | None = typer.Option(None, "--retain-running/--no-retain-running"),
    stop_new: bool | None = typer.Option(None, "--stop-new/--no-stop-new"),
    output: str = Output,
) -> None:
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "timezone": timezone,
            "enforced": enforced,
            "retain_running": retain_running,
            "stop_new": stop_new,
        }.items()
        if v is not None
    }
    if period:
        changes["periods"] = [parse_period(p) for p in period]
    if skip:
        changes["skip_dates"] = skip
    if holidays is not None:
        changes["holidays"] = None if holidays == "none" else holidays
    client = Client()
    found = client.request("PATCH", f"/v1/schedules/{schedule_id(client, ref)}", json=changes)
    show(found if output == "json" else _table(found), output)


@schedule_app.command("delete")
def delete(ref: str) -> None:
    """Delete it: its servers stay as they are (their tag then names nothing)."""
    client = Client()
    client.request("DELETE", f"/v1/schedules/{schedule_id(client, ref)}")
    typer.echo(tr("schedule {ref} deleted", ref=ref))


@schedule_app.command("project")
def project(ref: str, schedule: str = typer.Argument(..., help="a schedule, or 'none'")) -> None:
    """Put every server of a project on a schedule (a server's own tag wins)."""
    client = Client()
    chosen = None if schedule == "none" else schedule_id(client, schedule)
    pid = project_id(client, ref)
    client.request("PUT", f"/v1/projects/{pid}/schedule", json={"schedule_id": chosen})
    if chosen is None:
        typer.echo(tr("project {ref}: no schedule", ref=ref))
    else:
        typer.echo(tr("project {ref}: schedule {schedule}", ref=ref, schedule=schedule))


def add_tags(server_app: typer.Typer) -> None:
    @server_app.command("tag")
    def tag(server_id: str, tags: list[str] = typer.Argument(None)) -> None:
        """Replace the server's tags (e.g. ``schedule=office-hours``); none clears them."""
        found = Client().request("PUT", f"/v1/servers/{server_id}/tags", json={"tags": tags or []})
        typer.echo(" ".join(found["tags"]) or tr("(no tags)"))

    @server_app.command("tags")
    def tags_(server_id: str) -> None:
        found = Client().get(f"/v1/servers/{server_id}/tags")
        typer.echo(" ".join(found["tags"]) or tr("(no tags)"))
