"""A customer's clusters: the list (engine, status, nodes up) and one cluster's page with
its nodes (role, server status, address), its jobs with the last lines of their output,
the configuration its master runs, and the buttons to resize a worker group, kill a job
or delete the cluster."""

from collections.abc import Mapping
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.clusters.template_spec import Role
from andromede.console.forms import submit
from andromede.console.web import area_router, go, page
from andromede.kernel.errors import ValidationFailed
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000


def _clusters(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    found = app.clusters.list_clusters(session, caller, limit=MOST, marker=None)
    return {
        "clusters": [app.clusters.state(session, c) for c in found],
        "templates": app.clusters.list_templates(session, caller),
    }


def _cluster(app: Any, session: Session, caller: Caller, cluster_id: str) -> Mapping[str, Any]:
    state = app.clusters.get(session, caller, cluster_id)
    master = next((n for n in state.nodes if n.role == Role.MASTER), None)
    files = app.clusters.configuration(session, caller, cluster_id, master.name) if master else {}
    groups = [g for g in state.cluster.body["node_groups"] if g["role"] != Role.MASTER]
    jobs = app.jobs.list_jobs(session, caller, cluster_id)
    return {"state": state, "files": files, "groups": groups, "jobs": jobs}


@router.get("/clusters")
def clusters(request: Request) -> Response:
    app = app_of(request)
    return page(request, "clusters.html", lambda s, c: _clusters(app, s, c))


@router.get("/clusters/{cluster_id}")
def cluster(request: Request, cluster_id: str) -> Response:
    app = app_of(request)
    return page(request, "cluster.html", lambda s, c: _cluster(app, s, c, cluster_id))


@router.post("/clusters/{cluster_id}/scale")
def scale(
    request: Request,
    cluster_id: str,
    csrf: str = Form(""),
    group: str = Form(""),
    count: str = Form(""),
) -> Response:
    app = app_of(request)

    def change(session: Session, caller: Caller) -> str:
        if not count.strip().isdigit():
            raise ValidationFailed.one("count", "a whole number of nodes")
        app.clusters.scale(session, caller, cluster_id, {group: int(count)})
        return cluster_id

    return submit(
        request,
        csrf,
        change,
        lambda _: go(f"/clusters/{cluster_id}"),
        action=AuditAction.CLUSTER_SCALE,
        target_type="cluster",
        target_id=cluster_id,
        again=("cluster.html", lambda s, c: _cluster(app, s, c, cluster_id)),
    )


@router.post("/clusters/{cluster_id}/jobs/{job_id}/kill")
def kill_job(request: Request, cluster_id: str, job_id: str, csrf: str = Form("")) -> Response:
    app = app_of(request)

    def kill(session: Session, caller: Caller) -> str:
        app.jobs.kill(session, caller, cluster_id, job_id)
        return job_id

    return submit(
        request,
        csrf,
        kill,
        lambda _: go(f"/clusters/{cluster_id}"),
        action=AuditAction.CLUSTER_JOB_KILL,
        target_type="cluster",
        target_id=job_id,
        again=("cluster.html", lambda s, c: _cluster(app, s, c, cluster_id)),
    )


@router.post("/clusters/{cluster_id}/delete")
def delete(request: Request, cluster_id: str, csrf: str = Form("")) -> Response:
    app = app_of(request)

    def remove(session: Session, caller: Caller) -> str:
        app.clusters.delete(session, caller, cluster_id)
        return cluster_id

    return submit(
        request,
        csrf,
        remove,
        lambda _: go("/clusters"),
        action=AuditAction.CLUSTER_DELETE,
        target_type="cluster",
        target_id=cluster_id,
        again=("cluster.html", lambda s, c: _cluster(app, s, c, cluster_id)),
    )
