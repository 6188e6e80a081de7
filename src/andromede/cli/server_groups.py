"""Client sub-commands ``server-group`` (list, create, show, delete): where a project's
servers may run relative to each other. Groups are named by id or by a name only one of
the caller's carries."""

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.names import id_of, of_project, project_id
from andromede.cli.output import Output, check_output, show

__all__ = ["server_group_app"]

COLUMNS = ["id", "name", "project_id", "policy", "max_per_host", "created_at"]

server_group_app = typer.Typer(
    help="Server groups: members on one host, or on different hosts", no_args_is_help=True
)


def group_id(client: Client, ref: str) -> str:
    return id_of(client.all("/v1/server-groups"), ref, tr("server group"))


@server_group_app.command("list")
def list_groups(
    project: str | None = typer.Option(None, "--project", help="the project's id or name"),
    output: str = Output,
) -> None:
    check_output(output)
    show(of_project(Client(), "/v1/server-groups", project), output, COLUMNS)


@server_group_app.command("create")
def create(
    name: str,
    project: str = typer.Option(..., "--project", help="the project's id or unique name"),
    policy: str = typer.Option(
        ..., "--policy", help="affinity, anti-affinity, soft-affinity or soft-anti-affinity"
    ),
    max_per_host: int | None = typer.Option(
        None, "--max-per-host", help="anti-affinity: members one host may take (default 1)"
    ),
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body = {"project_id": project_id(client, project), "name": name, "policy": policy}
    show(client.post("/v1/server-groups", body | {"max_per_host": max_per_host}), output)


@server_group_app.command("show")
def show_group(ref: str, output: str = Output) -> None:
    """The group and its members."""
    check_output(output)
    client = Client()
    show(client.get(f"/v1/server-groups/{group_id(client, ref)}"), output)


@server_group_app.command("delete")
def delete(ref: str) -> None:
    client = Client()
    gid = group_id(client, ref)
    client.request("DELETE", f"/v1/server-groups/{gid}")
    typer.echo(tr("server group {id} deleted", id=gid))
