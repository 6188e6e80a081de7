"""/v1 environments: servers made together from a template, started and stopped
together, with a time to live and an expiry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fastapi import Request, Response
from pydantic import Field

from andromede.api.resource_routes import create, listing, one, remove, update
from andromede.api.v1.responses import EnvironmentOut, Page, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Instant, Limit
from andromede.audit.actions import AuditAction
from andromede.schedules.environments import EnvironmentInput

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from andromede.bootstrap import App
    from andromede.schedules.environments import Environment, EnvironmentState
    from andromede.tenancy.scope import Caller

router = v1_router()


class MemberBody(Body):
    name: str = Field(max_length=20, examples=["web"])
    flavor: str = Field(max_length=100, examples=["SCS-1V-2"])
    image: str = Field(max_length=100, examples=["debian-12"])
    count: int = Field(default=1, ge=1, le=50)


class EnvironmentBody(Body):
    project_id: str
    name: str = Field(max_length=20)
    region: str = Field(max_length=30)
    zone: str | None = Field(default=None, max_length=40)
    members: list[MemberBody] = Field(max_length=20)
    server_group: Literal["affinity", "anti-affinity"] | None = None
    network: str | None = Field(default=None, max_length=100)
    ttl_hours: int | None = Field(default=8, ge=1, le=744, description="stopped after")
    expires_at: Instant | None = Field(default=None, description="deleted at")


class EnvironmentAction(Body):
    action: Literal["start", "stop", "extend", "retry"]
    hours: int = Field(default=0, ge=0, le=744)
    days: int = Field(default=0, ge=0, le=366)


def environment_view(env: Environment) -> dict[str, Any]:
    return {
        "id": env.id,
        "name": env.name,
        "project_id": env.project_id,
        "customer_id": env.customer_id,
        "running": env.running,
        "template": env.template,
        "server_group_id": env.server_group_id,
        "ttl_hours": env.ttl_hours,
        "started_at": env.started_at.isoformat() if env.started_at else None,
        "stop_at": env.stop_at.isoformat() if env.stop_at else None,
        "expires_at": env.expires_at.isoformat() if env.expires_at else None,
        "created_at": env.created_at.isoformat(),
    }


def state_view(state: EnvironmentState) -> dict[str, Any]:
    """An environment with its status and members, in a list as alone."""
    return environment_view(state.environment) | {
        "status": state.status,
        "members": [
            {
                "slot": m.slot,
                "server_id": m.server_id,
                "status": state.servers.get(m.server_id) if m.server_id else None,
                "error": m.error,
            }
            for m in state.members
        ],
    }


def _in_state(make: Any) -> Any:
    """A change, answered with the environment's state after it."""
    return lambda a, s, c: a.environments.state(s, make(a, s, c))


@router.post("/environments", status_code=201, tags=["environments"], **answers(EnvironmentOut))
def create_environment(body: EnvironmentBody, request: Request) -> Any:
    template = body.model_dump(
        include={"region", "zone", "members", "server_group", "network"}, exclude_none=True
    )
    data = EnvironmentInput(
        project_id=body.project_id,
        name=body.name,
        template=template,
        ttl_hours=body.ttl_hours,
        expires_at=body.expires_at,
    )
    return create(
        request,
        _in_state(lambda a, s, c: a.environments.create(s, c, data)),
        state_view,
        AuditAction.ENVIRONMENT_CREATE,
    )


@router.get("/environments", tags=["environments"], **answers(Page[EnvironmentOut]))
def list_environments(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: [
            a.environments.state(s, env)
            for env in a.environments.list_environments(
                s, c, limit=limit, marker=marker, project_id=project_id
            )
        ],
        state_view,
        limit,
    )


@router.get("/environments/{environment_id}", tags=["environments"], **answers(EnvironmentOut))
def get_environment(environment_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.environments.get(s, c, environment_id), state_view)


@router.post(
    "/environments/{environment_id}/actions", tags=["environments"], **answers(EnvironmentOut)
)
def environment_action(environment_id: str, body: EnvironmentAction, request: Request) -> Any:
    def act(app: App, session: Session, caller: Caller) -> Environment:
        envs = app.environments
        if body.action == "extend":
            return envs.extend(session, caller, environment_id, hours=body.hours, days=body.days)
        verb = {"start": envs.start, "stop": envs.stop, "retry": envs.retry}[body.action]
        return verb(session, caller, environment_id)

    action = AuditAction(f"environment.{body.action}")
    return update(request, _in_state(act), state_view, action, environment_id)


@router.delete(
    "/environments/{environment_id}",
    status_code=202,
    tags=["environments"],
    response_class=Response,
)
def delete_environment(environment_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.environments.delete(s, c, environment_id),
        AuditAction.ENVIRONMENT_DELETE,
        environment_id,
        status=202,
    )
