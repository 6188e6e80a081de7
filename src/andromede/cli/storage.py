"""Client sub-commands of block storage's capacity: ``volume-type`` (list, create) and
``storage-pool`` (list, show, create, set). Everyone signed in reads the types; operator
staff read the pools; operator administrators declare both."""

import typer

from andromede.cli.client import Client
from andromede.cli.output import Output, check_output, show

__all__ = ["storage_pool_app", "volume_type_app"]

TYPE_COLUMNS = ["id", "region", "name", "certification", "multiattach", "description"]
POOL_COLUMNS = ["name", "zone", "backend", "volume_types", "total_gib", "ratio", "allocated_gib",
                "enabled"]  # fmt: skip
Region = typer.Option(None, "--region", help="one region's only")

volume_type_app = typer.Typer(
    help="Volume types: what a region's volumes can be", no_args_is_help=True
)
storage_pool_app = typer.Typer(
    help="Storage pools: where volumes live, their size and claims (operator)",
    no_args_is_help=True,
)


@volume_type_app.command("list")
def list_types(region: str | None = Region, output: str = Output) -> None:
    check_output(output)
    show(Client().all("/v1/volume-types", **({"region": region} if region else {})), output,
         TYPE_COLUMNS)  # fmt: skip


@volume_type_app.command("create")
def create_type(
    name: str,
    region: str = typer.Option(..., "--region"),
    description: str = "",
    certification: str | None = typer.Option(None, help="the label its pools carry"),
    multiattach: bool = typer.Option(False, help="one volume on several servers at once"),
    output: str = Output,
) -> None:
    check_output(output)
    body: dict[str, object] = {"region": region, "name": name, "description": description}
    body |= {"certification": certification, "multiattach": multiattach}
    show(Client().post("/v1/volume-types", body), output)


@storage_pool_app.command("list")
def list_pools(region: str | None = Region, output: str = Output) -> None:
    check_output(output)
    show(Client().all("/v1/storage-pools", **({"region": region} if region else {})), output,
         POOL_COLUMNS)  # fmt: skip


@storage_pool_app.command("show")
def show_pool(ref: str, output: str = Output) -> None:
    check_output(output)
    show(Client().get(f"/v1/storage-pools/{ref}"), output)


@storage_pool_app.command("create")
def create_pool(
    name: str,
    zone: str = typer.Option(..., "--zone"),
    backend: str = typer.Option(..., "--backend", help="e.g. ceph-rbd"),
    volume_type: list[str] = typer.Option(..., "--volume-type", help="a type it serves (repeat)"),
    total_gib: int = typer.Option(..., "--total-gib"),
    ratio: str = typer.Option("1", "--ratio", help="over-subscription, from 1 to 20"),
    output: str = Output,
) -> None:
    check_output(output)
    body: dict[str, object] = {"name": name, "zone": zone, "backend": backend}
    body |= {"volume_types": volume_type, "total_gib": total_gib, "ratio": ratio}
    show(Client().post("/v1/storage-pools", body), output)


@storage_pool_app.command("set")
def set_pool(
    ref: str,
    enabled: bool | None = typer.Option(None, "--enabled/--disabled"),
    total_gib: int | None = typer.Option(None, "--total-gib", help="a larger size"),
    output: str = Output,
) -> None:
    check_output(output)
    changes = {
        k: v for k, v in {"enabled": enabled, "total_gib": total_gib}.items() if v is not None
    }
    show(Client().request("PATCH", f"/v1/storage-pools/{ref}", json=changes), output)
