"""Client sub-commands of a project's networking: ``network`` (list, create, show, delete,
subnet-add, subnet-delete), ``router`` (list, create, show, add-subnet, remove-interface,
routes, delete), ``port`` (list, create, delete) and ``floating-ip`` (list, create,
associate, disassociate, release). Networks and routers are named by id
or by a name only one of the caller's carries."""

from typing import Any

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.names import id_of, of_project, project_id
from andromede.cli.output import Output, check_output, fail, show

__all__ = ["floating_ip_app", "network_app", "port_app", "router_app"]

Project = typer.Option(..., "--project", help="the project's id or unique name")
NETWORK_COLUMNS = ["id", "name", "region", "subnets", "shared", "external"]
SUBNET_COLUMNS = ["id", "cidr", "gateway_ip", "pools", "dns_nameservers"]
ROUTER_COLUMNS = ["id", "name", "region", "gateway", "interfaces", "routes"]
PORT_COLUMNS = ["id", "name", "network_id", "address", "mac", "device_owner"]
FLOATING_COLUMNS = ["id", "address", "region", "fixed_ip_address", "port_id", "allocated_at"]

network_app = typer.Typer(help="Networks and their subnets", no_args_is_help=True)
router_app = typer.Typer(help="Routers: subnets joined, a gateway, routes", no_args_is_help=True)
port_app = typer.Typer(help="Ports: an address on a network, to bind later", no_args_is_help=True)
floating_ip_app = typer.Typer(
    help="Floating IPs: public addresses, billed per hour held", no_args_is_help=True
)


ProjectFilter = typer.Option(None, "--project", help="the project's id or name")


def network_id(client: Client, ref: str) -> str:
    return id_of(client.all("/v1/networks"), ref, tr("network"))


def router_id(client: Client, ref: str) -> str:
    return id_of(client.all("/v1/routers"), ref, tr("router"))


def _network_row(n: dict[str, Any]) -> dict[str, Any]:
    return {**n, "subnets": ", ".join(s["cidr"] for s in n["subnets"])}


def _subnet_row(s: dict[str, Any]) -> dict[str, Any]:
    pools = ", ".join(f"{p['start']}-{p['end']}" for p in s["allocation_pools"])
    return {**s, "pools": pools, "dns_nameservers": ", ".join(s["dns_nameservers"])}


def _router_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **r,
        "gateway": ", ".join(r["gateway_addresses"]),
        "interfaces": ", ".join(i["address"] or "" for i in r["interfaces"]),
        "routes": ", ".join(f"{x['destination']} via {x['nexthop']}" for x in r["routes"]),
    }


@network_app.command("list")
def list_networks(
    project: str | None = ProjectFilter,
    output: str = Output,
) -> None:
    """The shared networks, and the project's own."""
    check_output(output)
    networks = of_project(Client(), "/v1/networks", project)
    show(
        networks if output == "json" else [_network_row(n) for n in networks],
        output,
        NETWORK_COLUMNS,
    )


@network_app.command("create")
def create_network(
    name: str,
    project: str = Project,
    region: str | None = typer.Option(None, help="else the first region the policy allows"),
    description: str = "",
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body = {"project_id": project_id(client, project), "name": name, "description": description}
    made = client.post("/v1/networks", {**body, **({"region": region} if region else {})})
    show(made if output == "json" else _network_row(made), output)


@network_app.command("show")
def show_network(ref: str, output: str = Output) -> None:
    """The network and its subnets, one per line."""
    check_output(output)
    client = Client()
    found = client.get(f"/v1/networks/{network_id(client, ref)}")
    if output == "json":
        show(found, output)
        return
    show(_network_row(found), output)
    show([_subnet_row(s) for s in found["subnets"]], output, SUBNET_COLUMNS)


@network_app.command("delete")
def delete_network(ref: str) -> None:
    client = Client()
    nid = network_id(client, ref)
    client.request("DELETE", f"/v1/networks/{nid}")
    typer.echo(tr("network {id} deleted", id=nid))


def _range(text: str) -> dict[str, str]:
    start, _, end = text.partition("-")
    if not start or not end:
        fail(
            tr("--pool must be FIRST-LAST, such as 10.0.0.100-10.0.0.199, not {text!r}", text=text)
        )
    return {"start": start, "end": end}


@network_app.command("subnet-add")
def add_subnet(
    network: str,
    cidr: str | None = typer.Option(None, help="e.g. 10.0.0.0/24 or 2001:db8::/64"),
    pool_from: str | None = typer.Option(None, "--subnet-pool", help="carve it from this pool"),
    prefixlen: int | None = typer.Option(None, help="the carved block's length"),
    ip_version: int = typer.Option(4, "--ip-version"),
    gateway: str | None = typer.Option(None, help="else the first address"),
    no_gateway: bool = typer.Option(False, "--no-gateway"),
    pool: list[str] = typer.Option([], "--pool", help="FIRST-LAST, repeatable"),
    dns: list[str] = typer.Option([], "--dns", help="a DNS server, repeatable"),
    name: str = "",
    output: str = Output,
) -> None:
    check_output(output)
    if (cidr is None) == (pool_from is None):
        fail(tr("give --cidr or --subnet-pool"))
    client = Client()
    body: dict[str, Any] = {"name": name, "ip_version": ip_version, "no_gateway": no_gateway}
    optional = {
        "cidr": cidr,
        "subnetpool_id": pool_from,
        "prefixlen": prefixlen,
        "gateway_ip": gateway,
        "allocation_pools": [_range(p) for p in pool] or None,
        "dns_nameservers": dns or None,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    made = client.post(f"/v1/networks/{network_id(client, network)}/subnets", body)
    show(made if output == "json" else _subnet_row(made), output)


@network_app.command("subnet-delete")
def delete_subnet(subnet_id: str) -> None:
    Client().request("DELETE", f"/v1/subnets/{subnet_id}")
    typer.echo(tr("subnet {id} deleted", id=subnet_id))


@router_app.command("list")
def list_routers(
    project: str | None = ProjectFilter,
    output: str = Output,
) -> None:
    check_output(output)
    routers = of_project(Client(), "/v1/routers", project)
    show(routers if output == "json" else [_router_row(r) for r in routers], output, ROUTER_COLUMNS)


@router_app.command("create")
def create_router(
    name: str,
    project: str = Project,
    gateway: str | None = typer.Option(None, help="an external network (id or name)"),
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body: dict[str, Any] = {"project_id": project_id(client, project), "name": name}
    if gateway:
        body["external_network_id"] = network_id(client, gateway)
    made = client.post("/v1/routers", body)
    show(made if output == "json" else _router_row(made), output)


@router_app.command("show")
def show_router(ref: str, output: str = Output) -> None:
    check_output(output)
    client = Client()
    found = client.get(f"/v1/routers/{router_id(client, ref)}")
    show(found if output == "json" else _router_row(found), output)


@router_app.command("add-subnet")
def add_subnet_interface(ref: str, subnet_id: str, output: str = Output) -> None:
    """The router joins the subnet at its gateway address."""
    check_output(output)
    client = Client()
    found = client.post(
        f"/v1/routers/{router_id(client, ref)}/interfaces", {"subnet_id": subnet_id}
    )
    show(found if output == "json" else _router_row(found), output)


@router_app.command("remove-interface")
def remove_interface(ref: str, port_id: str) -> None:
    client = Client()
    client.request("DELETE", f"/v1/routers/{router_id(client, ref)}/interfaces/{port_id}")
    typer.echo(tr("interface {id} removed", id=port_id))


@router_app.command("routes")
def set_routes(
    ref: str,
    route: list[str] = typer.Option([], "--route", help="DESTINATION=NEXTHOP, repeatable"),
    output: str = Output,
) -> None:
    """Replaces the router's extra routes (none given: clears them)."""
    check_output(output)
    routes = []
    for text in route:
        destination, _, hop = text.partition("=")
        if not destination or not hop:
            fail(tr("--route must be DESTINATION=NEXTHOP, not {text!r}", text=text))
        routes.append({"destination": destination, "nexthop": hop})
    client = Client()
    rid = router_id(client, ref)
    found = client.request("PATCH", f"/v1/routers/{rid}", json={"routes": routes})
    show(found if output == "json" else _router_row(found), output)


@router_app.command("delete")
def delete_router(ref: str) -> None:
    client = Client()
    rid = router_id(client, ref)
    client.request("DELETE", f"/v1/routers/{rid}")
    typer.echo(tr("router {id} deleted", id=rid))


@port_app.command("list")
def list_ports(
    project: str | None = ProjectFilter,
    network: str | None = typer.Option(None, "--network", help="the network's id or name"),
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    params = {"network_id": network_id(client, network)} if network else {}
    show(of_project(client, "/v1/ports", project, **params), output, PORT_COLUMNS)


@port_app.command("create")
def create_port(
    network: str,
    project: str = Project,
    address: str | None = typer.Option(None, help="else the next free one of the pools"),
    name: str = "",
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body: dict[str, Any] = {
        "project_id": project_id(client, project),
        "network_id": network_id(client, network),
        "name": name,
    }
    if address:
        body["address"] = address
    show(client.post("/v1/ports", body), output)


@port_app.command("delete")
def delete_port(port_id: str) -> None:
    Client().request("DELETE", f"/v1/ports/{port_id}")
    typer.echo(tr("port {id} deleted", id=port_id))


@floating_ip_app.command("list")
def list_floating_ips(
    project: str | None = ProjectFilter,
    output: str = Output,
) -> None:
    check_output(output)
    show(of_project(Client(), "/v1/floating-ips", project), output, FLOATING_COLUMNS)


def _port_of(client: Client, server: str | None, port: str | None) -> str:
    """The port named, or the server's one port behind a router."""
    if port:
        return port
    if not server:
        fail(tr("give --server or --port"))
    held = [p for p in client.all("/v1/ports") if p["device_id"] == server]
    if not held:
        fail(tr("no port of server {server!r} is visible", server=server))
    return str(held[0]["id"])


@floating_ip_app.command("create")
def create_floating_ip(
    network: str = typer.Option(..., "--network", help="an external network (id or name)"),
    project: str = Project,
    server: str | None = typer.Option(None, help="forward it to this server at once"),
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body: dict[str, Any] = {
        "project_id": project_id(client, project),
        "network_id": network_id(client, network),
    }
    if server:
        body["port_id"] = _port_of(client, server, None)
    show(client.post("/v1/floating-ips", body), output)


@floating_ip_app.command("associate")
def associate(
    floating_id: str,
    server: str | None = typer.Option(None, help="the server whose port it forwards to"),
    port: str | None = typer.Option(None, help="else the port"),
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body = {"port_id": _port_of(client, server, port)}
    show(client.request("PATCH", f"/v1/floating-ips/{floating_id}", json=body), output)


@floating_ip_app.command("disassociate")
def disassociate(floating_id: str, output: str = Output) -> None:
    check_output(output)
    client = Client()
    show(client.request("PATCH", f"/v1/floating-ips/{floating_id}", json={"port_id": None}), output)


@floating_ip_app.command("release")
def release(floating_id: str) -> None:
    Client().request("DELETE", f"/v1/floating-ips/{floating_id}")
    typer.echo(tr("floating IP {id} released", id=floating_id))
