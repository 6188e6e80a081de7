"""Client sub-commands: ``environment`` (create, list, show, start, stop, extend, retry,
delete). A member is written ``web=SCS-1V-2:debian-12x2`` (name=flavor:image, x count)."""

from typing import Any

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.names import project_id
from andromede.cli.output import Output, fail, show
from andromede.schedules.environment_spec import member_from_text

__all__ = ["environment_app"]

COLUMNS = ["id", "name", "status", "running", "stop_at", "expires_at"]

environment_app = typer.Typer(
    help="Environments: servers made and switched together", no_args_is_help=True
)


def parse_member(text: str) -> dict[str, Any]:
    try:
        return member_from_text(text)
    except ValueError as exc:
        fail(tr("--member {error}", error=exc))


def _table(env: dict[str, Any]) -> dict[str, Any]:
    members = env.get("members") or []
    failed = [m["slot"] for m in members if m["server_id"] is None]
    return {
        **env,
        "members": ", ".join(f"{m['slot']}:{m['status'] or 'failed'}" for m in members),
        "failed": ", ".join(failed),
    }


@environment_app.command("create")
def create(
    name: str,
    project: str = typer.Option(..., help="project id or name"),
    region: str = typer.Option(...),
    member: list[str] = typer.Option(..., "--member", help="web=SCS-1V-2:debian-12x2"),
    zone: str | None = None,
    server_group: str | None = typer.Option(None, help="affinity or anti-affinity"),
    ttl_hours: int | None = typer.Option(8, help="stopped after this many hours on"),
    expires_at: str | None = typer.Option(None, help="deleted then (ISO 8601 with a zone)"),
    output: str = Output,
) -> None:
    """Make the servers of an environment; a member that cannot be made is named (retry)."""
    client = Client()
    body = {
        "project_id": project_id(client, project),
        "name": name,
        "region": region,
        "zone": zone,
        "members": [parse_member(m) for m in member],
        "server_group": server_group,
        "ttl_hours": ttl_hours,
        "expires_at": expires_at,
    }
    made = client.post("/v1/environments", {k: v for k, v in body.items() if v is not None})
    show(made if output == "json" else _table(made), output)


@environment_app.command("list")
def list_(output: str = Output) -> None:
    show(Client().all("/v1/environments"), output, COLUMNS)


@environment_app.command("show")
def show_(env_id: str, output: str = Output) -> None:
    found = Client().get(f"/v1/environments/{env_id}")
    show(found if output == "json" else _table(found), output)


def _act(env_id: str, action: str, output: str, **extra: int) -> None:
    found = Client().post(f"/v1/environments/{env_id}/actions", {"action": action, **extra})
    show(found if output == "json" else _table(found), output)


@environment_app.command("start")
def start(env_id: str, output: str = Output) -> None:
    """Start every member; the time to live counts from now."""
    _act(env_id, "start", output)


@environment_app.command("stop")
def stop(env_id: str, output: str = Output) -> None:
    _act(env_id, "stop", output)


@environment_app.command("extend")
def extend(env_id: str, hours: int = 0, days: int = 0, output: str = Output) -> None:
    """More time on (hours) or a later deletion (days)."""
    _act(env_id, "extend", output, hours=hours, days=days)


@environment_app.command("retry")
def retry(env_id: str, output: str = Output) -> None:
    """Make the members that could not be made."""
    _act(env_id, "retry", output)


@environment_app.command("delete")
def delete(env_id: str) -> None:
    Client().request("DELETE", f"/v1/environments/{env_id}")
    typer.echo(tr("environment {id} deleting", id=env_id))
