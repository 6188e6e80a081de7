"""Client sub-commands: ``security-group`` (list, create, show, delete, rule-add,
rule-delete) and the groups of a server (``server add-security-group``,
``server remove-security-group``)."""

from typing import Any

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.names import id_of, of_project, project_id
from andromede.cli.output import Output, check_output, fail, show

__all__ = ["add_server_groups", "security_group_app"]

COLUMNS = ["id", "name", "project_id", "rules", "description"]
RULE_COLUMNS = ["id", "direction", "ethertype", "protocol", "ports", "remote", "description"]

security_group_app = typer.Typer(
    help="Security groups: which traffic reaches servers", no_args_is_help=True
)


def group_id(client: Client, ref: str) -> str:
    """A group by id, or by the name only one of the caller's groups carries."""
    return id_of(client.all("/v1/security-groups"), ref, tr("security group"))


def _rule_row(rule: dict[str, Any]) -> dict[str, Any]:
    low, high = rule["port_range_min"], rule["port_range_max"]
    ports = "" if low is None else str(low) if high in (None, low) else f"{low}-{high}"
    remote = rule["remote_ip_prefix"] or (
        f"group {rule['remote_group_id']}" if rule["remote_group_id"] else "any"
    )
    return {**rule, "protocol": rule["protocol"] or "any", "ports": ports, "remote": remote}


def _summary(group: dict[str, Any]) -> dict[str, Any]:
    return {**group, "rules": len(group["rules"])}


@security_group_app.command("list")
def list_groups(
    project: str | None = typer.Option(None, "--project", help="the project's id or name"),
    output: str = Output,
) -> None:
    check_output(output)
    groups = of_project(Client(), "/v1/security-groups", project)
    show(groups if output == "json" else [_summary(g) for g in groups], output, COLUMNS)


@security_group_app.command("create")
def create(
    name: str,
    project: str = typer.Option(..., "--project", help="the project's id or unique name"),
    description: str = "",
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body = {"project_id": project_id(client, project), "name": name, "description": description}
    group = client.post("/v1/security-groups", body)
    show(group if output == "json" else _summary(group), output)


@security_group_app.command("show")
def show_group(ref: str, output: str = Output) -> None:
    """The group and its rules, one per line."""
    check_output(output)
    client = Client()
    group = client.get(f"/v1/security-groups/{group_id(client, ref)}")
    if output == "json":
        show(group, output)
        return
    show(_summary(group), output)
    show([_rule_row(r) for r in group["rules"]], output, RULE_COLUMNS)


@security_group_app.command("delete")
def delete(ref: str) -> None:
    client = Client()
    gid = group_id(client, ref)
    client.request("DELETE", f"/v1/security-groups/{gid}")
    typer.echo(tr("security group {id} deleted", id=gid))


def _ports(port: str | None) -> tuple[int | None, int | None]:
    """``22`` or ``8000-8080``."""
    if not port:
        return None, None
    low, _, high = port.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        fail(tr("--port must be a port or a range such as 8000-8080, not {port!r}", port=port))
    return int(low), int(high or low)


@security_group_app.command("rule-add")
def rule_add(
    ref: str,
    direction: str = typer.Option("ingress", help="ingress or egress"),
    protocol: str | None = typer.Option(None, help="tcp, udp, icmp, … or a number; any if unset"),
    port: str | None = typer.Option(None, help="a port or a range (8000-8080); ICMP: the type"),
    remote_ip: str | None = typer.Option(None, help="the remote prefix, e.g. 203.0.113.0/24"),
    remote_group: str | None = typer.Option(None, help="a group whose members are admitted"),
    ethertype: str = typer.Option("IPv4", help="IPv4 or IPv6"),
    description: str = "",
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    low, high = _ports(port)
    body = {
        "direction": direction,
        "ethertype": ethertype,
        "protocol": protocol,
        "port_range_min": low,
        "port_range_max": high,
        "remote_ip_prefix": remote_ip,
        "remote_group_id": group_id(client, remote_group) if remote_group else None,
        "description": description,
    }
    rule = client.post(f"/v1/security-groups/{group_id(client, ref)}/rules", body)
    show(rule if output == "json" else _rule_row(rule), output)


@security_group_app.command("rule-delete")
def rule_delete(rule_id: str) -> None:
    Client().request("DELETE", f"/v1/security-group-rules/{rule_id}")
    typer.echo(tr("rule {id} deleted", id=rule_id))


def add_server_groups(server_app: typer.Typer) -> None:
    @server_app.command("add-security-group")
    def join(server_id: str, group: str) -> None:
        """The server joins one of its project's groups (by name or id)."""
        client = Client()
        client.post(f"/v1/servers/{server_id}/security-groups", {"security_group": group})
        typer.echo(tr("server {id} is in security group {group}", id=server_id, group=group))

    @server_app.command("remove-security-group")
    def leave(server_id: str, group: str) -> None:
        client = Client()
        client.request("DELETE", f"/v1/servers/{server_id}/security-groups/{group}")
        typer.echo(tr("server {id} left security group {group}", id=server_id, group=group))
