"""/v1 policies, policy decisions, compliance findings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from pydantic import Field

from andromede.api.context import app_of, run
from andromede.api.resource_routes import listing
from andromede.api.v1.responses import (
    DataLocationOut,
    Page,
    PolicyDecisionOut,
    PolicyFindingOut,
    PolicyOut,
    PolicySetOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import Conflict, Forbidden, ValidationFailed
from andromede.kernel.months import month_bounds
from andromede.kernel.tenants import TenantRef
from andromede.sovereignty.attestation import Held
from andromede.sovereignty.service import PolicyInput
from andromede.tenancy.scope import note_read, resource_scope, visible

if TYPE_CHECKING:
    from andromede.bootstrap import App
    from andromede.sovereignty.service import Finding, PolicyDecision, PolicyRow

router = v1_router(tags=["sovereignty"])


class PolicyBody(Body):
    scope_type: str
    scope_id: str
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    min_certification: str | None = None
    mode: str = "enforce"


def policy_view(p: PolicyRow) -> dict[str, Any]:
    return {
        "id": p.id,
        "scope_type": p.scope_type,
        "scope_id": p.scope_id,
        "version": p.version,
        "allow": p.allow,
        "deny": p.deny,
        "min_certification": p.min_certification,
        "mode": p.mode,
        "created_at": p.created_at.isoformat(),
        "created_by": p.created_by,
    }


def decision_view(d: PolicyDecision) -> dict[str, Any]:
    return {
        "id": d.id,
        "at": d.at.isoformat(),
        "action": d.action,
        "server_id": d.server_id,
        "project_id": d.project_id,
        "customer_id": d.customer_id,
        "region": d.region,
        "zone": d.zone,
        "allowed": d.allowed,
        "code": d.code,
        "versions": d.versions,
    }


def finding_view(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "at": f.at.isoformat(),
        "policy_id": f.policy_id,
        "server_id": f.server_id,
        "resource_type": f.resource_type,
        "customer_id": f.customer_id,
        "project_id": f.project_id,
        "region": f.region,
        "zone": f.zone,
        "code": f.code,
    }


@router.post("/policies", status_code=201, **answers(PolicySetOut))
def set_policy(body: PolicyBody, request: Request) -> Any:
    """A new version of the scope's policy, then a compliance scan of what it covers."""
    app = app_of(request)
    data = PolicyInput(
        body.scope_type,
        body.scope_id,
        tuple(body.allow),
        tuple(body.deny),
        body.min_certification,
        body.mode,
    )

    def work(session: Any, caller: Any) -> dict[str, Any]:
        row = app.sovereignty.set_policy(session, caller, data)
        covered = TenantRef(
            row.partner_id, row.customer_id, row.scope_id if row.scope_type == "project" else None
        )
        held = [
            (TenantRef(c.partner_id, c.id), h)
            for c in app.tenancy.all_customers(session)
            if visible_to(covered, c.partner_id, c.id)
            for h in app.volumes.held_data(session, c.id)
            if covered.project_id is None or h.project_id == covered.project_id
        ]
        servers = app.servers.live_servers(session, covered)
        findings = app.sovereignty.scan(session, row, servers, held)
        return {**policy_view(row), "findings": [finding_view(f) for f in findings]}

    return run(request, work, write=True, action=AuditAction.POLICY_SET, target_type="policy")


@router.get("/policies", **answers(Page[PolicyOut]))
def list_policies(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.sovereignty.list_policies(s, c, limit=limit, marker=marker),
        policy_view,
        limit,
    )


@router.get("/policy-decisions", **answers(Page[PolicyDecisionOut]))
def list_decisions(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.sovereignty.list_decisions(s, c, limit=limit, marker=marker),
        decision_view,
        limit,
    )


@router.get("/compliance/findings", **answers(Page[PolicyFindingOut]))
def list_findings(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.sovereignty.list_findings(s, c, limit=limit, marker=marker),
        finding_view,
        limit,
    )


def visible_to(covered: TenantRef, partner_id: str, customer_id: str) -> bool:
    """Whether a customer is under a policy's scope (operator: all; partner: its own)."""
    if covered.customer_id is not None:
        return covered.customer_id == customer_id
    return covered.partner_id is None or covered.partner_id == partner_id


def data_location_of(app: App, session: Any, caller: Any, customer_id: str) -> dict[str, Any]:
    """Every live resource of the customer and where it is (both faces of the product
    answer with this: /v1 and the console)."""
    customer = app.tenancy.get_customer(session, caller, customer_id)
    ref = TenantRef(customer.partner_id, customer.id)
    if not visible(resource_scope(caller.actor), ref):
        raise Forbidden("the customer's resources need an approved access request")
    note_read(caller, ref)
    servers = app.servers.live_servers(session, ref)
    held = app.volumes.held_data(session, customer.id)
    held += app.vnets.held_networks(session, customer.id)
    held += [
        Held("image", i.id, i.name, i.owner_project_id or "", i.status, i.region_code or "",
             None, i.created_at, None)
        for i in app.images.stored_for(session, customer.id)
    ]  # fmt: skip
    return {
        "customer_id": customer.id,
        "as_of": app.clock.now().isoformat(),
        "resources": app.sovereignty.locate(session, servers, held),
        "technical_data": technical_data(app, session, customer.id),
    }


def technical_data(app: App, session: Any, customer_id: str) -> list[dict[str, Any]]:
    """What the control plane itself keeps of the customer, and where its database is
    (the sink registry says which country)."""
    database = next(v for v in app.sink_verdicts() if v.sink.kind == "database")
    where = {"store": "control-plane database", "country": database.country}
    _, keypairs, _ = app.servers.customer_inventory(session, customer_id)
    found = [
        {"kind": "keypair", "id": k.id, "name": k.name, "project_id": k.project_id, **where}
        for k in keypairs
    ]
    records = "accounts, projects, policies, audit entries, usage, invoices"
    return [*found, {"kind": "records", "name": records, **where}]


@router.get("/customers/{customer_id}/data-location", **answers(DataLocationOut))
def data_location(customer_id: str, request: Request) -> Any:
    """Every resource of the customer and where it is, live."""
    app = app_of(request)
    return run(request, lambda s, c: data_location_of(app, s, c, customer_id))


def attestation_of(
    app: App, session: Any, caller: Any, customer_id: str, month: str
) -> dict[str, Any]:
    """Where every resource of the customer lived during the month, under which policy,
    and whether it complied; signed with the operator's key."""
    customer = app.tenancy.get_customer(session, caller, customer_id)
    if not app.settings.audit_key_file:
        raise Conflict("no signing key is configured (ANDROMEDE_AUDIT_KEY_FILE)")
    try:
        period = month_bounds(month)
    except ValueError as exc:
        raise ValidationFailed.one("month", str(exc)) from None
    if period[0] >= app.clock.now():
        raise ValidationFailed.one("month", f"{month} has not begun: nothing to attest yet")
    servers = app.servers.servers_since(session, customer.id, period[0])
    held = app.volumes.held_data(session, customer.id, since=period[0])
    return app.sovereignty.attestation(
        session,
        TenantRef(customer.partner_id, customer.id),
        [s for s in servers if s.created_at < period[1]],
        period,
        Path(app.settings.audit_key_file),
        [h for h in held if h.start < period[1]],
    )


@router.get("/customers/{customer_id}/attestations/{month}", **answers(dict[str, Any]))
def attestation(customer_id: str, month: str, request: Request) -> Any:
    """Where every resource of the customer lived during the month, under which policy,
    and whether it complied; signed with the operator's key."""
    app = app_of(request)
    return run(request, lambda s, c: attestation_of(app, s, c, customer_id, month))
