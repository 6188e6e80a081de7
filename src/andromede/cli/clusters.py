"""Client sub-commands: ``cluster`` (templates, create, list, show, scale, config, delete).
A shape is a JSON file (engine, version, image, node_groups, config); counts are written
``core=4``, configuration overrides ``hdfs-site.xml:dfs.blocksize=256m``."""

import base64
import json
import time
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from andromede.cli.client import Client
from andromede.cli.language import tr
from andromede.cli.names import project_id
from andromede.cli.output import Output, fail, show

__all__ = ["cluster_app"]

COLUMNS = ["id", "name", "status", "region", "nodes", "reason"]
SETTLED = {"ACTIVE", "ERROR"}

cluster_app = typer.Typer(help="Hadoop and Spark clusters", no_args_is_help=True)


def parse_count(text: str) -> tuple[str, int]:
    name, _, count = text.partition("=")
    if not name or not count.isdigit():
        fail(tr("--count {text!r}: write group=N, e.g. core=4", text=text))
    return name, int(count)


def parse_setting(text: str) -> tuple[str, str, str]:
    file, _, rest = text.partition(":")
    key, _, value = rest.partition("=")
    if not file or not key or not value:
        fail(
            tr(
                "--set {text!r}: write file:key=value, e.g. hdfs-site.xml:dfs.blocksize=256m",
                text=text,
            )
        )
    return file, key, value


def read_shape(path: Path) -> dict[str, Any]:
    try:
        shape = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        fail(tr("--file {path}: {error}", path=path, error=exc))
    if not isinstance(shape, dict):
        fail(
            tr(
                "--file {path}: a JSON object (engine, version, image, node_groups, config)",
                path=path,
            )
        )
    return shape


def _table(cluster: dict[str, Any]) -> dict[str, Any]:
    nodes = cluster.get("nodes") or []
    return {
        **cluster,
        "nodes": ", ".join(f"{n['name']}:{n['status'] or '-'}" for n in nodes),
        "body": f"{cluster['body'].get('engine')} {cluster['body'].get('version')}",
    }


def _wait(client: Client, cluster_id: str, timeout: float) -> dict[str, Any]:
    """Polls until the cluster is ACTIVE or in ERROR, nodes up counted on a bar."""
    deadline = time.monotonic() + timeout
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(tr("cluster {id}", id=cluster_id), total=None)
        while True:
            found = client.get(f"/v1/clusters/{cluster_id}")
            nodes = found["nodes"]
            up = sum(n["status"] == "ACTIVE" for n in nodes)
            progress.update(
                task,
                total=len(nodes),
                completed=up,
                description=f"{found['name']}: {found['status']} ({up}/{len(nodes)} nodes up)",
            )
            if found["status"] in SETTLED:
                return dict(found)
            if time.monotonic() > deadline:
                fail(
                    tr(
                        "timed out waiting for {id} (still {status})",
                        id=cluster_id,
                        status=found["status"],
                    ),
                    code=1,
                )
            time.sleep(0.5)


@cluster_app.command("template-list")
def template_list(output: str = Output) -> None:
    rows = Client().get("/v1/cluster-templates")["items"]
    show(rows, output, ["id", "name", "partner_id", "description"])


@cluster_app.command("template-create")
def template_create(
    name: str,
    file: Path = typer.Option(..., "--file", help="the shape, as JSON"),
    description: str = "",
    output: str = Output,
) -> None:
    """Publish a template (the operator's for everyone, a partner's for its customers)."""
    body = {"name": name, "description": description, "body": read_shape(file)}
    show(Client().post("/v1/cluster-templates", body), output)


@cluster_app.command("template-delete")
def template_delete(template: str) -> None:
    Client().request("DELETE", f"/v1/cluster-templates/{template}")
    typer.echo(tr("template {ref} deleted", ref=template))


@cluster_app.command("create")
def create(
    name: str,
    project: str = typer.Option(..., help="project id or name"),
    region: str = typer.Option(...),
    zone: str | None = None,
    template: str | None = typer.Option(None, help="a template's id or name"),
    file: Path | None = typer.Option(None, "--file", help="a whole shape, as JSON"),
    count: list[str] = typer.Option([], "--count", help="group=N, over the template's"),
    setting: list[str] = typer.Option([], "--set", help="file:key=value"),
    transient: bool = typer.Option(False, help="deleted once its jobs are over"),
    wait: bool = typer.Option(False, help="until ACTIVE (or ERROR), with progress"),
    timeout: float = 900,
    output: str = Output,
) -> None:
    """Make a cluster: every node a server of the project, on hosts of their own."""
    if (template is None) == (file is None):
        fail(tr("give --template or --file"))
    client = Client()
    config: dict[str, dict[str, str]] = {}
    for file_name, key, value in map(parse_setting, setting):
        config.setdefault(file_name, {})[key] = value
    body = {
        "project_id": project_id(client, project),
        "name": name,
        "region": region,
        "zone": zone,
        "template": template,
        "body": read_shape(file) if file else None,
        "counts": dict(map(parse_count, count)),
        "config": config,
        "transient": transient,
    }
    made = client.post("/v1/clusters", {k: v for k, v in body.items() if v is not None})
    if wait:
        made = _wait(client, made["id"], timeout)
    show(made if output == "json" else _table(made), output)


@cluster_app.command("list")
def list_(output: str = Output) -> None:
    rows = Client().all("/v1/clusters")
    show(rows if output == "json" else [_table(r) for r in rows], output, COLUMNS)


@cluster_app.command("show")
def show_(cluster_id: str, output: str = Output) -> None:
    found = Client().get(f"/v1/clusters/{cluster_id}")
    show(found if output == "json" else _table(found), output)


@cluster_app.command("scale")
def scale(
    cluster_id: str,
    count: list[str] = typer.Option(..., "--count", help="group=N"),
    wait: bool = typer.Option(False, help="until ACTIVE again, with progress"),
    timeout: float = 900,
    output: str = Output,
) -> None:
    """Resize worker groups: task nodes go at once, core nodes are drained first."""
    client = Client()
    found = client.post(
        f"/v1/clusters/{cluster_id}/scale", {"groups": dict(map(parse_count, count))}
    )
    if wait:
        found = _wait(client, cluster_id, timeout)
    show(found if output == "json" else _table(found), output)


@cluster_app.command("config")
def config(cluster_id: str, node: str) -> None:
    """A node's configuration files, as the cluster is now."""
    files = Client().get(f"/v1/clusters/{cluster_id}/nodes/{node}/configuration")["files"]
    for path, content in files.items():
        typer.echo(f"# {path}")
        typer.echo(content)


@cluster_app.command("delete")
def delete(cluster_id: str) -> None:
    Client().request("DELETE", f"/v1/clusters/{cluster_id}")
    typer.echo(tr("cluster {id} deleting", id=cluster_id))


JOB_COLUMNS = ["id", "name", "status", "exit_code", "duration_seconds", "submitted_at"]
OVER = {"SUCCEEDED", "FAILED", "KILLED"}


def _encoded(path: Path) -> str:
    try:
        return base64.b64encode(path.read_bytes()).decode()
    except OSError as exc:
        fail(tr("{path}: {error}", path=path, error=exc.strerror))


def _wait_job(client: Client, cluster_id: str, job_id: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(tr("job {id}", id=job_id), total=None)
        while True:
            job = client.get(f"/v1/clusters/{cluster_id}/jobs/{job_id}")
            progress.update(task, description=f"job {job['name']}: {job['status']}")
            if job["status"] in OVER:
                return dict(job)
            if time.monotonic() > deadline:
                fail(
                    tr(
                        "timed out waiting for job {id} (still {status})",
                        id=job_id,
                        status=job["status"],
                    ),
                    code=1,
                )
            time.sleep(1)


@cluster_app.command("job-submit")
def job_submit(
    cluster_id: str,
    application: Path = typer.Argument(..., help="a .py or .jar file"),
    arg: list[str] = typer.Option([], "--arg", help="an argument of the application"),
    file: list[Path] = typer.Option([], "--file", help="a file put beside it"),
    conf: list[str] = typer.Option([], "--conf", help="spark.key=value"),
    name: str = "",
    wait: bool = typer.Option(False, help="until it ends, then its output"),
    timeout: float = 900,
    output: str = Output,
) -> None:
    """Submit a Spark application to a cluster; ``--wait`` prints its driver's output."""
    settings = {}
    for text in conf:
        key, _, value = text.partition("=")
        if not key or not value:
            fail(tr("--conf {text!r}: write spark.key=value", text=text))
        settings[key] = value
    body = {
        "name": name,
        "file_name": application.name,
        "content_base64": _encoded(application),
        "files": {f.name: _encoded(f) for f in file},
        "args": arg,
        "conf": settings,
    }
    client = Client()
    job = client.post(f"/v1/clusters/{cluster_id}/jobs", body)
    if wait:
        job = _wait_job(client, cluster_id, job["id"], timeout)
        if output != "json":
            typer.echo(job["output"])
            typer.echo(tr("job {name}: {status}", name=job["name"], status=job["status"]))
            raise typer.Exit(0 if job["status"] == "SUCCEEDED" else 1)
    show(job, output, JOB_COLUMNS)


@cluster_app.command("jobs")
def jobs(cluster_id: str, output: str = Output) -> None:
    show(Client().get(f"/v1/clusters/{cluster_id}/jobs")["items"], output, JOB_COLUMNS)


@cluster_app.command("job")
def job_(cluster_id: str, job_id: str, output: str = Output) -> None:
    """A job, with the last lines of its driver's output."""
    found = Client().get(f"/v1/clusters/{cluster_id}/jobs/{job_id}")
    if output == "json":
        show(found, output)
        return
    show({k: v for k, v in found.items() if k != "output"}, output)
    typer.echo(found["output"])


@cluster_app.command("job-kill")
def job_kill(cluster_id: str, job_id: str, output: str = Output) -> None:
    show(Client().post(f"/v1/clusters/{cluster_id}/jobs/{job_id}/kill", {}), output)
