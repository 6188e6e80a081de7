"""Client sub-commands: partner, customer, project, user, region, flavor, image, server."""

import time
from typing import Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from andromede.cli.access import access_app
from andromede.cli.client import Client
from andromede.cli.clusters import cluster_app
from andromede.cli.environments import environment_app
from andromede.cli.images import add_own_images, add_server_snapshot
from andromede.cli.invoices import invoice_app, payment_app
from andromede.cli.language import tr
from andromede.cli.maintenances import maintenance_app
from andromede.cli.names import named_rows, project_id
from andromede.cli.networks import (
    floating_ip_app,
    network_app,
    network_id,
    port_app,
    router_app,
)
from andromede.cli.offboarding import add_offboarding
from andromede.cli.output import Output, check_output, fail, show
from andromede.cli.reservations import commitment_app, reservation_app
from andromede.cli.schedules import add_tags, schedule_app
from andromede.cli.security_groups import add_server_groups, security_group_app
from andromede.cli.server_console import add_console
from andromede.cli.server_groups import server_group_app
from andromede.cli.sovereignty import attestation_app, compliance_app, policy_app
from andromede.cli.storage import storage_pool_app, volume_type_app
from andromede.cli.volumes import volume_app, volume_backup_app, volume_snapshot_app

__all__ = ["register"]


def _listing(name: str, path: str, columns: list[str]) -> typer.Typer:
    app = typer.Typer(help=f"{name.capitalize()}s", no_args_is_help=True)

    @app.command("list")
    def list_(output: str = Output) -> None:
        check_output(output)
        client = Client()
        rows = client.all(path)
        show(rows if output == "json" else named_rows(client, rows, columns), output, columns)

    @app.command("show")
    def show_(ref: str, output: str = Output) -> None:
        check_output(output)
        show(Client().get(f"{path}/{ref}"), output)

    return app


def _tenancy_apps() -> dict[str, typer.Typer]:
    partner = _listing("partner", "/v1/partners", ["id", "name", "kind", "tier", "country"])
    customer = _listing("customer", "/v1/customers", ["id", "name", "partner", "country", "status"])
    add_offboarding(customer)
    project = _listing("project", "/v1/projects", ["id", "name", "customer"])
    user = _listing("user", "/v1/users", ["id", "username", "role", "org_id"])

    @partner.command("create")
    def partner_create(
        name: str,
        kind: str = typer.Option(...),
        country: str = "FR",
        address: str = typer.Option(...),
        tier: str = "registered",
        siren: str | None = None,
        vat_number: str | None = None,
        output: str = Output,
    ) -> None:
        show(
            Client().post(
                "/v1/partners",
                {
                    "name": name,
                    "kind": kind,
                    "tier": tier,
                    "country": country,
                    "address": address,
                    "siren": siren,
                    "vat_number": vat_number,
                },
            ),
            output,
        )

    @customer.command("create")
    def customer_create(
        name: str,
        address: str = typer.Option(...),
        country: str = "FR",
        partner_id: str | None = None,
        siren: str | None = None,
        vat_number: str | None = None,
        public_sector: bool = False,
        output: str = Output,
    ) -> None:
        show(
            Client().post(
                "/v1/customers",
                {
                    "name": name,
                    "partner_id": partner_id,
                    "country": country,
                    "address": address,
                    "siren": siren,
                    "vat_number": vat_number,
                    "public_sector": public_sector,
                },
            ),
            output,
        )

    @project.command("create")
    def project_create(name: str, customer_id: str | None = None, output: str = Output) -> None:
        show(Client().post("/v1/projects", {"name": name, "customer_id": customer_id}), output)

    @user.command("create")
    def user_create(
        username: str,
        role: str = typer.Option(...),
        password: str = typer.Option(..., prompt=True, hide_input=True),
        org_id: str | None = None,
        person: str | None = typer.Option(None, help=PERSON_HELP),
        output: str = Output,
    ) -> None:
        body = {"username": username, "password": password, "role": role, "org_id": org_id}
        show(Client().post("/v1/users", body | ({"person": person} if person else {})), output)

    return {"partner": partner, "customer": customer, "project": project, "user": user}


PERSON_HELP = (
    "who it belongs to, an employee number or an e-mail (required for the operator's "
    "staff and the accounts they make)"
)
SERVER_COLUMNS = ["id", "name", "status", "flavor", "image", "region", "zone", "project"]


def _wait(client: Client, server_id: str, targets: set[str], timeout: float) -> dict[str, Any]:
    """Polls until the server reaches a target status (or ERROR), with a progress display."""
    deadline = time.monotonic() + timeout
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True
    ) as progress:
        task = progress.add_task(tr("waiting for {id}", id=server_id), total=None)
        while True:
            found = client.find(f"/v1/servers/{server_id}")
            status = "DELETED" if found is None else found["status"]
            progress.update(
                task, description=tr("server {id}: {status}", id=server_id, status=status)
            )
            if status in targets or status == "ERROR":
                return found or {"id": server_id, "status": "DELETED"}
            if time.monotonic() > deadline:
                fail(
                    tr("timed out waiting for {id} (still {status})", id=server_id, status=status),
                    code=1,
                )
            time.sleep(0.5)


def _server_app() -> typer.Typer:
    app = _listing("server", "/v1/servers", SERVER_COLUMNS)

    @app.command("create")
    def create(
        name: str,
        project: str = typer.Option(..., "--project", help="the project's id or unique name"),
        flavor: str = typer.Option(...),
        image: str = typer.Option(...),
        region: str = typer.Option(...),
        zone: str | None = None,
        server_group: str | None = None,
        key_name: str | None = None,
        security_group: list[str] = typer.Option(
            [], "--security-group", help="a group to join (repeat); none: the default group"
        ),
        network: list[str] = typer.Option(
            [], "--network", help="a network (id or name; repeat); none: the region's provider"
        ),
        description: str | None = typer.Option(None, help="a few words on what it is for"),
        wait: bool = False,
        timeout: float = 600,
        output: str = Output,
    ) -> None:
        check_output(output)
        client = Client()
        server = client.post(
            "/v1/servers",
            {
                "project_id": project_id(client, project),
                "name": name,
                "flavor": flavor,
                "image": image,
                "region": region,
                "zone": zone,
                "server_group": server_group,
                "key_name": key_name,
                "security_groups": security_group,
                "networks": [network_id(client, n) for n in network] or None,
                "description": description,
            },
        )
        if wait:
            server = _wait(client, server["id"], {"ACTIVE"}, timeout)
        show(server, output)
        if server["status"] == "ERROR":
            raise typer.Exit(1)

    def _action(verb: str, target: str) -> None:
        @app.command(verb)
        def run_action(
            server_id: str,
            wait: bool = False,
            timeout: float = 600,
            hard: bool = False,
            output: str = Output,
        ) -> None:
            check_output(output)
            client = Client()
            body = {"action": verb, "type": "HARD" if hard else "SOFT"}
            server = client.post(f"/v1/servers/{server_id}/actions", body)
            if wait:
                server = _wait(client, server_id, {target}, timeout)
            show(server, output)

    _action("start", "ACTIVE")
    _action("stop", "SHUTOFF")
    _action("reboot", "ACTIVE")

    _add_rebuild_and_lock(app)

    @app.command("delete")
    def delete(server_id: str, wait: bool = False, timeout: float = 600) -> None:
        client = Client()
        client.request("DELETE", f"/v1/servers/{server_id}")
        if wait:
            _wait(client, server_id, {"DELETED"}, timeout)
        if wait:
            typer.echo(tr("server {id} deleted", id=server_id))
        else:
            typer.echo(tr("server {id} deleting", id=server_id))

    return app


def _add_rebuild_and_lock(app: typer.Typer) -> None:
    @app.command("lock")
    def lock(
        server_id: str,
        reason: str | None = typer.Option(None, help="why, shown to whoever finds it locked"),
        output: str = Output,
    ) -> None:
        """Every action but unlock is refused until it is unlocked."""
        check_output(output)
        body = {"action": "lock", "reason": reason}
        show(Client().post(f"/v1/servers/{server_id}/actions", body), output)

    @app.command("set")
    def set_fields(
        server_id: str,
        name: str | None = typer.Option(None, help="a new name"),
        description: str | None = typer.Option(None, help="a new description ('' clears it)"),
        output: str = Output,
    ) -> None:
        """Renames or describes the server."""
        check_output(output)
        body: dict[str, Any] = {"name": name} if name is not None else {}
        if description is not None:
            body["description"] = description or None
        if not body:
            fail(tr("nothing to set: give --name or --description"))
        show(Client().request("PATCH", f"/v1/servers/{server_id}", json=body), output)

    @app.command("unlock")
    def unlock(server_id: str, output: str = Output) -> None:
        check_output(output)
        show(Client().post(f"/v1/servers/{server_id}/actions", {"action": "unlock"}), output)

    @app.command("rebuild")
    def rebuild(
        server_id: str,
        image: str = typer.Option(..., help="the image to start again from (name or id)"),
        wait: bool = False,
        timeout: float = 600,
        output: str = Output,
    ) -> None:
        """The same server started again from an image, its disk wiped."""
        check_output(output)
        client = Client()
        body = {"action": "rebuild", "image": image}
        server = client.post(f"/v1/servers/{server_id}/actions", body)
        if wait:
            server = _wait(client, server_id, {server["desired_status"]}, timeout)
        show(server, output)


def register(root: typer.Typer) -> None:
    for name, app in _tenancy_apps().items():
        root.add_typer(app, name=name)
    root.add_typer(
        _listing(
            "region", "/v1/regions", ["code", "name", "country", "territory", "certifications"]
        ),
        name="region",
    )
    root.add_typer(
        _listing(
            "flavor",
            "/v1/flavors",
            ["name", "vcpus", "ram_mib", "disk_gib", "family", "size_units"],
        ),
        name="flavor",
    )
    images = _listing("image", "/v1/images", ["id", "name", "os_distro", "os_version"])
    add_own_images(images)
    root.add_typer(images, name="image")
    servers = _server_app()
    add_tags(servers)
    add_server_groups(servers)
    add_server_snapshot(servers)
    add_console(servers)
    root.add_typer(servers, name="server")
    root.add_typer(security_group_app, name="security-group")
    root.add_typer(server_group_app, name="server-group")
    root.add_typer(volume_type_app, name="volume-type")
    root.add_typer(storage_pool_app, name="storage-pool")
    root.add_typer(volume_app, name="volume")
    root.add_typer(volume_snapshot_app, name="volume-snapshot")
    root.add_typer(volume_backup_app, name="volume-backup")
    root.add_typer(network_app, name="network")
    root.add_typer(router_app, name="router")
    root.add_typer(port_app, name="port")
    root.add_typer(floating_ip_app, name="floating-ip")
    root.add_typer(schedule_app, name="schedule")
    root.add_typer(environment_app, name="environment")
    root.add_typer(cluster_app, name="cluster")
    root.add_typer(policy_app, name="policy")
    root.add_typer(attestation_app, name="attestation")
    root.add_typer(compliance_app, name="compliance")
    root.add_typer(maintenance_app, name="maintenance")
    root.add_typer(access_app, name="access")
    root.add_typer(reservation_app, name="reservation")
    root.add_typer(commitment_app, name="commitment")
    root.add_typer(invoice_app, name="invoice")
    root.add_typer(payment_app, name="payment")
