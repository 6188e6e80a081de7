"""Client sub-commands for a customer's own images: ``image own`` (what a project may
boot), ``image upload`` and ``image download`` (streamed, with a progress bar),
``image delete``."""

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TransferSpeedColumn,
)

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.names import project_id
from andromede.cli.output import Output, check_output, fail, show

__all__ = ["add_own_images"]

COLUMNS = ["id", "name", "project_id", "status", "visibility", "size", "region"]
CHUNK = 1024 * 1024


def _bar() -> Progress:
    return Progress(BarColumn(), DownloadColumn(), TransferSpeedColumn(), transient=True)


def _properties(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(tr("--property takes key=value, not {pair!r}", pair=pair))
        found[key] = value
    return found


def add_own_images(app: typer.Typer) -> None:
    @app.command("own")
    def own(
        project: str = typer.Option(..., "--project", help="the project's id or unique name"),
        output: str = Output,
    ) -> None:
        """The images the project may boot: the catalog's, its own, those shared with it."""
        client = Client()
        found = client.all(f"/v1/projects/{project_id(client, project)}/images")
        show(found, output, COLUMNS)

    @app.command("upload")
    def upload(
        file: Path,
        name: str = typer.Option(...),
        project: str = typer.Option(..., "--project", help="the project's id or unique name"),
        disk_format: str = "qcow2",
        prop: list[str] = typer.Option([], "--property", help="key=value (repeat)"),
        region: str | None = typer.Option(
            None, help="where its bytes live (else the first region the policy allows)"
        ),
        output: str = Output,
    ) -> None:
        """A new image of the project from a local file, streamed to the region's store."""
        if not file.is_file():
            fail(tr("no file {path}", path=file))
        client = Client()
        body: dict[str, Any] = {"name": name, "disk_format": disk_format, "region": region}
        body["properties"] = _properties(prop)
        image = client.post(f"/v1/projects/{project_id(client, project)}/images", body)
        size = file.stat().st_size
        with _bar() as bar, file.open("rb") as source:
            task = bar.add_task(tr("upload"), total=size)

            def chunks() -> Iterator[bytes]:
                while chunk := source.read(CHUNK):
                    bar.advance(task, len(chunk))
                    yield chunk

            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
            client.transfer(
                "PUT", f"/v1/images/{image['id']}/file", headers=headers, content=chunks()
            )
        found = client.all(f"/v1/projects/{image['project_id']}/images")
        show(next(i for i in found if i["id"] == image["id"]), output)

    @app.command("download")
    def download(image_id: str, file: Path = typer.Option(..., "--file")) -> None:
        """The image's bytes into a local file, streamed; checked against its checksum."""
        client = Client()
        headers = client.headers()
        digest = hashlib.md5()
        try:
            with client.http.stream(
                "GET", f"{client.url}/v1/images/{image_id}/file", headers=headers, timeout=None
            ) as response:
                if response.status_code != 200:
                    response.read()
                    fail(
                        tr(
                            "image {id}: {error}",
                            id=image_id,
                            error=response.text or response.status_code,
                        )
                    )
                total = int(response.headers.get("content-length") or 0) or None
                with _bar() as bar, file.open("wb") as sink:
                    task = bar.add_task(tr("download"), total=total)
                    for chunk in response.iter_bytes(CHUNK):
                        sink.write(chunk)
                        digest.update(chunk)
                        bar.advance(task, len(chunk))
                expected = response.headers.get("content-md5")
        except httpx.HTTPError as exc:
            client.unreachable(exc)
        if expected and digest.hexdigest() != expected:
            fail(tr("image {id}: the download does not match its checksum", id=image_id), code=1)
        typer.echo(tr("image {id} saved to {path}", id=image_id, path=file))

    @app.command("delete")
    def delete(image_id: str) -> None:
        Client().request("DELETE", f"/v1/images/{image_id}")
        typer.echo(tr("image {id} deleted", id=image_id))


def add_server_snapshot(server_app: typer.Typer) -> None:
    @server_app.command("snapshot")
    def snapshot(
        server_id: str,
        name: str = typer.Option(..., "--name", help="the image's name"),
        wait: bool = typer.Option(False, help="until the image is active"),
        timeout: float = 600,
        output: str = Output,
    ) -> None:
        """A private image of the server's disk, in its region."""
        check_output(output)
        client = Client()
        image = client.post(f"/v1/servers/{server_id}/snapshots", {"name": name})
        deadline = time.monotonic() + timeout
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as bar:
            bar.add_task(tr("saving {name}", name=image["name"]))
            while wait and image["status"] == "saving":
                if time.monotonic() > deadline:
                    fail(tr("timed out waiting for image {id}", id=image["id"]), code=1)
                time.sleep(0.5)
                listed = client.all(f"/v1/projects/{image['project_id']}/images")
                image = next((i for i in listed if i["id"] == image["id"]), image)
        show(image, output)
        if image["status"] not in ("saving", "active"):
            raise typer.Exit(1)
