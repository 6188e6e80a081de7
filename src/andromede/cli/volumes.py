"""Client sub-commands of volumes: ``volume`` (list, create, show, set, extend, retype,
transfer, upload-image, attach, detach, delete, quota, set-quota), ``volume-snapshot`` and
``volume-backup`` (list, create, show, delete; a backup restores). Volumes, snapshots,
backups and servers are named by id or by a name only one of the caller's carries."""

from typing import Any

import typer

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.names import id_of, of_project, project_id
from andromede.cli.output import Output, check_output, fail, show

__all__ = ["volume_app", "volume_backup_app", "volume_snapshot_app"]

COLUMNS = ["id", "name", "status", "size_gib", "volume_type", "zone", "bootable", "attachments"]
COPY_COLUMNS = ["id", "name", "volume_id", "status", "size_gib", "volume_type", "created_at"]
Project = typer.Option(None, "--project", help="the project's id or name")

volume_app = typer.Typer(help="Volumes: disks that outlive servers", no_args_is_help=True)
volume_snapshot_app = typer.Typer(help="Snapshots of volumes", no_args_is_help=True)
volume_backup_app = typer.Typer(
    help="Backups of volumes, in their region's backup store", no_args_is_help=True
)


def volume_id(client: Client, ref: str) -> str:
    return id_of(client.all("/v1/volumes"), ref, tr("volume"))


def _server_id(client: Client, ref: str) -> str:
    return id_of(client.all("/v1/servers"), ref, tr("server"))


def _attached(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A table shows where each volume is attached, not the attachment objects."""
    return [{**row, "attachments": _where(row["attachments"])} for row in rows]


def _where(attachments: list[dict[str, Any]]) -> str:
    return ", ".join(f"{a['server_id']}:{a['device']}" for a in attachments)


@volume_app.command("list")
def list_volumes(project: str | None = Project, output: str = Output) -> None:
    check_output(output)
    rows = of_project(Client(), "/v1/volumes", project)
    show(rows if output == "json" else _attached(rows), output, COLUMNS)


@volume_app.command("create")
def create(
    name: str,
    project: str = typer.Option(..., "--project", help="the project's id or unique name"),
    size: int | None = typer.Option(None, "--size", help="GiB (default: the source's)"),
    volume_type: str | None = typer.Option(None, "--type", help="default: the region's"),
    zone: str | None = typer.Option(None, "--zone"),
    region: str | None = typer.Option(None, "--region"),
    image: str | None = typer.Option(None, "--image", help="a bootable volume of this image"),
    snapshot: str | None = typer.Option(None, "--snapshot", help="a snapshot's id or name"),
    source: str | None = typer.Option(None, "--source", help="a volume to copy"),
    description: str = "",
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body: dict[str, object] = {"project_id": project_id(client, project), "name": name}
    body |= {"size_gib": size, "volume_type": volume_type, "zone": zone, "region": region}
    body |= {"image": image, "description": description}
    if snapshot:
        body["snapshot_id"] = id_of(client.all("/v1/volume-snapshots"), snapshot, tr("snapshot"))
    if source:
        body["source_volume_id"] = volume_id(client, source)
    show(client.post("/v1/volumes", {k: v for k, v in body.items() if v is not None}), output)


@volume_app.command("show")
def show_volume(ref: str, output: str = Output) -> None:
    check_output(output)
    client = Client()
    show(client.get(f"/v1/volumes/{volume_id(client, ref)}"), output)


@volume_app.command("set")
def set_volume(
    ref: str,
    name: str | None = typer.Option(None, "--name"),
    description: str | None = typer.Option(None, "--description"),
    bootable: bool | None = typer.Option(None, "--bootable/--non-bootable"),
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    changes = {"name": name, "description": description, "bootable": bootable}
    body = {k: v for k, v in changes.items() if v is not None}
    show(client.request("PATCH", f"/v1/volumes/{volume_id(client, ref)}", json=body), output)


def _post(ref: str, verb: str, body: dict[str, object], output: str) -> None:
    check_output(output)
    client = Client()
    show(client.post(f"/v1/volumes/{volume_id(client, ref)}/{verb}", body), output)


@volume_app.command("extend")
def extend(ref: str, size: int = typer.Option(..., "--size", help="the new size in GiB"),
           output: str = Output) -> None:  # fmt: skip
    """Attached or not; a volume never shrinks."""
    _post(ref, "extend", {"size_gib": size}, output)


@volume_app.command("retype")
def retype(ref: str, volume_type: str = typer.Option(..., "--type"),
           output: str = Output) -> None:  # fmt: skip
    _post(ref, "retype", {"volume_type": volume_type}, output)


@volume_app.command("transfer")
def transfer(
    ref: str,
    project: str = typer.Option(..., "--to-project", help="a project of the same customer"),
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body = {"project_id": project_id(client, project)}
    show(client.post(f"/v1/volumes/{volume_id(client, ref)}/transfer", body), output)


@volume_app.command("upload-image")
def upload_image(
    ref: str,
    name: str = typer.Option(..., "--name", help="the new image's name"),
    disk_format: str = typer.Option("raw", "--disk-format"),
    force: bool = typer.Option(False, "--force", help="copy an attached volume"),
    output: str = Output,
) -> None:
    """A new private image of the volume's project with the volume's content, stored in
    the volume's region."""
    body = {"name": name, "disk_format": disk_format, "force": force}
    _post(ref, "image", body, output)


@volume_app.command("attach")
def attach(
    ref: str,
    server: str = typer.Option(..., "--server", help="the server's id or name"),
    device: str | None = typer.Option(None, "--device", help="default: the next /dev/vdX"),
    delete_on_termination: bool = typer.Option(
        False, "--delete-on-termination", help="delete the volume with the server"
    ),
    output: str = Output,
) -> None:
    check_output(output)
    client = Client()
    body = {"volume_id": volume_id(client, ref), "device": device,
            "delete_on_termination": delete_on_termination}  # fmt: skip
    show(client.post(f"/v1/servers/{_server_id(client, server)}/volumes", body), output)


@volume_app.command("detach")
def detach(ref: str, server: str = typer.Option(..., "--server")) -> None:
    client = Client()
    path = f"/v1/servers/{_server_id(client, server)}/volumes/{volume_id(client, ref)}"
    client.request("DELETE", path)
    typer.echo(tr("detached {ref}", ref=ref))


@volume_app.command("delete")
def delete(ref: str) -> None:
    """Refused while attached or with snapshots."""
    client = Client()
    client.request("DELETE", f"/v1/volumes/{volume_id(client, ref)}")
    typer.echo(tr("deleted {ref}", ref=ref))


@volume_app.command("quota")
def quota(project: str = typer.Option(..., "--project"), output: str = Output) -> None:
    """The project's storage quotas and what counts against them."""
    check_output(output)
    client = Client()
    show(client.get(f"/v1/projects/{project_id(client, project)}/storage-quotas"), output)


@volume_app.command("set-quota")
def set_quota(
    project: str = typer.Option(..., "--project"),
    limit: list[str] = typer.Option(..., "--limit", help="NAME=N, e.g. volumes=10 (repeat)"),
    output: str = Output,
) -> None:
    """Operator administrators: -1 is unlimited; per type as volumes_<type>."""
    check_output(output)
    limits = {}
    for item in limit:
        name, _, value = item.partition("=")
        if not value.lstrip("-").isdigit():
            fail(tr("--limit {item!r}: expected NAME=N", item=item))
        limits[name] = int(value)
    client = Client()
    path = f"/v1/projects/{project_id(client, project)}/storage-quotas"
    show(client.request("PUT", path, json=limits), output)


# -- snapshots and backups -------------------------------------------------------
def _copies(app: typer.Typer, kind: str, path: str) -> None:
    def ref_id(client: Client, ref: str) -> str:
        label = tr("backup") if kind == "backup" else tr("snapshot")
        return id_of(client.all(path), ref, label)

    @app.command("list")
    def list_copies(volume: str | None = typer.Option(None, "--volume"),
                    output: str = Output) -> None:  # fmt: skip
        check_output(output)
        client = Client()
        query = {"volume_id": volume_id(client, volume)} if volume else {}
        show(client.all(path, **query), output, COPY_COLUMNS)

    @app.command("show")
    def show_copy(ref: str, output: str = Output) -> None:
        check_output(output)
        client = Client()
        show(client.get(f"{path}/{ref_id(client, ref)}"), output)

    @app.command("delete")
    def delete_copy(ref: str) -> None:
        client = Client()
        client.request("DELETE", f"{path}/{ref_id(client, ref)}")
        typer.echo(tr("deleted {ref}", ref=ref))

    @app.command("create")
    def create_copy(
        volume: str,
        name: str = typer.Option("", "--name"),
        force: bool = typer.Option(False, "--force", help="even if the volume is attached"),
        output: str = Output,
    ) -> None:
        check_output(output)
        client = Client()
        body = {"volume_id": volume_id(client, volume), "name": name, "force": force}
        show(client.post(path, body), output)

    if kind == "backup":

        @app.command("restore")
        def restore(
            ref: str,
            name: str = typer.Option("", "--name", help="of the new volume"),
            onto: str | None = typer.Option(None, "--volume", help="an available volume"),
            output: str = Output,
        ) -> None:
            check_output(output)
            client = Client()
            body = {"name": name, "volume_id": volume_id(client, onto) if onto else None}
            show(client.post(f"{path}/{ref_id(client, ref)}/restore", body), output)


_copies(volume_snapshot_app, "snapshot", "/v1/volume-snapshots")
_copies(volume_backup_app, "backup", "/v1/volume-backups")
