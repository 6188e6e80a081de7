"""/v1 customer-approved staff access: requests, decisions, the transparency feed, and
the notifications that tell a tenant something needs its attention."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Query, Request
from pydantic import Field

from andromede.api.context import app_of, page, run
from andromede.api.resource_routes import listing
from andromede.api.v1.audit import entries_page
from andromede.api.v1.responses import (
    AccessRequestOut,
    AccessRightsOut,
    EntriesOut,
    NotificationOut,
    Page,
    SupervisionOut,
    UserRightsOut,
    WebhookOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Int32, Limit, Seq
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import NotFound
from andromede.kernel.tenants import TenantRef
from andromede.sovereignty.access_service import AccessInput, request_view
from andromede.tenancy.webhook_service import notification_body

if TYPE_CHECKING:
    from datetime import datetime

    from andromede.sovereignty.access_service import Supervision
    from andromede.tenancy.webhook_service import Webhook

router = v1_router(tags=["staff access"])


class AccessRequestBody(Body):
    customer_id: str
    scope: str
    reason: str
    duration_minutes: Int32
    location: str


@router.post("/access-requests", status_code=201, **answers(AccessRequestOut))
def file_request(body: AccessRequestBody, request: Request) -> Any:
    """Operator staff ask a customer for access to its data (scope ``read`` or
    ``operate``, at most 480 minutes, from an EU country)."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        row = app.access.file(session, caller, AccessInput(**body.model_dump()))
        return request_view(row, app.access.state(row), caller.actor)

    return run(
        request,
        work,
        write=True,
        action=AuditAction.ACCESS_REQUEST_CREATE,
        target_type="access_request",
    )


@router.get("/access-requests", **answers(Page[AccessRequestOut]))
def list_requests(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    customer_id: str | None = None,
) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        rows = app.access.list_requests(
            session, caller, limit=limit, marker=marker, customer_id=customer_id
        )
        return page(rows, limit, lambda r: request_view(r, app.access.state(r), caller.actor))

    return run(request, work)


@router.get("/access-requests/{request_id}", **answers(AccessRequestOut))
def show_request(request_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        row = app.access.get(session, caller, request_id)
        return request_view(row, app.access.state(row), caller.actor)

    return run(request, work)


def _decision(verb: str) -> Any:
    def decide(request_id: str, request: Request) -> Any:
        app = app_of(request)

        def work(session: Any, caller: Any) -> dict[str, Any]:
            row = app.access.decide(session, caller, request_id, verb)
            return request_view(row, app.access.state(row), caller.actor)

        return run(
            request,
            work,
            write=True,
            action=AuditAction(f"access_request.{verb}"),
            target_type="access_request",
            target_id=request_id,
        )

    decide.__doc__ = {
        "approve": "The customer's admin opens the grant, for the duration asked.",
        "deny": "The customer's admin refuses the request.",
        "revoke": "Ends the grant (or withdraws the request) at once.",
    }[verb]
    return decide


for _verb in ("approve", "deny", "revoke"):
    router.add_api_route(
        f"/access-requests/{{request_id}}/{_verb}",
        _decision(_verb),
        methods=["POST"],
        name=f"access_request_{_verb}",
        **answers(AccessRequestOut),
    )


@router.get("/customers/{customer_id}/access-log", **answers(EntriesOut))
def access_log(
    customer_id: str,
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    before: Seq | None = Query(None, description="seq to page below"),
) -> Any:
    """Every staff request for the customer's data, its decision, and every staff action
    or read under a grant (each naming the grant), newest first."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: entries_page(
            app.access.access_log(s, c, customer_id, limit=limit, before_seq=before), limit
        ),
    )


@router.get("/notifications", tags=["notifications"], **answers(Page[NotificationOut]))
def list_notifications(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.tenancy.list_notifications(s, c, limit=limit, marker=marker),
        notification_body,  # the feed shows a notice as the webhook receives it
        limit,
    )


# -- the access-rights inventory (SecNumCloud 9.3) -------------------------------------
@router.get("/customers/{customer_id}/access-rights", **answers(AccessRightsOut))
def access_rights(
    customer_id: str,
    request: Request,
    project_id: str | None = Query(None, max_length=100, description="one project's only"),
) -> Any:
    """Every account that can reach the customer's resources (or one project's: a
    resource's rights are its project's), with what it may do and why."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        customer = app.tenancy.get_customer(session, caller, customer_id)
        ref = TenantRef(customer.partner_id, customer.id)
        if project_id is not None:
            project = app.tenancy.get_project(session, caller, project_id)
            if project.customer_id != customer.id:
                raise NotFound("project", project_id)
            ref = TenantRef(customer.partner_id, customer.id, project.id)
        principals, hidden = app.access.who_can_access(session, caller, ref)
        return {
            "customer_id": customer.id,
            "project_id": project_id,
            "principals": principals,
            "hidden_accounts": hidden,
        }

    return run(request, work)


@router.get("/users/{user_id}/rights", **answers(UserRightsOut))
def user_rights(user_id: str, request: Request) -> Any:
    """Every right of one account: its role's permissions, the data it reaches and the
    grants it holds now."""
    app = app_of(request)
    return run(request, lambda s, c: app.access.rights_of_user(s, c, user_id))


# -- notifications posted to a webhook ------------------------------------------------
class WebhookBody(Body):
    url: str = Field(max_length=2000)


def webhook_view(w: Webhook) -> dict[str, Any]:
    return {
        "id": w.id,
        "url": w.url,
        "partner_id": w.partner_id,
        "customer_id": w.customer_id,
        "created_at": w.created_at.isoformat(),
    }


@router.put("/notification-webhook", tags=["notifications"], **answers(WebhookOut))
def set_webhook(body: WebhookBody, request: Request) -> Any:
    """Where the caller's organisation (partner or customer; its admins) wants its
    notifications posted as well, signed with the operator's key; on this machine or in
    the EU (ANDROMEDE_SINK_COUNTRIES), https off this machine."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: webhook_view(app.webhooks.set_webhook(s, c, body.url)),
        write=True,
        action=AuditAction.WEBHOOK_SET,
        target_type="webhook",
    )


@router.get("/notification-webhook", tags=["notifications"], **answers(WebhookOut))
def get_webhook(request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: webhook_view(app.webhooks.get_webhook(s, c)))


# -- live supervision of staff working from outside the EU --------------------------
class SupervisionBody(Body):
    staff_id: str
    minutes: Int32
    reason: str


def supervision_view(row: Supervision, now: datetime) -> dict[str, Any]:
    return {
        "id": row.id,
        "staff_id": row.staff_id,
        "staff": row.staff,
        "supervisor": row.supervisor,
        "reason": row.reason,
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "active": row.starts_at <= now < row.ends_at,
    }


@router.post("/supervisions", status_code=201, **answers(SupervisionOut))
def supervise(body: SupervisionBody, request: Request) -> Any:
    """An EU staff member, vetted, supervises one working from outside the EU for up to
    480 minutes: only while it runs are that member's requests served (SecNumCloud
    19.2.e)."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        row = app.access.supervise(session, caller, body.staff_id, body.minutes, body.reason)
        return supervision_view(row, app.clock.now())

    return run(
        request, work, write=True, action=AuditAction.SUPERVISION_START, target_type="supervision"
    )


@router.get("/supervisions", **answers(Page[SupervisionOut]))
def list_supervisions(request: Request) -> Any:
    """The latest hundred supervisions (operator staff)."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        now = app.clock.now()
        rows = app.access.supervisions(session, caller)
        return {"items": [supervision_view(r, now) for r in rows], "next_marker": None}

    return run(request, work)


@router.post("/supervisions/{supervision_id}/end", **answers(SupervisionOut))
def end_supervision(supervision_id: str, request: Request) -> Any:
    """Its supervisor (or an operator administrator) ends it, at once."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        row = app.access.end_supervision(session, caller, supervision_id)
        return supervision_view(row, app.clock.now())

    return run(
        request,
        work,
        write=True,
        action=AuditAction.SUPERVISION_END,
        target_type="supervision",
        target_id=supervision_id,
    )
