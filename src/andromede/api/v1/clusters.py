"""/v1 cluster templates and clusters: Hadoop and Spark clusters whose nodes are servers
of the project, made, scaled and deleted together."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from pydantic import Field

from andromede.api.resource_routes import create, listing, one, remove, update
from andromede.api.v1.responses import (
    ClusterOut,
    ClusterTemplateOut,
    Items,
    JobOut,
    NodeConfigurationOut,
    Page,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit
from andromede.audit.actions import AuditAction
from andromede.clusters.jobs import JobInput
from andromede.clusters.service import ClusterInput
from andromede.kernel.errors import ValidationFailed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from andromede.bootstrap import App
    from andromede.clusters.jobs import ClusterJob
    from andromede.clusters.service import ClusterState, ClusterTemplate
    from andromede.tenancy.scope import Caller

router = v1_router()
TAGS: list[Any] = ["clusters"]


class TemplateBody(Body):
    name: str = Field(max_length=50, examples=["hadoop-small"])
    description: str = Field(default="", max_length=255)
    body: dict[str, Any] = Field(
        description="engine, version, image, node_groups [{name, role, flavor, count}], config",
        examples=[
            {
                "engine": "hadoop",
                "version": "3.4",
                "image": "debian-12",
                "node_groups": [
                    {"name": "master", "role": "master", "flavor": "SCS-2V-8", "count": 1},
                    {"name": "core", "role": "core", "flavor": "SCS-2V-8", "count": 3},
                ],
                "config": {"hdfs-site.xml": {"dfs.blocksize": "128m"}},
            }
        ],
    )


class ClusterBody(Body):
    project_id: str
    name: str = Field(max_length=30)
    region: str = Field(max_length=30)
    zone: str | None = Field(default=None, max_length=40)
    template: str | None = Field(default=None, max_length=50, description="id or name")
    body: dict[str, Any] | None = Field(default=None, description="a whole shape instead")
    counts: dict[str, int] = Field(default_factory=dict, description="nodes per group")
    config: dict[str, dict[str, str]] = Field(default_factory=dict, description="overrides")
    transient: bool = Field(default=False, description="deleted once its jobs are over")


class JobBody(Body):
    name: str = Field(default="", max_length=80)
    file_name: str = Field(max_length=100, examples=["wordcount.py"])
    content_base64: str = Field(description="the application (a .py or a .jar), base64")
    files: dict[str, str] = Field(
        default_factory=dict, max_length=10, description="files beside it: name -> base64"
    )
    args: list[str] = Field(default_factory=list, max_length=50)
    conf: dict[str, str] = Field(default_factory=dict, description="spark.* settings")


class ScaleBody(Body):
    groups: dict[str, int] = Field(description="node group -> nodes wanted", min_length=1)


def template_view(template: ClusterTemplate) -> dict[str, Any]:
    return {
        "id": template.id,
        "name": template.name,
        "description": template.description,
        "partner_id": template.partner_id,
        "body": template.body,
        "created_at": template.created_at.isoformat(),
    }


def cluster_view(state: ClusterState) -> dict[str, Any]:
    cluster = state.cluster
    return {
        "id": cluster.id,
        "name": cluster.name,
        "project_id": cluster.project_id,
        "customer_id": cluster.customer_id,
        "template_id": cluster.template_id,
        "body": cluster.body,
        "region": cluster.region,
        "zone": cluster.zone,
        "status": cluster.status,
        "reason": cluster.reason,
        "replication": cluster.replication,
        "server_group_id": cluster.server_group_id,
        "created_at": cluster.created_at.isoformat(),
        "updated_at": cluster.updated_at.isoformat(),
        "nodes": [
            {
                "name": n.name,
                "group": n.group_name,
                "role": n.role,
                "server_id": n.server_id,
                "address": n.address,
                "status": state.servers.get(n.server_id),
                "draining": n.draining,
            }
            for n in state.nodes
        ],
    }


def _in_state(make: Any) -> Any:
    return lambda a, s, c: a.clusters.state(s, make(a, s, c))


@router.post(
    "/cluster-templates", status_code=201, tags=TAGS, **answers(ClusterTemplateOut)
)  # fmt: skip
def create_template(body: TemplateBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.clusters.create_template(s, c, body.name, body.body, body.description),
        template_view,
        AuditAction.CLUSTER_TEMPLATE_CREATE,
    )


@router.get("/cluster-templates", tags=TAGS, **answers(Items[ClusterTemplateOut]))
def list_templates(request: Request) -> Any:
    return one(
        request,
        lambda a, s, c: a.clusters.list_templates(s, c),
        lambda rows: {"items": [template_view(t) for t in rows]},
    )


@router.get("/cluster-templates/{template_id}", tags=TAGS, **answers(ClusterTemplateOut))
def get_template(template_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.clusters.get_template(s, c, template_id), template_view)


@router.delete(
    "/cluster-templates/{template_id}", status_code=204, tags=TAGS, response_class=Response
)
def delete_template(template_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.clusters.delete_template(s, c, template_id),
        AuditAction.CLUSTER_TEMPLATE_DELETE,
        template_id,
    )


@router.post("/clusters", status_code=201, tags=TAGS, **answers(ClusterOut))
def create_cluster(body: ClusterBody, request: Request) -> Any:
    data = ClusterInput(
        project_id=body.project_id,
        name=body.name,
        region=body.region,
        zone=body.zone,
        template=body.template,
        body=body.body,
        counts=body.counts,
        config=body.config,
        transient=body.transient,
    )
    return create(
        request,
        _in_state(lambda a, s, c: a.clusters.create(s, c, data)),
        cluster_view,
        AuditAction.CLUSTER_CREATE,
    )


@router.get("/clusters", tags=TAGS, **answers(Page[ClusterOut]))
def list_clusters(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: [
            a.clusters.state(s, cluster)
            for cluster in a.clusters.list_clusters(
                s, c, limit=limit, marker=marker, project_id=project_id
            )
        ],
        cluster_view,
        limit,
    )


@router.get("/clusters/{cluster_id}", tags=TAGS, **answers(ClusterOut))
def get_cluster(cluster_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.clusters.get(s, c, cluster_id), cluster_view)


@router.get(
    "/clusters/{cluster_id}/nodes/{node}/configuration",
    tags=TAGS,
    **answers(NodeConfigurationOut),
)
def node_configuration(cluster_id: str, node: str, request: Request) -> Any:
    """A node's configuration files as the cluster is now (path → content)."""
    return one(
        request,
        lambda a, s, c: a.clusters.configuration(s, c, cluster_id, node),
        lambda files: {"files": files},
    )


@router.post("/clusters/{cluster_id}/scale", tags=TAGS, **answers(ClusterOut))
def scale_cluster(cluster_id: str, body: ScaleBody, request: Request) -> Any:
    return update(
        request,
        _in_state(lambda a, s, c: a.clusters.scale(s, c, cluster_id, body.groups)),
        cluster_view,
        AuditAction.CLUSTER_SCALE,
        cluster_id,
    )


@router.delete("/clusters/{cluster_id}", status_code=202, tags=TAGS, response_class=Response)
def delete_cluster(cluster_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.clusters.delete(s, c, cluster_id),
        AuditAction.CLUSTER_DELETE,
        cluster_id,
        status=202,
    )


def job_view(job: ClusterJob) -> dict[str, Any]:
    duration = None
    if job.started_at is not None and job.finished_at is not None:
        duration = (job.finished_at - job.started_at).total_seconds()
    return {
        "id": job.id,
        "cluster_id": job.cluster_id,
        "name": job.name,
        "file_name": job.file_name,
        "args": job.args,
        "conf": job.conf,
        "status": job.status,
        "exit_code": job.exit_code,
        "submitted_at": job.submitted_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "duration_seconds": duration,
        "output": job.output,
    }


def _decoded(field_name: str, text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed.one(field_name, "not base64") from None


@router.post("/clusters/{cluster_id}/jobs", status_code=201, tags=TAGS, **answers(JobOut))
def submit_job(cluster_id: str, body: JobBody, request: Request) -> Any:
    def submit(a: App, s: Session, c: Caller) -> ClusterJob:
        data = JobInput(
            name=body.name,
            file_name=body.file_name,
            content=_decoded("content_base64", body.content_base64),
            files={k: _decoded(f"files.{k}", v) for k, v in body.files.items()},
            args=body.args,
            conf=body.conf,
        )
        return a.jobs.submit(s, c, cluster_id, data)

    return create(request, submit, job_view, AuditAction.CLUSTER_JOB_SUBMIT)


@router.get("/clusters/{cluster_id}/jobs", tags=TAGS, **answers(Items[JobOut]))
def list_jobs(cluster_id: str, request: Request) -> Any:
    return one(
        request,
        lambda a, s, c: a.jobs.list_jobs(s, c, cluster_id),
        lambda rows: {"items": [job_view(j) for j in rows]},
    )


@router.get("/clusters/{cluster_id}/jobs/{job_id}", tags=TAGS, **answers(JobOut))
def get_job(cluster_id: str, job_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.jobs.get_job(s, c, cluster_id, job_id), job_view)


@router.post("/clusters/{cluster_id}/jobs/{job_id}/kill", tags=TAGS, **answers(JobOut))
def kill_job(cluster_id: str, job_id: str, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.jobs.kill(s, c, cluster_id, job_id),
        job_view,
        AuditAction.CLUSTER_JOB_KILL,
        job_id,
    )
